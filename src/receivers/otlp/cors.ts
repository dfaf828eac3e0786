/**
 * CORS for OTLP/HTTP, off unless `cors.allowed_origins` lists origins (browsers then may
 * POST logs from those pages). Origins match exactly or with `*` wildcards
 * (`https://*.example.com`); a lone `*` allows any origin. Matching is a linear scan over
 * the pattern's literal pieces, never a regex built from config.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsConfig } from './config.ts';

/** Headers OTLP clients send besides the CORS-safelisted ones. */
const BASE_ALLOWED_HEADERS = ['Content-Type', 'Content-Encoding'];

export class Cors {
  private readonly patterns: string[][];
  private readonly anyOrigin: boolean;
  private readonly allowHeaders: string;
  private readonly maxAge: number;

  constructor(config: CorsConfig) {
    this.anyOrigin = config.allowed_origins.includes('*');
    this.patterns = config.allowed_origins.map((o) => o.toLowerCase().split('*'));
    this.allowHeaders = [...BASE_ALLOWED_HEADERS, ...config.allowed_headers].join(', ');
    this.maxAge = config.max_age;
  }

  allows(origin: string): boolean {
    if (this.anyOrigin) return true;
    const o = origin.toLowerCase();
    return this.patterns.some((pieces) => wildcardMatch(pieces, o));
  }

  /**
   * Adds the CORS headers a request from an allowed origin gets. Returns true when the
   * request was a preflight and has been answered.
   */
  apply(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!origin || !this.allows(origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', this.anyOrigin ? '*' : origin);
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader('Access-Control-Allow-Headers', this.allowHeaders);
      if (this.maxAge > 0) res.setHeader('Access-Control-Max-Age', String(this.maxAge));
      res.writeHead(204).end();
      return true;
    }
    return false;
  }
}

/** `pieces` is a pattern split on `*`: the text must start with the first, end with the last, and hold the rest in order. */
export function wildcardMatch(pieces: string[], text: string): boolean {
  if (pieces.length === 1) return pieces[0] === text;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let pos = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const at = text.indexOf(pieces[i]!, pos);
    if (at < 0 || at + pieces[i]!.length > end) return false;
    pos = at + pieces[i]!.length;
  }
  return true;
}

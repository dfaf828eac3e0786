/**
 * Finds trace context embedded in a text body (a plain log line):
 * - a W3C traceparent anywhere in the line (`... traceparent=00-<32>-<16>-01 ...`);
 * - else `<trace id field>=<32 hex>` or `<field>: "<32 hex>"` (logfmt, key: value and JSON
 *   fragments), with the span id found the same way.
 * Patterns are built once from the configured field names (escaped, so they stay literal)
 * and are linear: literal alternations and bounded repetitions only. Lines longer than
 * `maxScan` characters are scanned up to that length.
 */
import { fromParts, normalizeFlags, normalizeSpanId, normalizeTraceId, type TraceContext } from './trace-context.ts';

const TRACEPARENT_IN_TEXT = /(?<![0-9A-Za-z-])([0-9a-fA-F]{2})-([0-9a-fA-F]{32})-([0-9a-fA-F]{16})-([0-9a-fA-F]{2})(?![0-9A-Za-z])/g;

export class TextScanner {
  private readonly traceKey: RegExp | undefined;
  private readonly spanKey: RegExp | undefined;
  private readonly flagsKey: RegExp | undefined;
  private readonly maxScan: number;

  constructor(traceIdFields: readonly string[], spanIdFields: readonly string[], flagsFields: readonly string[], maxScan = 16384) {
    this.traceKey = keyValuePattern(traceIdFields, '[0-9a-fA-F]{32}');
    this.spanKey = keyValuePattern(spanIdFields, '[0-9a-fA-F]{16}');
    this.flagsKey = keyValuePattern(flagsFields, '[0-9a-fA-F]{1,2}');
    this.maxScan = maxScan;
  }

  scan(line: string): TraceContext | undefined {
    const text = line.length > this.maxScan ? line.slice(0, this.maxScan) : line;
    // A traceparent needs at least three dashes around hex; skip the regex on lines without one.
    if (text.indexOf('-') >= 0) {
      TRACEPARENT_IN_TEXT.lastIndex = 0;
      for (let m = TRACEPARENT_IN_TEXT.exec(text); m !== null; m = TRACEPARENT_IN_TEXT.exec(text)) {
        const after = text.charCodeAt(m.index + m[0].length);
        const context = fromParts(m[1]!, m[2]!, m[3]!, m[4]!, after === 45 /* '-' */);
        if (context) return context;
      }
    }
    if (!this.traceKey) return undefined;
    const traceId = normalizeTraceId(this.traceKey.exec(text)?.[1]);
    if (traceId === undefined) return undefined;
    return {
      traceId,
      spanId: this.spanKey ? normalizeSpanId(this.spanKey.exec(text)?.[1]) : undefined,
      flags: this.flagsKey ? normalizeFlags(this.flagsKey.exec(text)?.[1]) : undefined,
    };
  }
}

/** `(?<![\w.-])(?:name1|name2)["']?\s{0,3}[=:]\s{0,3}["']?(VALUE)(?![0-9A-Za-z])` */
function keyValuePattern(names: readonly string[], value: string): RegExp | undefined {
  if (names.length === 0) return undefined;
  const alternation = names.map(escapeRegExp).join('|');
  return new RegExp(`(?<![\\w.-])(?:${alternation})["']?\\s{0,3}[=:]\\s{0,3}["']?(${value})(?![0-9A-Za-z])`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

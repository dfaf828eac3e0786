/**
 * YAML source handling for the config: parse with ranges kept, substitute `${env:NAME}` and
 * `${env:NAME:-default}` in scalars (`$$` is a literal `$`), and map any key path back to
 * its line:column so every error can point at the place.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, Scalar } from 'yaml';

export type KeyPath = (string | number)[];

export interface SourceIssue {
  path: KeyPath;
  message: string;
  /** Points at the key rather than the value (unknown keys). */
  atKey?: boolean;
}

export interface YamlSource {
  file: string;
  value: unknown;
  /** Syntax and substitution errors, already located. */
  errors: string[];
  locate(path: KeyPath, atKey?: boolean): { line: number; col: number } | undefined;
  format(issue: SourceIssue): string;
}

const ENV_REF = /\$\$|\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function parseYamlSource(file: string, text: string, env: NodeJS.ProcessEnv = process.env): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const errors: string[] = [];
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    errors.push(`${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`);
  }

  substituteEnv(doc, env, (node, message) => {
    const pos = node.range ? lineCounter.linePos(node.range[0]) : { line: 0, col: 0 };
    errors.push(`${file}:${pos.line}:${pos.col}: ${message}`);
  });

  const value = errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;

  const locate = (path: KeyPath, atKey = false): { line: number; col: number } | undefined => {
    const node = findNode(doc, path, atKey);
    if (!node?.range) return undefined;
    return lineCounter.linePos(node.range[0]);
  };

  return {
    file,
    value,
    errors,
    locate,
    format(issue: SourceIssue): string {
      const pos = locate(issue.path, issue.atKey);
      const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
      const path = formatPath(issue.path);
      return `${where}: ${path ? path + ': ' : ''}${issue.message}`;
    },
  };
}

/** `receivers.filelog.include[0]` */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function substituteEnv(doc: Document, env: NodeJS.ProcessEnv, fail: (node: Node, message: string) => void): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const original = node.value;
      const whole = /^\$\{env:[^}]*\}$/.test(original);
      let missing: string | undefined;
      const substituted = original.replace(ENV_REF, (match, name: string | undefined, fallback: string | undefined) => {
        if (match === '$$') return '$';
        const v = env[name!];
        if (v !== undefined && v !== '') return v;
        if (fallback !== undefined) return fallback;
        missing ??= name;
        return '';
      });
      if (missing !== undefined) {
        fail(node, `environment variable ${missing} is not set (use \${env:${missing}:-default} for a default)`);
        return;
      }
      if (whole && node.type === Scalar.PLAIN) {
        // As in the Collector, a plain scalar that is exactly one reference takes the YAML
        // type of what it expands to (a port number stays a number).
        const reparsed = parseDocument(substituted).contents;
        node.value = isScalar(reparsed) ? reparsed.value : substituted;
      } else {
        node.value = substituted;
      }
    },
  });
}

function findNode(doc: Document, path: KeyPath, atKey: boolean): Node | undefined {
  let node: unknown = doc.contents;
  let last: Node | undefined = node as Node;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const isLast = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyOf(p.key) === String(part));
      if (!pair) return last;
      if (isLast && atKey) return pair.key as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      if (node === undefined) return last;
    } else {
      return last;
    }
    if (node && typeof node === 'object' && 'range' in node) last = node as Node;
  }
  return last;
}

function keyOf(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

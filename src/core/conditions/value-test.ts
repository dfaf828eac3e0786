/**
 * Value tests: the right-hand side of a condition entry, compiled once into a predicate.
 *
 * - a scalar holds when the value is equal to it (same type: `500` is not `"500"`);
 * - a list holds when the value is equal to any of its items;
 * - `{gte|gt|lte|lt: N}` compare numbers; a string holding a decimal number (`"500"`,
 *   `"-1.5"`) is compared as that number, anything else does not hold;
 * - `{exists: true|false}` holds when the field is present (a JSON null counts as present);
 * - `{matches: PATTERN}` searches the value's text, RE2 syntax and linear time (unanchored:
 *   use `^...$` to anchor, `(?i)` for case-insensitive); numbers and booleans are matched
 *   as their JSON text, objects and arrays never match.
 */
import type { JsonValue } from '../record.ts';
import { compileLinearRegExp, type LinearRegExp } from './linear-regex.ts';

export type Scalar = string | number | boolean | null;
export type ValueTest =
  | Scalar
  | Scalar[]
  | { gte: number }
  | { gt: number }
  | { lte: number }
  | { lt: number }
  | { exists: boolean }
  | { matches: string };

export type ValuePredicate = (value: JsonValue | undefined) => boolean;

export const OPERATORS = ['gte', 'gt', 'lte', 'lt', 'exists', 'matches'] as const;
export type Operator = (typeof OPERATORS)[number];

const DECIMAL = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** The value as a number for comparisons, or NaN. */
function asNumber(value: JsonValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.length <= 64 && DECIMAL.test(value)) return Number(value);
  return NaN;
}

export function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Compiles a value test; throws with a plain message when it is malformed (validate first). */
export function compileValueTest(test: ValueTest): ValuePredicate {
  if (isScalar(test)) return (v) => v === test;
  if (Array.isArray(test)) {
    if (test.length === 1) {
      const only = test[0];
      return (v) => v === only;
    }
    if (test.length <= 8) return (v) => test.includes(v as Scalar);
    const set = new Set<unknown>(test);
    return (v) => set.has(v);
  }
  const keys = Object.keys(test);
  if (keys.length !== 1) throw new Error(`a value test takes exactly one operator (${OPERATORS.join(', ')})`);
  const op = keys[0] as Operator;
  const arg = (test as Record<string, unknown>)[op];
  switch (op) {
    case 'gte': { const n = number(op, arg); return (v) => asNumber(v) >= n; }
    case 'gt': { const n = number(op, arg); return (v) => asNumber(v) > n; }
    case 'lte': { const n = number(op, arg); return (v) => asNumber(v) <= n; }
    case 'lt': { const n = number(op, arg); return (v) => asNumber(v) < n; }
    case 'exists': {
      if (typeof arg !== 'boolean') throw new Error('exists takes true or false');
      return arg ? (v) => v !== undefined : (v) => v === undefined;
    }
    case 'matches': {
      const re = compilePattern(arg);
      return (v) => {
        if (typeof v === 'string') return re.test(v);
        if (typeof v === 'number' || typeof v === 'boolean') return re.test(String(v));
        return false;
      };
    }
    default:
      throw new Error(`unknown operator "${String(op)}" (expected one of ${OPERATORS.join(', ')})`);
  }
}

function number(op: string, arg: unknown): number {
  if (typeof arg !== 'number' || !Number.isFinite(arg)) throw new Error(`${op} takes a number`);
  return arg;
}

/** Compiles an RE2 pattern (linear time, see linear-regex.ts); throws with RE2's reason when invalid. */
export function compilePattern(pattern: unknown): LinearRegExp {
  if (typeof pattern !== 'string') throw new Error('matches takes a pattern string');
  try {
    return compileLinearRegExp(pattern);
  } catch (e) {
    throw new Error(`invalid RE2 pattern: ${(e as Error).message}`);
  }
}

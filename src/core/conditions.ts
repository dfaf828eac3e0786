/**
 * Conditions: the contract's small language for choosing records, used by `schema`
 * (`match`), `sample` (`keep`) and any later routing.
 *
 * A condition is a map that holds when all its entries hold:
 *   severity_number: <value test>        severity_text: <value test>
 *   body | attributes | resource: { <field name>: <value test>, ... }
 * Attribute and resource field names are keys as they stand (`event.category` is one
 * key); body field names are keys as they stand first, then dotted paths into nested
 * objects (see conditions/fields.ts). Value tests are in conditions/value-test.ts.
 * An empty condition `{}` holds for every record.
 *
 * Cost: a condition is compiled once (at config time) into a closure per entry; testing a
 * record is a few property reads and comparisons, plus one linear-time search per
 * `matches` (V8 when the pattern is provably linear there, else RE2: conditions/linear-regex.ts).
 *
 * Use: `validateCondition(c, path)` in a factory's `validate` (reports bad patterns at
 * their YAML path), `conditionSchema` inside its config schema, `compileCondition(c)` at
 * create time.
 */
import type { LogRecord } from './record.ts';
import { bodyFieldGetter, keyGetter } from './conditions/fields.ts';
import { compileValueTest, type ValueTest } from './conditions/value-test.ts';

export type { ValueTest, Scalar } from './conditions/value-test.ts';
export { conditionSchema, conditionListSchema, valueTestSchema, validateCondition, validateValueTest } from './conditions/schema.ts';
export { bodyFieldGetter, keyGetter, fieldRefGetter, parseFieldRef, isMap, type FieldGetter, type ValueGetter } from './conditions/fields.ts';
export { compileLinearRegExp, type LinearRegExp } from './conditions/linear-regex.ts';

export interface Condition {
  severity_number?: ValueTest;
  severity_text?: ValueTest;
  body?: Record<string, ValueTest>;
  attributes?: Record<string, ValueTest>;
  resource?: Record<string, ValueTest>;
}

export type RecordPredicate = (record: LogRecord) => boolean;

/** Compiles a condition into a predicate. Throws on a malformed condition (validate first). */
export function compileCondition(condition: Condition): RecordPredicate {
  const tests: RecordPredicate[] = [];
  for (const [key, spec] of Object.entries(condition) as [keyof Condition, unknown][]) {
    switch (key) {
      case 'severity_number': {
        const test = compileValueTest(spec as ValueTest);
        tests.push((r) => test(r.severity_number));
        break;
      }
      case 'severity_text': {
        const test = compileValueTest(spec as ValueTest);
        tests.push((r) => test(r.severity_text));
        break;
      }
      case 'body':
        for (const [field, valueTest] of Object.entries(spec as Record<string, ValueTest>)) {
          const get = bodyFieldGetter(field);
          const test = compileValueTest(valueTest);
          tests.push((r) => test(get(r.body)));
        }
        break;
      case 'attributes':
        for (const [field, valueTest] of Object.entries(spec as Record<string, ValueTest>)) {
          const get = keyGetter(field);
          const test = compileValueTest(valueTest);
          tests.push((r) => test(get(r.attributes)));
        }
        break;
      case 'resource':
        for (const [field, valueTest] of Object.entries(spec as Record<string, ValueTest>)) {
          const get = keyGetter(field);
          const test = compileValueTest(valueTest);
          tests.push((r) => test(get(r.resource)));
        }
        break;
      default:
        throw new Error(`unknown condition key "${String(key)}"`);
    }
  }
  return allOf(tests);
}

/** Compiles a list of conditions into a predicate that holds when any of them holds. */
export function compileAnyCondition(conditions: readonly Condition[]): RecordPredicate {
  const predicates = conditions.map(compileCondition);
  if (predicates.length === 0) return () => false;
  if (predicates.length === 1) return predicates[0]!;
  return (r) => {
    for (const p of predicates) if (p(r)) return true;
    return false;
  };
}

function allOf(tests: RecordPredicate[]): RecordPredicate {
  switch (tests.length) {
    case 0: return () => true;
    case 1: return tests[0]!;
    case 2: {
      const [a, b] = tests as [RecordPredicate, RecordPredicate];
      return (r) => a(r) && b(r);
    }
    default:
      return (r) => {
        for (const t of tests) if (!t(r)) return false;
        return true;
      };
  }
}

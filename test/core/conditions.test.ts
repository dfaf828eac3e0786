import { describe, expect, it } from 'vitest';
import {
  compileAnyCondition, compileCondition, conditionSchema, fieldRefGetter, parseFieldRef, validateCondition, type Condition,
} from '../../src/core/conditions.ts';
import { compileSchema, describeAjvError } from '../../src/config/ajv.ts';
import type { LogRecord } from '../../src/core/record.ts';
import { compileLinearRegExp, tryFastPath } from '../../src/core/conditions/linear-regex.ts';
import RE2 from 're2';

const holds = (condition: Condition, record: LogRecord): boolean => compileCondition(condition)(record);

describe('conditions: value tests', () => {
  it('a scalar is equality of the same type', () => {
    const r: LogRecord = { attributes: { status: 500, code: '500', ok: true, none: null } };
    expect(holds({ attributes: { status: 500 } }, r)).toBe(true);
    expect(holds({ attributes: { status: '500' } }, r)).toBe(false);
    expect(holds({ attributes: { code: '500' } }, r)).toBe(true);
    expect(holds({ attributes: { ok: true } }, r)).toBe(true);
    expect(holds({ attributes: { ok: false } }, r)).toBe(false);
    expect(holds({ attributes: { none: null } }, r)).toBe(true);
    expect(holds({ attributes: { missing: null } }, r)).toBe(false);
  });

  it('a list holds when the value equals any item (short and long lists)', () => {
    const short: Condition = { attributes: { 'event.category': ['authentication', 'authorization', 'admin'] } };
    const long: Condition = { attributes: { n: Array.from({ length: 50 }, (_, i) => i) } };
    expect(holds(short, { attributes: { 'event.category': 'admin' } })).toBe(true);
    expect(holds(short, { attributes: { 'event.category': 'export' } })).toBe(false);
    expect(holds(short, {})).toBe(false);
    expect(holds(long, { attributes: { n: 49 } })).toBe(true);
    expect(holds(long, { attributes: { n: 50 } })).toBe(false);
    expect(holds(long, { attributes: { n: '49' } })).toBe(false);
  });

  it('comparisons take numbers and decimal strings, and nothing else', () => {
    const gte: Condition = { severity_number: { gte: 13 } };
    expect(holds(gte, { severity_number: 13 })).toBe(true);
    expect(holds(gte, { severity_number: 12 })).toBe(false);
    expect(holds(gte, {})).toBe(false);
    expect(holds({ body: { ms: { gt: 100 } } }, { body: { ms: '100.5' } })).toBe(true);
    expect(holds({ body: { ms: { gt: 100 } } }, { body: { ms: '100' } })).toBe(false);
    expect(holds({ body: { ms: { lt: 0 } } }, { body: { ms: '-1e3' } })).toBe(true);
    expect(holds({ body: { ms: { lte: 5 } } }, { body: { ms: 5 } })).toBe(true);
    expect(holds({ body: { ms: { lte: 5 } } }, { body: { ms: 'five' } })).toBe(false);
    expect(holds({ body: { ms: { gte: 0 } } }, { body: { ms: true } })).toBe(false);
    expect(holds({ body: { ms: { gte: 0 } } }, { body: { ms: [1] } })).toBe(false);
  });

  it('exists tests presence; a JSON null is present', () => {
    expect(holds({ attributes: { a: { exists: true } } }, { attributes: { a: null } })).toBe(true);
    expect(holds({ attributes: { a: { exists: true } } }, { attributes: {} })).toBe(false);
    expect(holds({ attributes: { a: { exists: false } } }, {})).toBe(true);
    expect(holds({ attributes: { a: { exists: false } } }, { attributes: { a: 0 } })).toBe(false);
  });

  it('matches searches text with RE2, numbers as their text, never objects', () => {
    const c: Condition = { body: { path: { matches: '^/admin/' } } };
    expect(holds(c, { body: { path: '/admin/users' } })).toBe(true);
    expect(holds(c, { body: { path: '/api/admin/' } })).toBe(false);
    expect(holds({ body: { msg: { matches: 'denied' } } }, { body: { msg: 'access denied for x' } })).toBe(true);
    expect(holds({ body: { code: { matches: '^5\\d\\d$' } } }, { body: { code: 503 } })).toBe(true);
    expect(holds({ body: { o: { matches: '.' } } }, { body: { o: { a: 1 } } })).toBe(false);
    expect(holds({ severity_text: { matches: '(?i)^warn' } }, { severity_text: 'WARNING' })).toBe(true);
  });

  it('matches runs in linear time on input that makes backtracking engines explode', () => {
    const c = compileCondition({ body: { s: { matches: '^(a+)+$' } } });
    const hostile = 'a'.repeat(100_000) + '!';
    const started = performance.now();
    expect(c({ body: { s: hostile } })).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('conditions: field lookup', () => {
  it('attribute and resource keys are looked up as they stand, never as paths', () => {
    expect(holds({ attributes: { 'event.category': 'admin' } }, { attributes: { 'event.category': 'admin' } })).toBe(true);
    expect(holds({ attributes: { 'event.category': 'admin' } }, { attributes: { event: { category: 'admin' } } })).toBe(false);
    expect(holds({ resource: { 'service.name': 'api' } }, { resource: { 'service.name': 'api' } })).toBe(true);
    expect(holds({ resource: { 'service.name': 'api' } }, { attributes: { 'service.name': 'api' } })).toBe(false);
  });

  it('body names are a key first, then a dotted path', () => {
    const c: Condition = { body: { 'event.kind': 'audit' } };
    expect(holds(c, { body: { 'event.kind': 'audit' } })).toBe(true);
    expect(holds(c, { body: { event: { kind: 'audit' } } })).toBe(true);
    expect(holds(c, { body: { event: { kind: 'other' } } })).toBe(false);
    // The key as it stands wins over the path.
    expect(holds(c, { body: { 'event.kind': 'other', event: { kind: 'audit' } } })).toBe(false);
    // At each level the rest of the name is tried as one key.
    expect(holds({ body: { 'http.request.id': 'r1' } }, { body: { http: { 'request.id': 'r1' } } })).toBe(true);
    expect(holds({ body: { 'a.b.c': 1 } }, { body: { a: { b: { c: 1 } } } })).toBe(true);
    // Array indexes.
    expect(holds({ body: { 'items.1.id': 'b' } }, { body: { items: [{ id: 'a' }, { id: 'b' }] } })).toBe(true);
    expect(holds({ body: { 'items.2.id': { exists: true } } }, { body: { items: [{ id: 'a' }] } })).toBe(false);
  });

  it('a text body has no fields', () => {
    expect(holds({ body: { 'event.kind': { exists: true } } }, { body: 'event.kind=audit' })).toBe(false);
    expect(holds({ body: { 'event.kind': { exists: false } } }, { body: 'event.kind=audit' })).toBe(true);
  });

  it('inherited properties are not fields', () => {
    expect(holds({ attributes: { constructor: { exists: true } } }, { attributes: {} })).toBe(false);
    expect(holds({ body: { toString: { exists: true } } }, { body: {} })).toBe(false);
    expect(holds({ body: { 'a.constructor': { exists: true } } }, { body: { a: {} } })).toBe(false);
    expect(holds({ attributes: { constructor: 'x' } }, { attributes: { constructor: 'x' } })).toBe(true);
  });
});

describe('conditions: combining', () => {
  it('holds when all entries hold; {} holds for everything', () => {
    const c: Condition = { severity_number: { gte: 17 }, attributes: { a: 1 }, resource: { r: 'x' }, body: { b: true }, severity_text: 'ERROR' };
    const r: LogRecord = { severity_number: 17, severity_text: 'ERROR', attributes: { a: 1 }, resource: { r: 'x' }, body: { b: true } };
    expect(holds(c, r)).toBe(true);
    for (const broken of [{ severity_number: 9 }, { severity_text: 'WARN' }, { attributes: { a: 2 } }, { resource: {} }, { body: { b: false } }]) {
      expect(holds(c, { ...r, ...broken } as LogRecord)).toBe(false);
    }
    expect(holds({}, {})).toBe(true);
  });

  it('a list of conditions holds when any holds; an empty list never does', () => {
    const any = compileAnyCondition([{ severity_number: { gte: 13 } }, { attributes: { 'event.category': ['authentication', 'admin'] } }]);
    expect(any({ severity_number: 13 })).toBe(true);
    expect(any({ severity_number: 9, attributes: { 'event.category': 'admin' } })).toBe(true);
    expect(any({ severity_number: 9, attributes: { 'event.category': 'export' } })).toBe(false);
    expect(compileAnyCondition([])({})).toBe(false);
  });
});

describe('conditions: validation', () => {
  it('reports every problem at its path', () => {
    const issues = validateCondition({
      severity_number: { gte: 'high' },
      body: { a: { matches: '(unclosed' }, b: { gte: 1, lte: 2 }, c: [], d: { between: [1, 2] }, e: [{ x: 1 }] },
      attributes: 'nope',
      labels: {},
    }, ['keep', 0]);
    const byPath = Object.fromEntries(issues.map((i) => [i.path.join('.'), i.message]));
    expect(byPath['keep.0.severity_number.gte']).toBe('gte takes a number');
    expect(byPath['keep.0.body.a.matches']).toMatch(/invalid RE2 pattern: missing \)/);
    expect(byPath['keep.0.body.b']).toMatch(/exactly one operator/);
    expect(byPath['keep.0.body.c']).toMatch(/empty list/);
    expect(byPath['keep.0.body.d.between']).toMatch(/unknown operator "between"/);
    expect(byPath['keep.0.body.e.0']).toMatch(/list items/);
    expect(byPath['keep.0.attributes']).toMatch(/map of field name/);
    expect(byPath['keep.0.labels']).toMatch(/unknown key "labels"/);
    expect(issues).toHaveLength(8);
  });

  it('refuses RE2-incompatible (backtracking-only) syntax', () => {
    expect(validateCondition({ body: { a: { matches: '(?=x)' } } })[0]?.message).toMatch(/invalid RE2 pattern/);
    expect(validateCondition({ body: { a: { matches: '(a)\\1' } } })[0]?.message).toMatch(/invalid RE2 pattern/);
  });

  it('accepts the contract examples', () => {
    expect(validateCondition({ severity_number: { gte: 13 } })).toEqual([]);
    expect(validateCondition({ attributes: { 'event.category': ['authentication', 'authorization', 'admin'] } })).toEqual([]);
    expect(validateCondition({ body: { 'event.kind': 'audit' } })).toEqual([]);
  });

  it('conditionSchema accepts conditions and names what is wrong with bad ones', () => {
    const validate = compileSchema({ type: 'object', properties: { c: conditionSchema }, additionalProperties: false });
    expect(validate({ c: { severity_number: { gte: 13 }, body: { 'event.kind': 'audit', n: [1, 'a', null] }, attributes: { x: { exists: true } } } })).toBe(true);
    const messages = (value: unknown): string[] => {
      validate({ c: value });
      return (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => {
        const d = describeAjvError(e);
        return `${d.path.join('.')}: ${d.message}`;
      });
    };
    expect(messages({ severity: 1 })).toContain('c.severity: unknown key "severity"');
    expect(messages({ body: { a: { gtee: 1 } } })).toContain('c.body.a.gtee: unknown key "gtee"');
    expect(messages({ body: { a: { gte: 'x' } } })).toContain('c.body.a.gte: must be number');
    expect(messages({ body: { a: { gte: 1, lt: 2 } } }).join()).toMatch(/c\.body\.a: must NOT have more than 1 properties/);
    expect(messages({ body: { a: [] } }).join()).toMatch(/c\.body\.a: must NOT have fewer than 1 items/);
  });
});

describe('field references', () => {
  it('parses scopes and reads values', () => {
    const r: LogRecord = { attributes: { 'session.id': 's1' }, resource: { 'service.name': 'api' }, body: { user: { id: 7 } }, severity_text: 'INFO', trace_id: 't' };
    expect(fieldRefGetter('attributes.session.id')(r)).toBe('s1');
    expect(fieldRefGetter('resource.service.name')(r)).toBe('api');
    expect(fieldRefGetter('body.user.id')(r)).toBe(7);
    expect(fieldRefGetter('body')(r)).toEqual({ user: { id: 7 } });
    expect(fieldRefGetter('severity_text')(r)).toBe('INFO');
    expect(fieldRefGetter('trace_id')(r)).toBe('t');
    expect(parseFieldRef('labels.x')).toHaveProperty('error');
    expect(parseFieldRef('attributes')).toHaveProperty('error');
  });
});

describe('linear regexes (V8 when provably linear, else RE2)', () => {
  const TIMESTAMP = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$';
  const ACTION = '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$';

  it.each([
    '^[0-9a-f]{32}$', TIMESTAMP, ACTION, 'denied|refused', '^/admin/', 'foo|foobar', '^5\\d\\d$', 'a.c', '^\\s*key\\s*=', '[^,]{1,20},x',
    '^(?:GET|POST) /api/v[12]/', '^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$', '^(ab|a)c$', 'x{2,1000}', '^[^@\\s]+@[^@\\s]+$',
  ])('runs %s on V8', (pattern) => {
    expect(compileLinearRegExp(pattern).engine).toBe('v8');
  });

  it.each([
    '^(a+)+$', '^(a|a)*$', '^(a|ab)*c$', '^\\d*\\d*$', 'a*b', '.*x', '^(a|b|ab)+$', '^[a-z]*[a-z]$', '(?i)abc', '\\bword\\b',
    'a*?', '[[:alpha:]]+', '^\\pL+$', '^(a?)*$', '^\\S+@\\S+$', 'x{2,}', '^a{0,3}a{0,3}a{0,3}a{0,3}a{0,3}a{0,3}a{0,3}b',
  ])('runs %s on RE2', (pattern) => {
    expect(compileLinearRegExp(pattern).engine).toBe('re2');
  });

  it('refuses what RE2 refuses', () => {
    expect(() => compileLinearRegExp('(a)\\1')).toThrow();
    expect(() => compileLinearRegExp('(?=a)')).toThrow();
    expect(() => compileLinearRegExp('a{2')).not.toThrow(); // a literal in RE2: runs on RE2
    expect(compileLinearRegExp('a{2').engine).toBe('re2');
  });

  it('gives the same answers as RE2 on every input (random strings over a tricky alphabet)', () => {
    const alphabet = ['a', 'b', 'c', 'x', 'Z', '0', '5', '9', '.', '-', '_', '/', ' ', '\t', '\r', '\n', '\u00a0', '\u2028', 'é', '😀', ',', '=', '@', 'T', ':'];
    let s = 12345;
    const rand = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s % n; };
    const inputs = Array.from({ length: 400 }, () => Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join(''));
    inputs.push('2026-11-22T10:00:00.123Z', 'user.login', 'a.b.c', 'ab', 'foobar', '500', 'x@y', 'GET /api/v1/x', 'key = 1');
    const patterns = [
      TIMESTAMP, ACTION, 'a.c', '^.$', '\\s', '^\\S+$', '\\w\\W', '[^a]', '[a-c-]', '^[\\d.]+$', 'foo|foobar', '^(?:a|b)?c', '\\x41|\\x2e',
      '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$', '(ab){2}', 'é|😀', '[😀-😂]', '^$', '', '\\.', '[.]', 'a\\-b', '^[^@\\s]+@[^@\\s]+$', '^(?:GET|POST) /api/v[12]/', '^(ab|a)c$',
    ];
    for (const pattern of patterns) {
      const fast = tryFastPath(pattern);
      expect(fast, pattern).toBeDefined();
      const re2 = new RE2(pattern, 'u');
      for (const input of inputs) expect(fast!.test(input), `${pattern} on ${JSON.stringify(input)}`).toBe(re2.test(input));
    }
  });

  it('V8-run patterns stay fast on adversarial input', () => {
    const cases: [string, string][] = [
      [ACTION, 'a'.repeat(200_000) + '!'],
      [ACTION, 'a.'.repeat(100_000) + '!'],
      [TIMESTAMP, '2026-11-22T10:00:00.' + '1'.repeat(200_000)],
      ['foo|foobar', 'fo'.repeat(200_000)],
      ['^[^@\\s]+@[^@\\s]+$', 'a'.repeat(200_000) + ' @'],
      ['x{2,1000}', 'x'.repeat(999) + 'y' + 'x'.repeat(200_000)],
    ];
    for (const [pattern, input] of cases) {
      const re = compileLinearRegExp(pattern);
      expect(re.engine).toBe('v8');
      const started = performance.now();
      re.test(input);
      expect(performance.now() - started, pattern).toBeLessThan(500);
    }
  });
});

/**
 * Linear-time regular expressions without paying RE2's native-call cost on every test.
 *
 * Every user pattern (conditions' `matches`, JSON Schema `pattern` keywords) must run in
 * linear time on untrusted input; RE2 guarantees that, but each call crosses into C++ and
 * copies the string as UTF-8 (about 1-2 µs), which dominates a schema check. So a pattern
 * is parsed here, and if it is in a subset whose behaviour under V8's backtracking engine
 * is provably linear, it runs on V8; anything else runs on RE2. The answer is the same
 * either way.
 *
 * Same answer: the subset is literal characters, `.`, classes with ranges, `\d \w \s` (and
 * negations), `\t \n \r \f \v \xHH`, escaped punctuation, groups `(...)`/`(?:...)`,
 * alternation, greedy quantifiers `? * + {n} {n,} {n,m}`, and `^`/`$` at the very start/end.
 * The V8 pattern is not the user's text but is re-emitted from the parse with explicit
 * code-point classes (`.` = any but \n, `\s` = [\t\n\f\r ] as in RE2), so the two engines
 * cannot disagree on what a construct means. Anything else (flags, lookaround,
 * backreferences, POSIX classes, lazy quantifiers, `\b`, `\p{..}`) goes to RE2.
 *
 * Linear: a pattern runs on V8 when either
 *  (a) it is deterministic (at every choice point, an alternation or a quantifier's
 *      "again or stop", the next character decides: the options' FIRST sets, extended by
 *      FOLLOW for options that match empty, are disjoint) and it is anchored with `^` or
 *      its longest match is bounded. Then backtracking re-enters each choice point at most
 *      once and fails there after one character, so one attempt is O(n·m) and, anchored,
 *      there is one attempt (bounded: each attempt is O(L·m));
 *  (b) or it has no unbounded quantifier and its number of distinct paths times its
 *      longest match is at most 4096, which bounds the work per start position.
 * Examples that go to RE2: `^(a+)+$`, `^(a|ab)*c$`, `^\d*\d*$`, unanchored `a*b`.
 */
import RE2 from 're2';

export interface LinearRegExp {
  test(text: string): boolean;
  /** Which engine runs it: 'v8' when proven linear there, else 're2'. */
  readonly engine: 'v8' | 're2';
  readonly source: string;
  /** The pattern; ajv keys its compiled patterns by this, so it must tell patterns apart. */
  toString(): string;
}

/**
 * Compiles a pattern (RE2 syntax, no flags) into a linear-time matcher; throws with RE2's
 * message when the pattern is invalid.
 */
export function compileLinearRegExp(pattern: string): LinearRegExp {
  const re2 = new RE2(pattern, 'u'); // validates the pattern, and is the fallback
  const js = tryFastPath(pattern);
  const toString = () => `/${pattern}/`;
  if (js) return { test: (s) => js.test(s), engine: 'v8', source: pattern, toString };
  return { test: (s) => re2.test(s), engine: 're2', source: pattern, toString };
}

/** The V8 RegExp for a pattern proven linear in the subset, or undefined. */
export function tryFastPath(pattern: string): RegExp | undefined {
  if (pattern.length > 2048) return undefined;
  let ast: Node;
  try {
    ast = new Parser(pattern).parse();
  } catch {
    return undefined;
  }
  if (!anchorsOnlyAtEnds(ast)) return undefined;
  const items = ast.t === 'seq' ? ast.items : [ast];
  const anchoredStart = items[0]?.t === 'bol';
  const facts = measure(ast);
  const bounded = facts.maxLen <= 1024;
  const linear = (deterministic(ast, EMPTY) && (anchoredStart || bounded)) || (bounded && facts.paths * Math.max(1, facts.maxLen) <= 4096);
  if (!linear) return undefined;
  try {
    return new RegExp(emit(ast), 'u');
  } catch {
    return undefined;
  }
}

// ---- character sets: sorted, merged, inclusive code-point ranges --------------------------

type Ranges = [number, number][];
const MAX_CP = 0x10ffff;
const EMPTY: Ranges = [];

function normalize(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function negate(ranges: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

function union(a: Ranges, b: Ranges): Ranges {
  return a.length === 0 ? b : b.length === 0 ? a : normalize([...a, ...b]);
}

function intersects(a: Ranges, b: Ranges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x[1] < y[0]) i++;
    else if (y[1] < x[0]) j++;
    else return true;
  }
  return false;
}

const DIGIT: Ranges = [[48, 57]];
const WORD: Ranges = normalize([[48, 57], [65, 90], [95, 95], [97, 122]]);
const SPACE: Ranges = normalize([[9, 10], [12, 13], [32, 32]]); // RE2's \s: [\t\n\f\r ]
const NOT_NEWLINE: Ranges = negate([[10, 10]]); // RE2's `.` without the s flag

// ---- parse ---------------------------------------------------------------------------

type Node =
  | { t: 'set'; ranges: Ranges }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'rep'; min: number; max: number; item: Node }
  | { t: 'bol' }
  | { t: 'eol' };

class Unsupported extends Error {}

class Parser {
  private readonly cps: number[];
  private i = 0;

  constructor(pattern: string) {
    this.cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  }

  parse(): Node {
    const node = this.alt();
    if (this.i !== this.cps.length) throw new Unsupported();
    return node;
  }

  private peek(offset = 0): number | undefined {
    return this.cps[this.i + offset];
  }

  private alt(): Node {
    const options = [this.seq()];
    while (this.peek() === 0x7c /* | */) {
      this.i++;
      options.push(this.seq());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private seq(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== 0x7c && c !== 0x29 /* ) */; c = this.peek()) {
      items.push(this.quantified(this.atom()));
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  private atom(): Node {
    const c = this.cps[this.i++]!;
    switch (c) {
      case 0x28: { // (
        if (this.peek() === 0x3f /* ? */) {
          if (this.peek(1) !== 0x3a /* : */) throw new Unsupported();
          this.i += 2;
        }
        const inner = this.alt();
        if (this.cps[this.i++] !== 0x29) throw new Unsupported();
        return inner;
      }
      case 0x5b: return { t: 'set', ranges: this.charClass() }; // [
      case 0x5c: return { t: 'set', ranges: this.escape(false) }; // backslash
      case 0x2e: return { t: 'set', ranges: NOT_NEWLINE }; // .
      case 0x5e: return { t: 'bol' }; // ^
      case 0x24: return { t: 'eol' }; // $
      case 0x2a: case 0x2b: case 0x3f: case 0x7b: case 0x7d: case 0x5d: case 0x29:
        throw new Unsupported(); // * + ? { } ] ) where an atom belongs
      default:
        return { t: 'set', ranges: [[c, c]] };
    }
  }

  private quantified(item: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === 0x2a) { min = 0; max = Infinity; this.i++; }
    else if (c === 0x2b) { min = 1; max = Infinity; this.i++; }
    else if (c === 0x3f) { min = 0; max = 1; this.i++; }
    else if (c === 0x7b) {
      this.i++;
      min = this.number();
      max = min;
      if (this.peek() === 0x2c /* , */) {
        this.i++;
        max = this.peek() === 0x7d ? Infinity : this.number();
      }
      if (this.cps[this.i++] !== 0x7d || max < min || min > 1000 || (max !== Infinity && max > 1000)) throw new Unsupported();
    } else {
      return item;
    }
    const after = this.peek();
    // Lazy and possessive quantifiers, stacked quantifiers, quantified anchors: not in the subset.
    if (after === 0x3f || after === 0x2b || after === 0x2a || after === 0x7b) throw new Unsupported();
    if (item.t === 'bol' || item.t === 'eol') throw new Unsupported();
    return { t: 'rep', min, max, item };
  }

  private number(): number {
    let digits = '';
    for (let c = this.peek(); c !== undefined && c >= 48 && c <= 57; c = this.peek()) {
      digits += String.fromCharCode(c);
      this.i++;
    }
    if (digits === '' || digits.length > 4) throw new Unsupported();
    return Number(digits);
  }

  /** After a backslash; inside a class, negated shorthands are not in the subset. */
  private escape(inClass: boolean): Ranges {
    const c = this.cps[this.i++];
    if (c === undefined) throw new Unsupported();
    switch (c) {
      case 0x64: return DIGIT; // d
      case 0x77: return WORD; // w
      case 0x73: return SPACE; // s
      case 0x44: case 0x57: case 0x53: // D W S
        if (inClass) throw new Unsupported();
        return negate(c === 0x44 ? DIGIT : c === 0x57 ? WORD : SPACE);
      case 0x74: return [[9, 9]]; // t
      case 0x6e: return [[10, 10]]; // n
      case 0x72: return [[13, 13]]; // r
      case 0x66: return [[12, 12]]; // f
      case 0x76: return [[11, 11]]; // v
      case 0x78: { // xHH
        const h = String.fromCodePoint(this.cps[this.i] ?? 0x20, this.cps[this.i + 1] ?? 0x20);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Unsupported();
        this.i += 2;
        const v = parseInt(h, 16);
        return [[v, v]];
      }
      default:
        // Escaped ASCII punctuation is that character in both engines.
        if (c < 128 && !/[0-9A-Za-z]/.test(String.fromCharCode(c))) return [[c, c]];
        throw new Unsupported();
    }
  }

  /** After `[`: a class of single characters, ranges and \d \w \s. */
  private charClass(): Ranges {
    let negated = false;
    if (this.peek() === 0x5e) { negated = true; this.i++; }
    // RE2 reads `[]a]` as "] or a", JavaScript as an empty class: keep out of the subset.
    if (this.peek() === 0x5d) throw new Unsupported();
    const ranges: Ranges = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new Unsupported();
      if (c === 0x5d) { this.i++; break; }
      const lo = this.classAtom();
      if (this.peek() === 0x2d /* - */ && this.peek(1) !== 0x5d && this.peek(1) !== undefined) {
        this.i++;
        const hi = this.classAtom();
        if (lo.length !== 1 || hi.length !== 1 || lo[0]![0] !== lo[0]![1] || hi[0]![0] !== hi[0]![1] || lo[0]![0] > hi[0]![0]) throw new Unsupported();
        ranges.push([lo[0]![0], hi[0]![0]]);
      } else {
        ranges.push(...lo);
      }
    }
    const set = normalize(ranges);
    return negated ? negate(set) : set;
  }

  private classAtom(): Ranges {
    const c = this.cps[this.i++]!;
    if (c === 0x5c) return this.escape(true);
    if (c === 0x5b) throw new Unsupported(); // POSIX [:alpha:] and nested classes
    return [[c, c]];
  }
}

function anchorsOnlyAtEnds(root: Node): boolean {
  const items = root.t === 'seq' ? root.items : [root];
  const inner = (n: Node): boolean => {
    switch (n.t) {
      case 'bol': case 'eol': return false;
      case 'set': return true;
      case 'seq': return n.items.every(inner);
      case 'alt': return n.options.every(inner);
      case 'rep': return inner(n.item);
    }
  };
  return items.every((n, i) => (n.t === 'bol' ? i === 0 : n.t === 'eol' ? i === items.length - 1 : inner(n)));
}

// ---- analysis ------------------------------------------------------------------------

interface Facts {
  nullable: boolean;
  first: Ranges;
  maxLen: number;
  /** Distinct ways through the pattern (capped); Infinity with an unbounded quantifier. */
  paths: number;
}

const CAP = 1e9;

function measure(n: Node): Facts {
  switch (n.t) {
    case 'bol': case 'eol': return { nullable: true, first: EMPTY, maxLen: 0, paths: 1 };
    case 'set': return { nullable: false, first: n.ranges, maxLen: 1, paths: 1 };
    case 'seq': {
      let nullable = true;
      let first: Ranges = EMPTY;
      let maxLen = 0;
      let paths = 1;
      for (const item of n.items) {
        const f = measure(item);
        if (nullable) first = union(first, f.first);
        nullable &&= f.nullable;
        maxLen += f.maxLen;
        paths = Math.min(CAP, paths * f.paths);
      }
      return { nullable, first, maxLen, paths };
    }
    case 'alt': {
      const fs = n.options.map(measure);
      return {
        nullable: fs.some((f) => f.nullable),
        first: fs.reduce<Ranges>((acc, f) => union(acc, f.first), EMPTY),
        maxLen: Math.max(...fs.map((f) => f.maxLen)),
        paths: Math.min(CAP, fs.reduce((a, f) => a + f.paths, 0)),
      };
    }
    case 'rep': {
      const f = measure(n.item);
      let paths = 0;
      if (n.max === Infinity) paths = Infinity;
      else for (let k = n.min, p = Math.min(CAP, f.paths ** n.min); k <= n.max && paths < CAP; k++, p = Math.min(CAP, p * f.paths)) paths += p;
      return { nullable: n.min === 0 || f.nullable, first: f.first, maxLen: n.max === Infinity ? Infinity : f.maxLen * n.max, paths };
    }
  }
}

/** True when every choice point in `n` is decided by the next character (LL(1)). */
function deterministic(n: Node, follow: Ranges): boolean {
  switch (n.t) {
    case 'bol': case 'eol': case 'set': return true;
    case 'seq': {
      // Walk right to left, carrying what may come after each item.
      let after = follow;
      for (let i = n.items.length - 1; i >= 0; i--) {
        const item = n.items[i]!;
        if (!deterministic(item, after)) return false;
        const f = measure(item);
        after = f.nullable ? union(f.first, after) : f.first;
      }
      return true;
    }
    case 'alt': {
      const lookahead = n.options.map((o) => {
        const f = measure(o);
        return f.nullable ? union(f.first, follow) : f.first;
      });
      if (n.options.filter((o) => measure(o).nullable).length > 1) return false;
      for (let i = 0; i < lookahead.length; i++) {
        for (let j = i + 1; j < lookahead.length; j++) if (intersects(lookahead[i]!, lookahead[j]!)) return false;
      }
      return n.options.every((o) => deterministic(o, follow));
    }
    case 'rep': {
      const f = measure(n.item);
      const choice = n.max > n.min;
      if (choice && (f.nullable || intersects(f.first, follow))) return false;
      const inner = n.max > 1 ? union(f.first, follow) : follow;
      return deterministic(n.item, inner);
    }
  }
}

// ---- emit ----------------------------------------------------------------------------

function emit(n: Node): string {
  switch (n.t) {
    case 'bol': return '^';
    case 'eol': return '$';
    case 'set': return emitSet(n.ranges);
    case 'seq': return n.items.map(emit).join('');
    case 'alt': return `(?:${n.options.map(emit).join('|')})`;
    case 'rep': {
      const q = n.min === 0 && n.max === Infinity ? '*' : n.min === 1 && n.max === Infinity ? '+' : n.min === 0 && n.max === 1 ? '?'
        : n.max === Infinity ? `{${n.min},}` : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
      return `(?:${emit(n.item)})${q}`;
    }
  }
}

function emitSet(ranges: Ranges): string {
  if (ranges.length === 0) return '[^\\u{0}-\\u{10FFFF}]';
  const cp = (c: number) => `\\u{${c.toString(16)}}`;
  return `[${ranges.map(([lo, hi]) => (lo === hi ? cp(lo) : `${cp(lo)}-${cp(hi)}`)).join('')}]`;
}

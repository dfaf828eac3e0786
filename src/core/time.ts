/**
 * Nanosecond timestamps. JavaScript dates hold milliseconds, so the agent keeps time as
 * bigint nanoseconds since the Unix epoch and formats RFC 3339 with nine fraction digits.
 */

const startWallNs = BigInt(Date.now()) * 1_000_000n;
const startHr = process.hrtime.bigint();

/** Wall-clock time in nanoseconds, monotonic within the process. */
export function nowNanos(): bigint {
  return startWallNs + (process.hrtime.bigint() - startHr);
}

/** Formats nanoseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`. */
export function formatNanos(ns: bigint): string {
  let secs = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    secs -= 1n;
  }
  const iso = new Date(Number(secs) * 1000).toISOString();
  return iso.slice(0, 19) + '.' + frac.toString().padStart(9, '0') + 'Z';
}

/** Current time as the contract's timestamp string. */
export function nowTimestamp(): string {
  return formatNanos(nowNanos());
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:\d*)([Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * Parses an RFC 3339 / ISO 8601 timestamp into nanoseconds, keeping every fraction digit
 * up to nanoseconds. Returns undefined when the text is not a timestamp.
 */
export function parseTimestampNanos(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const base = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone === 'z' ? 'Z' : zone!.length === 5 ? zone!.slice(0, 3) + ':' + zone!.slice(3) : zone}`);
  if (Number.isNaN(base)) return undefined;
  return BigInt(base) * 1_000_000n + BigInt(frac.padEnd(9, '0'));
}

/** Normalises any parseable timestamp text to the contract's UTC nanosecond form. */
export function normalizeTimestamp(text: string): string | undefined {
  const ns = parseTimestampNanos(text);
  return ns === undefined ? undefined : formatNanos(ns);
}

/**
 * The consistent sampling decision, the same arithmetic as the OpenTelemetry Collector's
 * probabilistic sampler in `hash_seed` mode:
 *   bucket = FNV-1a-32(seed as 4 little-endian bytes ++ the 16 trace-id bytes) & 0x3fff
 *   keep  <=> bucket < threshold,  threshold = uint32(float32(percent) * float32(163.84))
 * with percent = 100 × ratio. A trace's fate depends only on (trace id, seed, ratio), so
 * every record of a trace is kept or dropped together on every node, and a Collector with
 * `hash_seed: <seed>` and `sampling_percentage: <100 × ratio>` keeps the same traces.
 * The precision is 14 bits: ratios are steps of 1/16384.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
export const BUCKETS = 0x4000;
const BUCKET_MASK = BUCKETS - 1;

/** Hex digit values; 255 marks a non-hex character. */
const HEX = new Uint8Array(128).fill(255);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[97 + i] = 10 + i;
  HEX[65 + i] = 10 + i;
}

/** FNV-1a state after the seed's four bytes: shared by every decision of one sampler. */
export function seedState(seed: number): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < 4; i++) {
    h ^= (seed >>> (8 * i)) & 0xff;
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** The threshold a bucket must stay below to be kept, computed as the Collector does. */
export function thresholdFor(ratio: number): number {
  const percent = Math.fround(Math.min(ratio, 1) * 100);
  return Math.min(BUCKETS, Math.floor(Math.fround(percent * Math.fround(163.84))));
}

/** The 14-bit bucket of a hex trace id, or -1 when it is not 32 hex digits. */
export function traceBucket(state: number, traceId: string): number {
  if (traceId.length !== 32) return -1;
  let h = state;
  for (let i = 0; i < 32; i += 2) {
    const hi = HEX[traceId.charCodeAt(i)] ?? 255;
    const lo = HEX[traceId.charCodeAt(i + 1)] ?? 255;
    if ((hi | lo) > 15) return -1;
    h ^= (hi << 4) | lo;
    h = Math.imul(h, FNV_PRIME);
  }
  return h & BUCKET_MASK;
}

/** The 14-bit bucket of a field value: FNV-1a over its UTF-8 bytes (numbers and booleans as text). */
export function valueBucket(state: number, value: unknown): number {
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  let h = state;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return bytesBucket(h, Buffer.from(text.slice(i), 'utf8'));
    h ^= c;
    h = Math.imul(h, FNV_PRIME);
  }
  return h & BUCKET_MASK;
}

function bytesBucket(state: number, bytes: Uint8Array): number {
  let h = state;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, FNV_PRIME);
  }
  return h & BUCKET_MASK;
}

/** A small seeded generator (mulberry32) for records with nothing to hash: [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A few thousand fuzz cases per run (bench/otlp/fuzz.ts runs 100,000+ as a soak). */
import { describe, expect, it } from 'vitest';
import { runFuzz } from './fuzz.ts';

describe('otlp decoders under fuzzing', () => {
  it('never crash on 3,000 random and mutated payloads, and decode some of them', () => {
    const stats = runFuzz(3000, Number(process.env.CUSTODY_FUZZ_SEED ?? 1));
    expect(stats.cases).toBe(3000);
    // The mix must exercise both outcomes, or the fuzzer is not reaching the decoders.
    expect(stats.invalid).toBeGreaterThan(500);
    expect(stats.decoded).toBeGreaterThan(200);
    expect(stats.records).toBeGreaterThan(200);
  });
});

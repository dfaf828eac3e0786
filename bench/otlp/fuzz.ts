/**
 * Soak fuzz of the OTLP decoders (outside npm test): 200,000 cases by default.
 *   node bench/otlp/fuzz.ts [cases] [seed]
 * Exits 1 on the first finding, printing the case's seed so it reproduces.
 */
import { runFuzz } from '../../test/receivers/otlp/fuzz.ts';

const cases = Number(process.argv[2] ?? 200_000);
const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
const started = performance.now();
const chunk = 10_000;
const total = { cases: 0, decoded: 0, invalid: 0, records: 0, rejected: 0 };
try {
  for (let done = 0, part = 0; done < cases; done += chunk, part++) {
    const stats = runFuzz(Math.min(chunk, cases - done), seed * 1000 + part);
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += stats[k];
  }
} catch (error) {
  console.error(`FINDING after ${total.cases} cases (seed ${seed}):`, error);
  process.exit(1);
}
const seconds = (performance.now() - started) / 1000;
console.log(`otlp fuzz: ${total.cases} cases, seed ${seed}, ${seconds.toFixed(1)} s, no findings`);
console.log(`  decoded ${total.decoded} (records ${total.records}, rejected ${total.rejected}), refused as invalid ${total.invalid}`);

#!/usr/bin/env -S node --max-semi-space-size=8
// --max-semi-space-size=8: records wait for fsync and network acks long enough to survive a
// scavenge; with V8's default young generation (up to 64 MiB semi-spaces on big hosts) they are
// promoted and the old space balloons. 8 MiB measured fastest and smallest (bench/core.bench.ts:
// 224k records/s at 118 MiB RSS against 172k at 232 MiB with the default).
// custody's entry point. Node 24 runs the TypeScript sources directly (type stripping), so
// there is no build step between a clone and a running agent.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `custody needs Node.js 24 or later (this is ${process.version}). ` +
      'Run it through npm (npm start, npx custody) so the project\'s pinned Node 24 is used.\n',
  );
  process.exit(2);
}
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name === 'ExperimentalWarning' && /Type Stripping/i.test(w.message)) return;
  process.stderr.write(`${w.name}: ${w.message}\n`);
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

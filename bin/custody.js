#!/usr/bin/env node
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

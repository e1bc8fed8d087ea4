/**
 * What the build bundles into dist/bundle/sluice.cjs (scripts/bundle.mjs):
 * the embedding API, the executable's main, and what the bundle's loader
 * (main/load-bundle.ts) asks of the process.
 */
export * from './index.js';
export { main as runCli } from './main/cli.js';
export { commandsServed } from './server/stats.js';

#!/usr/bin/env node
// flowd: the runtime service that runs compiled flows. Runs the compiled JavaScript in dist/ (built
// by scripts/setup.sh) when dist/ was built from the sources there are now; otherwise the
// TypeScript sources through tsx (also when CONNECT_FROM_SOURCES=1).
import { distIsCurrent } from '../scripts/source-hash.mjs';
let main;
if (process.env.CONNECT_FROM_SOURCES !== '1' && distIsCurrent()) {
  ({ main } = await import('../dist/runtime/cli.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../runtime/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));

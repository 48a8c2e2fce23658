#!/usr/bin/env node
// flowc: the .flow compiler. Runs the compiled JavaScript in dist/ (built by scripts/setup.sh) when
// dist/ was built from the sources there are now; otherwise (or with CONNECT_FROM_SOURCES=1) the
// TypeScript sources through tsx.
import { distIsCurrent } from '../scripts/source-hash.mjs';
let main;
if (process.env.CONNECT_FROM_SOURCES !== '1' && distIsCurrent()) {
  ({ main } = await import('../dist/compiler/cli.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../compiler/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));

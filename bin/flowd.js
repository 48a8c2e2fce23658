#!/usr/bin/env node
// flowd: the runtime service that runs compiled flows. Sources are TypeScript, loaded through tsx.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../runtime/cli.ts');
process.exitCode = await main(process.argv.slice(2));

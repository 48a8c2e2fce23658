#!/usr/bin/env node
// flowc: the .flow compiler. Sources are TypeScript, loaded through tsx's ESM hooks.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../compiler/cli.ts');
process.exitCode = await main(process.argv.slice(2));

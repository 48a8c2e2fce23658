#!/usr/bin/env node
// flowd: the runtime service that runs compiled flows (runtime/cli.ts), from dist/ when it is current,
// else the sources (launch.js). `flowd demo` compiles the shipped flows, so it is no part of the
// runtime (which never imports the compiler): it runs examples/demo/cli.ts.
import { launch } from './launch.js';
await launch(process.argv[2] === 'demo' ? 'examples/demo/cli' : 'runtime/cli');

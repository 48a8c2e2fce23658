#!/usr/bin/env node
// flowd: the runtime service that runs compiled flows (runtime/cli.ts), from dist/ when it is current,
// else the sources (launch.js). `flowd demo` compiles the shipped flows, so it is no part of the
// runtime (which never imports the compiler): it runs examples/demo/cli.ts. `flowd serve` gets the
// visual designer's core (compiler/designer-backend.ts, loaded lazily on the first designer request)
// from here, for the console's designer API (runtime/console/routes/designer.ts).
import { launch } from './launch.js';
const cmd = process.argv[2];
await launch(cmd === 'demo' ? 'examples/demo/cli' : 'runtime/cli', cmd === 'serve' ? { designer: 'compiler/designer-backend' } : {});

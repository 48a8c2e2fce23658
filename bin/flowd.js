#!/usr/bin/env node
// flowd: the runtime service that runs compiled flows (runtime/cli.ts), from dist/ when it is current,
// else the sources (launch.js).
import { launch } from './launch.js';
await launch('runtime/cli');

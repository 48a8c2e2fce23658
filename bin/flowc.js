#!/usr/bin/env node
// flowc: the .flow compiler (compiler/cli.ts), from dist/ when it is current, else the sources (launch.js).
import { launch } from './launch.js';
await launch('compiler/cli');

/**
 * The folder of Connect's package.json: where the compiler finds the files it copies or seeds from
 * (runtime/contract.ts and runtime/builtins.ts into a build, the standard Sage Pro schemas for
 * introspect). The same whether the compiler runs from its sources or from the tsc output in dist/
 * (dist/ has no package.json of its own, so the first one above this file is the package's).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`flowc: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();

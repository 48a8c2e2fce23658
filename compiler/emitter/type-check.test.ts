/**
 * checkAndEmit (type-check.ts): the type-check of the emitted code catches a type error (with the
 * file, line, column and TS code), the JavaScript is an ES module for every .ts file (the build
 * folder is `"type": "module"`), and a remembered clean module is checked again as soon as it or a
 * file it imports changes. The cache lives in a temp folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAndEmit } from './type-check.js';

const saved = process.env.CONNECT_CACHE_DIR;
let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-typecheck-')); process.env.CONNECT_CACHE_DIR = tmp; });
afterAll(() => { if (saved === undefined) delete process.env.CONNECT_CACHE_DIR; else process.env.CONNECT_CACHE_DIR = saved; fs.rmSync(tmp, { recursive: true, force: true }); });

const files = new Map<string, string>([
  ['runtime/lib.ts', 'export interface Row { readonly n: number }\nexport function twice(r: Row): number { return r.n * 2; }\n'],
  ['Flow.ts', "import { twice, type Row } from './runtime/lib.js';\nexport const meta = { name: 'Flow' } as const;\nexport function run(r: Row): number { return twice(r) + 1; }\n"],
]);

describe('checkAndEmit', () => {
  it('clean code: no type errors, ES module JavaScript for every .ts file', () => {
    const r = checkAndEmit(files, { typeCheck: true, emitJs: true });
    expect(r.typeErrors).toEqual([]);
    expect([...r.js.keys()].sort()).toEqual(['Flow.js', 'runtime/lib.js']);
    const js = r.js.get('Flow.js')!;
    expect(js).toMatch(/^import \{ twice \} from '\.\/runtime\/lib\.js';$/m);
    expect(js).toMatch(/^export function run\(r\) \{/m);
    expect(js).not.toMatch(/require\(|exports\.|use strict/);
    // The same JavaScript from transpileModule (no program: typeCheck off, nothing remembered).
    expect(checkAndEmit(files, { typeCheck: false, emitJs: true, cache: false }).js).toEqual(r.js);
  });

  it('a type error in emitted code is reported with file, line, column and code', () => {
    const bad = new Map(files);
    bad.set('Flow.ts', files.get('Flow.ts')!.replace('return twice(r) + 1;', 'const s: string = twice(r); return s;'));
    const r = checkAndEmit(bad, { typeCheck: true, emitJs: false });
    expect(r.typeErrors).toEqual([
      "Flow.ts:3:45: TS2322: Type 'number' is not assignable to type 'string'.",
      "Flow.ts:3:67: TS2322: Type 'string' is not assignable to type 'number'.",
    ]);
  });

  it('a wrong import (name or path) is a type error too', () => {
    const bad = new Map(files);
    bad.set('Flow.ts', files.get('Flow.ts')!.replace("'./runtime/lib.js'", "'./runtime/missing.js'"));
    expect(checkAndEmit(bad, { typeCheck: true, emitJs: false }).typeErrors.join('\n')).toMatch(/^Flow\.ts:1:\d+: TS2307: Cannot find module '\.\/runtime\/missing\.js'/);
    bad.set('Flow.ts', files.get('Flow.ts')!.replace('import { twice,', 'import { thrice,'));
    expect(checkAndEmit(bad, { typeCheck: true, emitJs: false }).typeErrors.join('\n')).toMatch(/TS2305: Module '"\.\/runtime\/lib\.js"' has no exported member 'thrice'/);
  });

  it('without typeCheck nothing is checked', () => {
    const bad = new Map(files);
    bad.set('Flow.ts', 'export const x: number = "no";\n');
    expect(checkAndEmit(bad, { typeCheck: false, emitJs: true }).typeErrors).toEqual([]);
  });

  it('remembers clean modules: unchanged → not checked again; an edit of the module or of a file it imports → checked', () => {
    fs.rmSync(tmp, { recursive: true, force: true });
    const first = checkAndEmit(files, { typeCheck: true, emitJs: false });
    expect(first).toMatchObject({ typeErrors: [], cachedModules: 0, checkedFiles: 2 });
    expect(checkAndEmit(files, { typeCheck: true, emitJs: false })).toMatchObject({ typeErrors: [], cachedModules: 2, checkedFiles: 0 });
    // The module itself changed (an error): checked and reported, every time.
    const bad = new Map(files);
    bad.set('Flow.ts', files.get('Flow.ts')!.replace('return twice(r) + 1;', 'return twice(r) + "1";'));
    for (let i = 0; i < 2; i++) {
      const r = checkAndEmit(bad, { typeCheck: true, emitJs: false });
      expect(r.typeErrors).toEqual([expect.stringMatching(/^Flow\.ts:3:\d+: TS2322: Type 'string' is not assignable to type 'number'\.$/)]);
      expect(r.checkedFiles).toBe(2);
    }
    // Only a file it imports changed: Flow.ts is checked again and the break is found.
    const libChanged = new Map(files);
    libChanged.set('runtime/lib.ts', files.get('runtime/lib.ts')!.replace('twice(r: Row): number', 'twice(r: Row): string').replace('return r.n * 2;', 'return String(r.n * 2);'));
    const r = checkAndEmit(libChanged, { typeCheck: true, emitJs: false });
    expect(r.typeErrors).toEqual([expect.stringMatching(/^Flow\.ts:3:\d+: TS2322: Type 'string' is not assignable to type 'number'\.$/)]);
    expect(r.cachedModules).toBe(0);
    // Off: everything checked.
    expect(checkAndEmit(files, { typeCheck: true, emitJs: false, cache: false })).toMatchObject({ cachedModules: 0, checkedFiles: 2 });
  });
});

/**
 * bin/ runs dist/ only when dist/.source-hash equals the hash of the sources now
 * (scripts/source-hash.mjs): any change to a compiled source, a new or removed one, or the build
 * configuration makes dist/ stale (bin/ then runs the sources through tsx); tests and READMEs do not.
 * On a throw-away tree in a temp folder, so nothing here touches the repository's dist/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { distIsCurrent, sourceHash, sourceFiles } from '../scripts/source-hash.mjs';

let root: string;
const write = (rel: string, text: string) => { fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true }); fs.writeFileSync(path.join(root, rel), text); };
const stamp = () => write('dist/.source-hash', sourceHash(root) + '\n');

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-stamp-'));
  write('grammar/parser.ts', 'export const a = 1;\n');
  write('runtime/config/connect.schema.json', '{}\n');
  write('runtime/cli.ts', 'export const b = 2;\n');
  write('tsconfig.json', '{}\n');
});
afterEach(() => { fs.rmSync(root, { recursive: true, force: true }); });

describe('dist/ stamp', () => {
  it('no dist/ or no stamp: not current', () => {
    expect(distIsCurrent(root)).toBe(false);
    fs.mkdirSync(path.join(root, 'dist'));
    expect(distIsCurrent(root)).toBe(false);
  });

  it('current right after stamping; stale after a source edit, a new source, a removed one, a tsconfig edit, a JSON asset edit', () => {
    const edits: (() => void)[] = [
      () => write('grammar/parser.ts', 'export const a = 2;\n'),
      () => write('compiler/new.ts', 'export {};\n'),
      () => fs.rmSync(path.join(root, 'runtime/cli.ts')),
      () => write('tsconfig.json', '{"x":1}\n'),
      () => write('runtime/config/connect.schema.json', '{"a":1}\n'),
    ];
    for (const edit of edits) {
      stamp();
      expect(distIsCurrent(root)).toBe(true);
      edit();
      expect(distIsCurrent(root)).toBe(false);
    }
  });

  it('tests, test support, fixtures and READMEs do not make dist/ stale', () => {
    stamp();
    write('grammar/parser.test.ts', 'test\n');
    write('runtime/store/test-support/child.ts', 'x\n');
    write('compiler/fixtures/x.ts', 'x\n');
    write('runtime/README.md', 'docs\n');
    expect(distIsCurrent(root)).toBe(true);
    expect(sourceFiles(root)).toEqual(['grammar/parser.ts', 'runtime/cli.ts', 'runtime/config/connect.schema.json']);
  });

  it('a moved file (same content, other path) makes dist/ stale', () => {
    stamp();
    fs.renameSync(path.join(root, 'runtime/cli.ts'), path.join(root, 'runtime/cli2.ts'));
    expect(distIsCurrent(root)).toBe(false);
  });
});

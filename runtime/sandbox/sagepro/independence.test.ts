/**
 * The sandbox shares no code with the connector it is used to test: no file of this folder imports
 * (statically, dynamically, or by re-export) anything under runtime/connectors/. Otherwise the
 * sandbox would write rows with the encoder the connector reads with, and an encoding bug would be
 * invisible to both.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const HERE = import.meta.dirname;
const CONNECTORS = path.resolve(HERE, '../../connectors');

/** Every module specifier a TypeScript file names: import, export ... from, import(), require(). */
export function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The imports of `dir`'s .ts files that resolve into `forbidden` (relative specifiers only; packages are not folders of this repo). */
export function forbiddenImports(dir: string, forbidden: string): { file: string; specifier: string }[] {
  const out: { file: string; specifier: string }[] = [];
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (!/\.(ts|mts|cts|js|mjs)$/.test(name)) continue;
    const file = path.join(dir, name);
    for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.') && !spec.startsWith('/')) continue;
      const target = path.resolve(path.dirname(file), spec);
      if (target === forbidden || target.startsWith(forbidden + path.sep)) out.push({ file: path.relative(dir, file), specifier: spec });
    }
  }
  return out;
}

describe('the Sage Pro sandbox is independent of the connector', () => {
  it('reads every kind of import statement', () => {
    expect(importsOf([
      "import a from '../../connectors/sagepro/x.js';",
      "import type { T } from '../../connectors/sagepro/types.js';",
      "export { y } from '../../connectors/sagepro/storage.js';",
      "const m = await import('../../connectors/sagepro/dialect.js');",
      "import './side-effect.js';",
    ].join('\n'))).toEqual(['../../connectors/sagepro/x.js', '../../connectors/sagepro/types.js', '../../connectors/sagepro/storage.js',
      '../../connectors/sagepro/dialect.js', './side-effect.js']);
  });

  it('finds a forbidden import in a folder that has one', () => {
    // This test file itself names the connector path only inside strings of the test above: the scan
    // is of import statements, so a folder holding a real import is needed. The connector folder
    // importing its own files is one.
    expect(forbiddenImports(path.join(CONNECTORS, 'sagepro'), CONNECTORS).length).toBeGreaterThan(0);
  });

  it('no file under runtime/sandbox/sagepro/ imports from runtime/connectors/', () => {
    const files = (fs.readdirSync(HERE) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('database.ts');
    expect(forbiddenImports(HERE, CONNECTORS)).toEqual([]);
  });
});

/**
 * The runtime never imports the compiler or the grammar (issue 10, item 5): flowd runs a build
 * folder, and nothing of flowc is loaded by or shipped with it. Reads every import statement
 * (static `import`/`export ... from`, `import '...'`, dynamic `import('...')`) of runtime/'s code
 * (tests and test-support excluded: tests may build flows with the compiler) and resolves it.
 * No exceptions: the demo, which compiles the shipped flows, lives in examples/demo/ and bin/flowd.js
 * runs it for `flowd demo`; runtime/ does not import examples/ either (they import the compiler).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'test-support' && e.name !== 'fixtures') out.push(...files(p)); }
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Module specifiers of a TypeScript file's imports (comments stripped first). */
export function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  const re = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m; (m = re.exec(code));) out.push(m[1] ?? m[2]!);
  return out;
}

function offenders(file: string): string[] {
  const rel = (p: string) => path.relative(REPO, p).split(path.sep).join('/');
  return importSpecifiers(fs.readFileSync(file, 'utf8'))
    .filter((s) => s.startsWith('.'))
    .map((s) => rel(path.resolve(path.dirname(file), s)))
    .filter((r) => r.startsWith('compiler/') || r.startsWith('grammar/') || r.startsWith('examples/'));
}

describe('runtime/ imports neither compiler/ nor grammar/ (nor examples/)', () => {
  it('the import reader finds every kind of import', () => {
    expect(importSpecifiers([
      "import fs from 'node:fs';",
      "import { a, type B } from '../compiler/program.js';",
      "import type { C } from \"../grammar/ast.js\";",
      "export { d } from './d.js';",
      "export * from './e.js';",
      "import './side-effect.js';",
      "const m = await import('../compiler/emitter/build.js');",
      "// import { x } from '../compiler/commented.js';",
      "/* import y from '../grammar/block-comment.js'; */",
    ].join('\n'))).toEqual(['node:fs', '../compiler/program.js', '../grammar/ast.js', './d.js', './e.js', './side-effect.js', '../compiler/emitter/build.js']);
  });

  it('no runtime file imports them', () => {
    const bad: string[] = [];
    for (const f of files(path.join(REPO, 'runtime'))) {
      const rel = path.relative(REPO, f).split(path.sep).join('/');
      for (const o of offenders(f)) bad.push(`${rel} imports ${o}`);
    }
    expect(bad).toEqual([]);
  });
});

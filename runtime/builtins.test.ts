/**
 * The builtins as a whole: what `flowc build` copies into a build must stand alone. The functions'
 * own tests are beside them (builtins/<concern>.test.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const IMPORT_RE = /^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm;
const importsOf = (src: string): string[] => [...src.matchAll(IMPORT_RE)].map((m) => m[1]!);
const read = (rel: string): string => readFileSync(new URL(rel, import.meta.url), 'utf8');
const concernFiles = readdirSync(new URL('./builtins/', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();

describe('module rules', () => {
  it('the index re-exports the concern files and imports nothing else', () => {
    const src = read('./builtins.ts');
    for (const i of importsOf(src)) expect(i, 'builtins.ts imports').toMatch(/^\.\/builtins\/[a-z-]+\.js$/);
    expect(src).not.toMatch(/\bimport\(/);
  });

  it('a concern file imports nothing but ../contract.js, ../text/codepage.js (which imports nothing) and its sibling files', () => {
    expect(concernFiles.length).toBeGreaterThan(0);
    for (const f of concernFiles) {
      const src = read(`./builtins/${f}`);
      for (const i of importsOf(src)) {
        const sibling = /^\.\/([a-z-]+)\.js$/.exec(i);
        if (sibling) expect(concernFiles, `${f} imports ${i}`).toContain(`${sibling[1]}.ts`);
        else expect(['../contract.js', '../text/codepage.js'], `${f} imports ${i}`).toContain(i);
      }
      expect(src, f).not.toMatch(/\bimport\(/);
    }
    const cp = read('./text/codepage.ts');
    expect(importsOf(cp)).toEqual([]);
    expect(cp).not.toMatch(/\bimport\(/);
  });
});

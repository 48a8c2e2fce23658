/**
 * Each checker rule file (rules/*.ts, expr/*.ts, expressions.ts, the core checker.ts and the
 * program driver) names its golden fixtures in its
 * header (`Fixtures: test/fixtures/check/x.flow, ...`): they exist with their .diag golden, and every
 * fixture under test/fixtures/check is named by some rule file, so a golden always leads to the code
 * it tests (test/golden.test.ts compares them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const DIR = 'compiler/checker';
const ruleFiles = [
  ...['rules', 'expr'].flatMap((d) => fs.readdirSync(path.join(DIR, d)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `${DIR}/${d}/${f}`)),
  `${DIR}/expressions.ts`, `${DIR}/checker.ts`, 'compiler/program.ts',
].sort();

/** The fixture paths a file's header names after `Fixtures:` (up to the end of the comment). */
export function namedFixtures(text: string): string[] {
  const header = text.slice(0, text.indexOf('*/') + 2);
  const at = header.indexOf('Fixtures:');
  if (at < 0) return [];
  const names = header.slice(at + 'Fixtures:'.length).replace(/\n\s*\*\/?/g, ' ');
  return [...names.matchAll(/(?:test\/fixtures\/check\/)?([\w-]+\.flow)/g)].map((m) => `test/fixtures/check/${m[1]}`);
}

describe('checker rule files and their golden fixtures', () => {
  test('there are rule files', () => expect(ruleFiles.length).toBeGreaterThan(10));

  test.each(ruleFiles)('%s names fixtures that exist, each with its golden', (file) => {
    const named = namedFixtures(fs.readFileSync(file, 'utf8'));
    expect(named.length, `${file} has no 'Fixtures:' line in its header`).toBeGreaterThan(0);
    for (const f of named) {
      expect(fs.existsSync(f), `${file} names ${f}, which does not exist`).toBe(true);
      expect(fs.existsSync(f.replace(/\.flow$/, '.diag')), `${f} has no .diag golden`).toBe(true);
    }
  });

  test('every check fixture is named by a rule file', () => {
    const named = new Set(ruleFiles.flatMap((f) => namedFixtures(fs.readFileSync(f, 'utf8'))));
    const fixtures = fs.readdirSync('test/fixtures/check').filter((f) => f.endsWith('.flow')).map((f) => `test/fixtures/check/${f}`);
    expect(fixtures.filter((f) => !named.has(f))).toEqual([]);
  });
});

/**
 * The VS Code grammar (syntaxes/flow.tmLanguage.json) highlights every keyword of the lexer
 * (grammar/tokens.ts), and `hold when anomaly` as one clause (`anomaly` is a name to the lexer).
 */
import fs from 'node:fs';
import { expect, test } from 'vitest';
import { keywordTokens } from '../../grammar/tokens.js';

const grammar = JSON.parse(fs.readFileSync('editors/vscode/syntaxes/flow.tmLanguage.json', 'utf8')) as { patterns: { name?: string; match?: string; captures?: Record<string, { name: string }> }[] };

test('every keyword of grammar/tokens.ts is highlighted', () => {
  const words = keywordTokens.map((t) => (t as { LABEL?: string }).LABEL!.slice(1, -1));
  // Each word as it starts a statement (`flow` is highlighted with the flow's name after it).
  const scoped = (w: string) => grammar.patterns.some((p) => {
    const m = p.match ? new RegExp(p.match).exec(`${w} x`) : null;
    return m?.index === 0 && (m[0] === w ? !!p.name : m[1] === w && !!p.captures?.['1']?.name);
  });
  expect(words.filter((w) => !scoped(w))).toEqual([]);
  expect(words).toEqual(expect.arrayContaining(['warn', 'hold']));
});

test("'hold when anomaly' is one clause of three keywords; 'anomaly' elsewhere is not highlighted", () => {
  const clause = grammar.patterns.find((p) => p.match && new RegExp(p.match).test('hold when anomaly'))!;
  expect(Object.values(clause.captures ?? {}).map((c) => c.name)).toEqual(['keyword.control.flow', 'keyword.control.flow', 'keyword.control.flow']);
  expect(grammar.patterns.filter((p) => p.match && new RegExp(p.match).exec('let anomaly = 1')?.[0] === 'anomaly')).toEqual([]);
});

/**
 * Messages only from the catalog (compiler/diagnostics/messages.ts): the checker, its rules and the
 * program driver build no message text of their own (nor hint text: `Hints`). Every diagnostic they report and every related
 * note they attach is made from a catalog entry, so each has a stable code, and the catalog (with its
 * table in grammar/README.md) is the whole list of what flowc can say.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createProgram } from '../program.js';
import { loadSchemas } from '../schema/load-schemas.js';
import { Diagnostics, type DiagnosticMessage } from '../diagnostics/messages.js';
import { formatMessage } from '../diagnostics/diagnostic.js';

/** The sources that report diagnostics: the checker (core, rules, expressions) and the program. */
function sources(): string[] {
  const dir = 'compiler/checker';
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f).split(path.sep).join('/'));
  return [...files.sort(), 'compiler/program.ts'];
}

/**
 * Where a source builds message text itself: a `message:` property (an inline related note), a
 * forged catalog entry (`template:`), or a diagnostic constructor (`report`, `createDiagnostic`,
 * `createRelated`) whose message argument is not a catalog entry (`Diagnostics.X`, or `msg`, a
 * parameter typed DiagnosticMessage that a caller fills with one); and a hint that is not
 * `hintText(Hints.X, ...)` (or "Did you mean" from didYouMean, or conversionHint, made of Hints).
 */
export function inlineMessages(file: string, text: string): string[] {
  const out: string[] = [];
  const lineOf = (i: number) => text.slice(0, i).split('\n').length;
  for (const m of text.matchAll(/\b(message|template)\s*:/g)) {
    // `message: string` in an interface is a type, not a value.
    if (/^\s*(string|readonly)/.test(text.slice(m.index! + m[0].length))) continue;
    out.push(`${file}:${lineOf(m.index!)}: inline '${m[1]}:'`);
  }
  for (const m of text.matchAll(/\b(report|createDiagnostic|createRelated)\(\s*([^,()]*)/g)) {
    const arg = m[2]!.trim();
    const before = text.slice(Math.max(0, m.index! - 9), m.index!);
    if (/function\s*$/.test(before) || /^\w+\??\s*:/.test(arg) || arg === '') continue; // a definition or a signature
    if (/^Diagnostics\.\w+$/.test(arg) || arg === 'msg' || /^syntaxMessages\[/.test(arg)) continue;
    out.push(`${file}:${lineOf(m.index!)}: ${m[1]}(${arg}, ...) is not given a catalog entry`);
  }
  for (const m of text.matchAll(/\bhint\s*:\s*([^,}]*)/g)) {
    const v = m[1]!.trim();
    if (/^(string|readonly)/.test(v) || /^(hintText\(Hints\.\w+|didYouMean\(|conversionHint\()/.test(v)) continue;
    out.push(`${file}:${lineOf(m.index!)}: hint '${v.slice(0, 40)}' is not from the catalog's Hints`);
  }
  for (const m of text.matchAll(/\breturn\s+(['"`])Convert/g)) out.push(`${file}:${lineOf(m.index!)}: an inline conversion hint`);
  return out;
}

const catalog = Object.values(Diagnostics) as DiagnosticMessage[];

describe('messages only from the catalog', () => {
  test('the checker and the program build no message text of their own', () => {
    const found = sources().flatMap((f) => inlineMessages(f, fs.readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  test('the scan finds what it looks for', () => {
    const bad = [
      "report(Diagnostics.X, s, [], { related: [{ span: s, message: `'x' is declared here.` }] });",
      "ec.report(whatever, s);",
      "createRelated({ code: 9002, category: 'message', template: 'Here.' }, s);",
      "report(Diagnostics.X, s, [], { hint: `Use truncate(value, ${w}).` });",
    ].join('\n');
    expect(inlineMessages('x.ts', bad)).toHaveLength(5);
    expect(inlineMessages('x.ts', 'ctx.report(Diagnostics.Unknown_name_0, e.span, [e.name], { hint: hintText(Hints.Add_match_arms) });')).toEqual([]);
  });

  test('no catalog entry is the generic "Expected {0}, found {1}."', () => {
    expect(catalog.filter((m) => /^Expected \{\d+\}, found \{\d+\}\.$/.test(m.template))).toEqual([]);
  });

  test('every related note of the check fixtures carries the code of the catalog entry it was made from', () => {
    const schemas = loadSchemas(path.resolve('mappings/schemas'), process.cwd());
    const files = fs.readdirSync('test/fixtures/check').filter((f) => f.endsWith('.flow')).map((f) => `test/fixtures/check/${f}`);
    const program = createProgram(files, { schemas, lookupsDir: path.resolve('test/fixtures/lookups') });
    const notes = program.diagnostics.flatMap((d) => d.related ?? []);
    expect(notes.length).toBeGreaterThan(10);
    for (const r of notes) {
      const entries = catalog.filter((m) => m.code === r.code && m.category === 'message');
      expect(entries.length, `a 9xxx entry for the note '${r.message}' (code ${r.code})`).toBeGreaterThan(0);
      const pattern = (t: string) => new RegExp(`^${t.split(/\{\d+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
      expect(entries.some((m) => pattern(m.template).test(r.message)), r.message).toBe(true);
    }
    expect(formatMessage(Diagnostics._0_is_declared_here.template, ['x'])).toBe("'x' is declared here.");
  });
});

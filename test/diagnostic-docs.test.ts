/**
 * The diagnostics table of grammar/README.md (section "Diagnostics") against the catalog
 * (compiler/diagnostics/messages.ts): every catalog entry has a row with its code, severity and
 * template, and every row names an entry that exists. A code with several entries (FLOW3009, the
 * value of the wrong kind, one entry per place) has one row per entry.
 */
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Diagnostics, type DiagnosticMessage } from '../compiler/diagnostics/messages.js';

interface Row { readonly line: number; readonly code: number; readonly severity: string; readonly template: string }

/** The rows of the first table after `## Diagnostics`: `| FLOW<code> | severity | template | example |`. */
export function diagnosticRows(readme: string): Row[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.trim() === '## Diagnostics');
  if (start < 0) throw new Error("grammar/README.md has no '## Diagnostics' section");
  const rows: Row[] = [];
  let inTable = false;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('## ')) break;
    if (!l.startsWith('|')) { if (inTable) break; continue; }
    inTable = true;
    // Cells are split on '|' outside backticks, so an example such as `"a" | "b"` stays whole.
    const cells: string[] = [];
    let cur = ''; let code = false;
    for (let j = 1; j < l.length; j++) {
      const c = l[j]!;
      if (c === '`') code = !code;
      if (c === '|' && !code && l[j - 1] !== '\\') { cells.push(cur.trim()); cur = ''; } else cur += c;
    }
    const m = /^FLOW(\d+)$/.exec(cells[0] ?? '');
    if (!m) continue; // the header and the separator
    rows.push({ line: i + 1, code: Number(m[1]), severity: cells[1] ?? '', template: (cells[2] ?? '').replace(/\\\|/g, '|') });
  }
  return rows;
}

const catalog = Object.entries(Diagnostics as Record<string, DiagnosticMessage>);
const rows = diagnosticRows(fs.readFileSync('grammar/README.md', 'utf8'));
const same = (r: Row, m: DiagnosticMessage) => r.code === m.code && r.template === m.template;

describe('grammar/README.md diagnostics table', () => {
  test('the table is found and has a row per catalog entry', () => {
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.length).toBe(catalog.length);
  });

  test.each(catalog.map(([key, m]) => [`FLOW${m.code} ${key}`, m] as const))('%s is documented with its severity and template', (_, m) => {
    const forCode = rows.filter((r) => r.code === m.code);
    expect(forCode.length, `FLOW${m.code} has no row in grammar/README.md`).toBeGreaterThan(0);
    const row = forCode.find((r) => same(r, m));
    expect(row, `no row of FLOW${m.code} has the template "${m.template}" (documented: ${forCode.map((r) => `"${r.template}"`).join(', ')})`).toBeDefined();
    expect(row!.severity).toBe(m.category);
  });

  test('every documented code and template exists in the catalog', () => {
    const unknown = rows.filter((r) => !catalog.some(([, m]) => same(r, m))).map((r) => `grammar/README.md:${r.line}: FLOW${r.code} "${r.template}"`);
    expect(unknown).toEqual([]);
  });

  test('rows are in code order, one per entry', () => {
    const codes = rows.map((r) => r.code);
    expect(codes).toEqual([...codes].sort((a, b) => a - b));
    const keys = rows.map((r) => `${r.code} ${r.template}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

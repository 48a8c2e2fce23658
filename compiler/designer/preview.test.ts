// preview: the edited flow run on its flow tests (mappings/tests/<flow>.test.yaml): per case the
// write records and any failed expectation, or the compile errors.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyEdit, designContext, preview } from './index.js';

const INV = 'mappings/inventory-to-xcart.flow';
const ctx = designContext(INV);
const inv = fs.readFileSync(INV, 'utf8');

describe('preview', () => {
  it('runs the shipped flow on its tests: every case passes, with its write records', async () => {
    const r = await preview(inv, INV, ctx);
    expect(r.tests).toBe('mappings/tests/inventory-to-xcart.test.yaml');
    expect(r.compileErrors).toEqual([]);
    expect(r.cases.length).toBeGreaterThan(3);
    expect(r.cases.every((c) => c.ok)).toBe(true);
    expect(r.cases[0]).toMatchObject({ ok: true, outcome: 'done', writes: [{ operation: 'xcart.products.set_stock', record: { product_id: 1, amount: 24 } }], failures: [] });
  }, 60_000);

  it('an edit shows in the records and the failed expectations', async () => {
    const e = applyEdit(inv, { kind: 'addStep', step: { kind: 'let', name: 'shown', expr: 'available + 1' }, after: 'let:available' }, ctx, INV);
    if (!e.ok) throw new Error(e.error.message);
    const text = e.text.replace('amount: int(available) ?? 0)', 'amount: int(shown) ?? 0)');
    const r = await preview(text, INV, ctx);
    expect(r.cases[0]).toMatchObject({ ok: false, writes: [{ operation: 'xcart.products.set_stock', record: { product_id: 1, amount: 25 } }] });
    expect(r.cases[0]!.failures.join('\n')).toMatch(/write 1 \(xcart.products.set_stock\) \/amount: expected 24, found 25/);
  }, 60_000);

  it('a text that does not compile gives its errors and runs nothing', async () => {
    const r = await preview(inv.replace('int(available) ?? 0', 'int(availble) ?? 0'), INV, ctx);
    expect(r.cases).toEqual([]);
    expect(r.compileErrors.map((d) => d.code)).toContain('FLOW2001');
    expect(r.compileErrors[0]!.span?.line).toBe(inv.slice(0, inv.indexOf('int(available) ?? 0')).split('\n').length);
  }, 60_000);
});

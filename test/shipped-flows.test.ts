/**
 * The shipped flows under mappings/ must check with zero diagnostics (not even warnings), build to
 * modules that type-check, and pass their flow tests through the generated code.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createProgram } from '../compiler/program.js';
import { buildProgram } from '../compiler/emitter/build.js';
import { findTestFiles, runFlowTests } from '../compiler/flow-test.js';

const mappings = path.resolve(__dirname, '../mappings');

describe('shipped flows', () => {
  const program = createProgram([mappings]);

  it('include the three required flows', () => {
    const names = program.units.flatMap((u) => u.models.map((m) => m.flow.name.text)).sort();
    expect(names).toEqual(expect.arrayContaining(['InventoryToXCart', 'OrderToSalesOrder', 'SalesOrderStatusToXCart']));
  });

  it('check with zero diagnostics', () => {
    expect(program.diagnostics.map((d) => `${d.span?.file}:${d.span?.line} FLOW${d.code} ${d.message}`)).toEqual([]);
  });

  it('build to TypeScript that type-checks, byte-identical across builds', () => {
    const a = buildProgram(program);
    expect(a.typeErrors).toEqual([]);
    const b = buildProgram(createProgram([mappings]));
    expect([...b.files.entries()]).toEqual([...a.files.entries()]);
    expect(a.files.get('OrderToSalesOrder.ts')).toMatch(/^\/\/ DO NOT EDIT/);
  });

  it('pass their flow tests, every flow having some', async () => {
    const files = findTestFiles([mappings]);
    const results = await runFlowTests(program, files);
    const failures = results.filter((r) => !r.passed).map((r) => `${r.flow}: ${r.name}: ${r.failures.join('; ')}`);
    expect(failures).toEqual([]);
    const flowsWithTests = new Set(results.map((r) => r.flow));
    for (const n of ['InventoryToXCart', 'OrderToSalesOrder', 'SalesOrderStatusToXCart']) expect(flowsWithTests.has(n)).toBe(true);
    expect(results.length).toBeGreaterThanOrEqual(12);
  });

  it('a flow test that expects the wrong write fails (the runner really compares)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-test-'));
    try {
      fs.writeFileSync(path.join(dir, 'wrong.test.yaml'), [
        'flow: InventoryToXCart',
        'cases:',
        '  - name: wrong amount',
        '    event: { type: InventoryLevel.changed, source: sagepro, data: { item: WIDGET-100, location: MAIN, available: 7 } }',
        '    calls: { xcart.products.find_by_sku: { id: 1, sku: WIDGET-100 }, xcart.variants.find_by_sku: null }',
        '    expect: { writes: [ { op: xcart.products.set_stock, args: { product_id: 1, amount: 8 } } ] }',
      ].join('\n'));
      const results = await runFlowTests(program, [path.join(dir, 'wrong.test.yaml')]);
      expect(results).toHaveLength(1);
      expect(results[0]!.passed).toBe(false);
      expect(results[0]!.failures.join()).toContain('/amount: expected 8, found 7');
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});

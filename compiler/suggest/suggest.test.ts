/**
 * suggestMappings on the shipped schemas and flows: nested structure, the type-check by the compiler
 * (a candidate the checker refuses is rejected with its message), the run on the flow's fixtures,
 * leave-one-out of the corpus, and determinism.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadSchemas } from '../schema/load-schemas.js';
import { checkOnFixtures, suggestionEdits, suggestMappings, SuggestUsageError } from './index.js';
import { createProgram } from '../program.js';
import { generatedContext } from './context.js';
import { errorsByLine, splice } from './probe.js';
import type { Scored } from './score.js';

const schemasDir = path.resolve('mappings/schemas');
const lookupsDir = path.resolve('mappings/lookups');
const schemas = loadSchemas(schemasDir);
const base = { schemas, schemasDir, lookupsDir };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'suggest-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const top = (r: ReturnType<typeof suggestMappings>, target: string) => r.targets.find((t) => t.target === target)?.suggestions.find((s) => s.check === 'ok');

describe('generated flow (--from --to)', () => {
  const r = suggestMappings({ ...base, from: 'xcart.Order', to: 'sagepro.SalesOrder', corpusExclude: ['order-to-sales-order.flow'] });
  test('nested structure: items become lines, the shipping address the ship-to', () => {
    const item = r.targets.find((t) => t.target === 'lines[].item')!;
    expect(item.via).toBe('each order.items as item');
    expect(top(r, 'lines[].item')?.expression).toBe('truncate(upper(trim(item.sku)), 15)');
    expect(top(r, 'lines[].item')?.signals.find((s) => s.signal === 'structure')?.reason).toBe('lines[] from order.items: the list whose elements fit it best');
    expect(r.targets.find((t) => t.target === 'ship_to.city')!.via).toBe('order.shipping_address');
    expect(top(r, 'ship_to.city')?.expression).toBe('truncate(order.shipping_address?.city ?? "", 20)');
    expect(top(r, 'ship_to.address2')?.expression).toBe('split_street((order.shipping_address?.street ?? ""), 35).line2');
  });
  test('every shown suggestion was type-checked and accepted; reasons name the signals', () => {
    const shown = r.targets.flatMap((t) => t.suggestions);
    expect(shown.length).toBeGreaterThan(10);
    expect(shown.every((s) => s.check === 'ok')).toBe(true);
    expect(top(r, 'order_date')).toMatchObject({ expression: 'date(order.create_date, "America/New_York")', sources: ['xcart.Order.create_date'] });
    expect(top(r, 'order_date')!.signals.map((s) => s.signal)).toEqual(['name', 'description', 'type']);
  });
  test('deterministic: the same request gives the same answer', () => {
    const again = suggestMappings({ ...base, from: 'xcart.Order', to: 'sagepro.SalesOrder', corpusExclude: ['order-to-sales-order.flow'] });
    expect(JSON.stringify(again)).toBe(JSON.stringify(r));
  });
  test('leave-one-out: an excluded flow is not a signal, the others are', () => {
    const withAll = suggestMappings({ ...base, from: 'xcart.Order', to: 'sagepro.SalesOrder', targets: ['order_date'] });
    expect(top(withAll, 'order_date')!.signals.find((s) => s.signal === 'corpus')?.reason).toContain('order-to-sales-order.flow:');
    expect(top(r, 'order_date')!.signals.find((s) => s.signal === 'corpus')).toBeUndefined();
  });
  test('an unknown entity is a usage error naming it', () => {
    expect(() => suggestMappings({ ...base, from: 'xcart.Ordr', to: 'sagepro.SalesOrder' })).toThrow(SuggestUsageError);
    expect(() => suggestMappings({ ...base, from: 'xcart.Ordr', to: 'sagepro.SalesOrder' })).toThrow(/--from 'xcart.Ordr' is not an entity/);
  });
});

describe('the type-check by the compiler', () => {
  test('a candidate the checker refuses (too wide for its column) is rejected with the compiler\'s message; a fitting one passes', () => {
    const ctx = generatedContext(schemas, 'xcart.Order', 'sagepro.SalesOrder', schemasDir);
    const cand = (expr: string) => ({ conversion: { expr, steps: [], fit: 1, note: '' } }) as unknown as Scored;
    const bad = cand('order.email'), good = cand('truncate(order.email, 12)');
    const placed = [{ slot: ctx.topSlot, name: 'po_number', candidate: bad, key: 'a' }, { slot: ctx.topSlot, name: 'ship_via', candidate: good, key: 'b' }];
    const { text, lineOf } = splice(ctx.base, placed);
    const errors = errorsByLine(text, { text, file: ctx.file, absPath: ctx.absPath }, schemas, lookupsDir);
    expect(errors.get(lineOf.get('a')!)).toMatch(/^FLOW3005: Field 'po_number' is stored in SOMAST.PONUM of width 20/);
    expect(errors.get(lineOf.get('b')!)).toBeUndefined();
  });
});

describe('a map in a flow (--flow --map), run on its fixtures', () => {
  test('the flow without order_date: create_date is confirmed by the cases, update_date rejected by one', async () => {
    const text = fs.readFileSync('mappings/order-to-sales-order.flow', 'utf8').replace(/\n    order_date   = date\(order.create_date, "America\/New_York"\)/, '');
    const file = path.join(tmp, 'order-to-sales-order.flow');
    fs.writeFileSync(file, text);
    const r = await checkOnFixtures({ ...base, flow: { file, map: 'so' }, targets: ['order_date'] });
    expect(r).toMatchObject({ from: 'xcart.Order', to: 'sagepro.SalesOrder', map: 'so' });
    const [t] = r.targets;
    expect(t!.target).toBe('order_date');
    const [first, ...rest] = t!.suggestions;
    expect(first).toMatchObject({ expression: 'date(order.create_date, "America/New_York")', check: 'ok' });
    expect(first!.fixtures!.confirmed).toBeGreaterThan(0);
    expect(first!.fixtures!.failed).toBe(0);
    const update = rest.find((s) => s.expression.includes('update_date'))!;
    expect(update.check).toBe('failed');
    expect(update.reason).toMatch(/fixture .*\/order\/order_date: expected "2026-10-27", found "2026-10-28"/);
  }, 60_000);
});

describe('a map in a flow: its lookup tables', () => {
  test('the flow without ship_via: the carrier code through its carrier table, keyed by the shipping method', () => {
    const text = fs.readFileSync('mappings/order-to-sales-order.flow', 'utf8').replace(/\n    ship_via     = carrier\[order.shipping_method_name \?\? ""\]/, '');
    const r = suggestMappings({ ...base, flow: { file: path.join(tmp, 'order-to-sales-order.flow'), text, map: 'so' }, targets: ['ship_via'] });
    expect(top(r, 'ship_via')).toMatchObject({ expression: 'carrier[order.shipping_method_name ?? ""]', check: 'ok' });
  });
});

describe('suggestionEdits (what the language server inserts)', () => {
  test('a map on one line, its source a typed let: the lines go before the brace, and the flow then checks', () => {
    const text = 'flow OneLine "a map on one line"\n  on schedule every 1h\n  let product: xcart.Product = event.data\n  map product -> level: sagepro.InventoryLevel { location = "MAIN" }\n';
    const file = path.join(tmp, 'one-line.flow');
    const r = suggestionEdits({ ...base, flow: { file, text, map: 'level' } });
    expect(r.filled.map((f) => f.target)).toContain('item');
    let out = text;
    for (const e of [...r.edits].reverse()) out = out.slice(0, e.at) + e.text + out.slice(e.at);
    expect(out).toContain('\n    item = truncate(upper(trim(product.sku)), 15)\n');
    fs.writeFileSync(file, out);
    const program = createProgram([file], { schemasDir, lookupsDir });
    expect(program.diagnostics.filter((d) => d.category === 'error').map((d) => d.message)).toEqual([]);
  });
});

describe("the project's lookup files (lookups.ts)", () => {
  const dir = path.join(tmp, 'lookups-carriers');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'carriers.yaml'), '# X-Cart shipping method name -> Sage Pro ship-via code (SOMAST.SHIPVIA).\nentries:\n  Courier: COUR\n  UPS Ground: UPSG\n');
  const bare = path.join(tmp, 'lookups-bare');
  fs.mkdirSync(bare, { recursive: true });
  fs.writeFileSync(path.join(bare, 'carriers.yaml'), 'entries:\n  Courier: COUR\n  UPS Ground: UPSG\n');   // no header: says nothing
  const run = (lk: string) => suggestMappings({ ...base, lookupsDir: lk, from: 'xcart.Order', to: 'sagepro.SalesOrder', corpusExclude: ['order-to-sales-order.flow'], targets: ['ship_via'] });
  test('a file whose header names the column gives the value through it, keyed by the field its header names; type-checked', () => {
    const s = top(run(dir), 'ship_via')!;
    expect(s.expression).toBe('carriers[order.shipping_method_name ?? ""]');
    expect(s.signals.find((g) => g.signal === 'lookup')).toEqual({ signal: 'lookup', score: 1, reason: 'lookups/carriers.yaml: X-Cart shipping method name -> Sage Pro ship-via code (SOMAST.SHIPVIA).' });
    expect(s.confidence).toBeGreaterThan(0.8);
  });
  test('the same column name in another table (ARMAST.SHIPVIA) counts less; a file without a header is not a signal', () => {
    const inv = suggestMappings({ ...base, lookupsDir: dir, from: 'xcart.Order', to: 'sagepro.Invoice', corpusExclude: ['order-to-sales-order.flow'], targets: ['ship_via'] });
    expect(top(inv, 'ship_via')!.signals.find((g) => g.signal === 'lookup')?.score).toBe(0.85);
    expect(top(run(bare), 'ship_via')?.expression ?? 'none').not.toContain('carriers[');
  });
});

describe('an amount as the sum of the modifiers of its kind (composites.ts listSums)', () => {
  test("tax from X-Cart's surcharges: those of type tax that apply and are not already in the prices; type-checked, without any flow's help", () => {
    const r = suggestMappings({ ...base, flowsDir: null, from: 'xcart.Order', to: 'sagepro.SalesOrder', targets: ['tax', 'order_date'] });
    expect(top(r, 'tax')?.expression).toBe('round(sum(filter(order.surcharges, s => s.available && !s.include && s.type == "tax"), s => s.value), 2)');
    expect(top(r, 'tax')!.sources).toEqual(['xcart.Surcharge.value']);
    // Not for a percent (SOTRAN.DISC "Discount in percent"), nor a target no modifier kind is named like.
    const lines = suggestMappings({ ...base, flowsDir: null, from: 'xcart.Order', to: 'sagepro.SalesOrder', targets: ['lines[].discount'] });
    expect(lines.targets.find((t) => t.target === 'lines[].discount')!.suggestions.some((s) => s.expression.includes('sum('))).toBe(false);
    expect(r.targets.find((t) => t.target === 'order_date')!.suggestions.some((s) => s.expression.includes('sum('))).toBe(false);
  });
});

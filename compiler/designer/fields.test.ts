// setField (the properties panel's edit of one field of a step) on the shipped flows: the exact
// whole text after (every byte outside the field compared), the inverse restoring the old bytes,
// the comments kept, and the refusals with their reasons.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeDesign, applyEdit, designContext, type ApplyResult, type VisualEdit } from './index.js';
import { applyEdits } from './text.js';
import { lexComments } from '../format/comments.js';

const INV = 'mappings/inventory-to-xcart.flow';
const ITEM = 'mappings/item-to-xcart-product.flow';
const ORDER = 'mappings/order-to-sales-order.flow';
const ctx = designContext(INV);
const inv = fs.readFileSync(INV, 'utf8');
const item = fs.readFileSync(ITEM, 'utf8');
const order = fs.readFileSync(ORDER, 'utf8');
const comments = (text: string) => lexComments(text).comments.map((c) => text.slice(c.start, c.end));

function ok(text: string, edit: VisualEdit, file = INV): Extract<ApplyResult, { ok: true }> {
  const r = applyEdit(text, edit, ctx, file);
  if (!r.ok) throw new Error(`refused: ${r.error.message}`);
  expect(applyEdits(r.text, r.inverse)).toBe(text);
  expect(comments(r.text)).toEqual(comments(text));
  return r;
}
function refused(text: string, edit: VisualEdit, file = INV): string {
  const r = applyEdit(text, edit, ctx, file);
  if (r.ok) throw new Error(`applied: ${JSON.stringify(r.edits)}`);
  return r.error.message;
}
function replaced(text: string, from: string, to: string): string {
  expect(text.split(from).length, `'${from}' occurs once`).toBe(2);
  return text.replace(from, () => to);
}
const SKIP_NOT_SOLD = '  skip when product == null && variant == null because "the item is not sold in the store (no X-Cart product or variant has this SKU)"\n';

describe('the model lists each step\'s editable fields with their spans', () => {
  it('let, skip, lookup arguments by parameter, write arguments and when, table file and missing', () => {
    const m = analyzeDesign(inv, INV, ctx);
    const by = new Map(m.steps.map((s) => [s.key, s]));
    const f = (key: string) => (by.get(key)!.fields ?? []).map((x) => [x.field, x.value, x.optional, inv.slice(x.span!.start, x.span!.end)]);
    expect(f('let:available')).toEqual([['expr', 'max(0, floor(event.data.available ?? 0))', false, 'max(0, floor(event.data.available ?? 0))']]);
    expect(f('lookup:product')).toEqual([['arg:sku', 'sku', false, 'sku']]);
    expect(f('table:web_warehouse')).toEqual([['file', 'web-warehouses.yaml', false, '"web-warehouses.yaml"'], ['missing', 'default false', true, 'on missing default false']]);
    expect(f('write:products.set_stock')).toEqual([
      ['arg:product_id', 'product?.id ?? 0', false, 'product?.id ?? 0'], ['arg:amount', 'int(available) ?? 0', false, 'int(available) ?? 0'],
      ['when', 'product != null', true, 'product != null'],
    ]);
    const skip = m.steps.find((s) => s.kind === 'skip' && s.text.includes('variant == null'))!;
    expect(skip.fields!.map((x) => [x.field, x.value])).toEqual([['condition', 'product == null && variant == null'], ['reason', 'the item is not sold in the store (no X-Cart product or variant has this SKU)']]);
    expect(by.get('lookup:product')!.fields![0]!.type).toBe('string');
  });

  it('an optional parameter not written is a field without a span; a positional argument is named by its parameter', () => {
    const m = analyzeDesign(item, ITEM, ctx);
    const update = m.steps.find((s) => s.key === 'write:products.update')!;
    expect(update.fields!.find((x) => x.field === 'arg:enabled')).toEqual({ field: 'arg:enabled', kind: 'expr', value: '', optional: true, type: 'bool?' });
    const create = analyzeDesign(order, ORDER, ctx).steps.find((s) => s.key === 'write:created')!;
    expect(create.fields![0]).toMatchObject({ field: 'arg:order', value: 'so', optional: false });
  });
});

describe('setField', () => {
  it("changes a let's expression: only the characters that differ", () => {
    const r = ok(inv, { kind: 'setField', step: 'let:available', field: 'expr', value: 'max(0, floor(event.data.available ?? 0) - 2)' });
    expect(r.text).toBe(replaced(inv, 'let available = max(0, floor(event.data.available ?? 0))\n', 'let available = max(0, floor(event.data.available ?? 0) - 2)\n'));
    expect(r.edits).toEqual([{ start: inv.indexOf('floor(event.data.available ?? 0))') + 'floor(event.data.available ?? 0)'.length, end: inv.indexOf('floor(event.data.available ?? 0))') + 'floor(event.data.available ?? 0)'.length, newText: ' - 2' }]);
    expect(r.model.steps.find((s) => s.key === 'let:available')!.fields![0]!.value).toBe('max(0, floor(event.data.available ?? 0) - 2)');
  });

  it("changes a skip's condition and reason, removes the reason and adds it back", () => {
    const key = analyzeDesign(inv, INV, ctx).steps.find((s) => s.kind === 'skip' && s.text.includes('variant == null'))!.key;
    const c = ok(inv, { kind: 'setField', step: key, field: 'condition', value: 'product == null' });
    expect(c.text).toBe(replaced(inv, SKIP_NOT_SOLD, '  skip when product == null because "the item is not sold in the store (no X-Cart product or variant has this SKU)"\n'));
    const r = ok(inv, { kind: 'setField', step: key, field: 'reason', value: 'not in the "store"' });
    expect(r.text).toBe(replaced(inv, SKIP_NOT_SOLD, '  skip when product == null && variant == null because "not in the \\"store\\""\n'));
    const gone = ok(inv, { kind: 'setField', step: key, field: 'reason', value: null });
    expect(gone.text).toBe(replaced(inv, SKIP_NOT_SOLD, '  skip when product == null && variant == null\n'));
    const key2 = gone.model.steps.find((s) => s.kind === 'skip' && s.text.includes('variant == null'))!.key;
    const back = ok(gone.text, { kind: 'setField', step: key2, field: 'reason', value: 'not sold' });
    expect(back.text).toBe(replaced(inv, SKIP_NOT_SOLD, '  skip when product == null && variant == null because "not sold"\n'));
  });

  it('changes a lookup argument and a write argument by parameter name, and a positional one', () => {
    const l = ok(inv, { kind: 'setField', step: 'lookup:product', field: 'arg:sku', value: 'upper(sku)' });
    expect(l.text).toBe(replaced(inv, 'xcart.products.find_by_sku(sku: sku)', 'xcart.products.find_by_sku(sku: upper(sku))'));
    const w = ok(inv, { kind: 'setField', step: 'write:products.set_stock', field: 'arg:amount', value: 'int(available) ?? 1' });
    expect(w.text).toBe(replaced(inv, 'write xcart.products.set_stock(product_id: product?.id ?? 0, amount: int(available) ?? 0)', 'write xcart.products.set_stock(product_id: product?.id ?? 0, amount: int(available) ?? 1)'));
    expect(w.edits).toHaveLength(1);
    expect(w.edits[0]!.newText).toBe('1');
  });

  it('adds an optional argument not written and removes it again', () => {
    const added = ok(item, { kind: 'setField', step: 'write:products.update', field: 'arg:enabled', value: 'true' }, ITEM);
    const line = 'write xcart.products.update(product_id: product?.id ?? 0, name: if set_name then name else null, price: if set_price then price else null)';
    expect(added.text).toBe(replaced(item, line, line.replace(/\)$/, ', enabled: true)')));
    const back = ok(added.text, { kind: 'setField', step: 'write:products.update', field: 'arg:enabled', value: null }, ITEM);
    expect(back.text).toBe(item);
    const noName = ok(item, { kind: 'setField', step: 'write:products.update', field: 'arg:name', value: null }, ITEM);
    expect(noName.text).toBe(replaced(item, line, 'write xcart.products.update(product_id: product?.id ?? 0, price: if set_price then price else null)'));
  });

  it("changes, removes and adds a write's when condition", () => {
    const line = 'write xcart.products.set_stock(product_id: product?.id ?? 0, amount: int(available) ?? 0) when product != null\n';
    const c = ok(inv, { kind: 'setField', step: 'write:products.set_stock', field: 'when', value: 'product != null && available > 0' });
    expect(c.text).toBe(replaced(inv, line, line.replace('product != null\n', 'product != null && available > 0\n')));
    const gone = ok(inv, { kind: 'setField', step: 'write:products.set_stock', field: 'when', value: null });
    expect(gone.text).toBe(replaced(inv, line, line.replace(' when product != null\n', '\n')));
    const back = ok(gone.text, { kind: 'setField', step: 'write:products.set_stock', field: 'when', value: 'product != null' });
    expect(back.text).toBe(inv);
  });

  it("changes a table's file and missing policy (and removes the policy)", () => {
    const decl = 'table web_warehouse: string -> bool from "web-warehouses.yaml" on missing default false\n';
    const f = ok(inv, { kind: 'setField', step: 'table:web_warehouse', field: 'file', value: 'inventory-to-xcart.yaml' });
    expect(f.text).toBe(replaced(inv, decl, decl.replace('web-warehouses.yaml', 'inventory-to-xcart.yaml')));
    const m = ok(inv, { kind: 'setField', step: 'table:web_warehouse', field: 'missing', value: 'null' });
    expect(m.text).toBe(replaced(inv, decl, decl.replace('default false', 'null')));
    const gone = ok(inv, { kind: 'setField', step: 'table:web_warehouse', field: 'missing', value: null });
    expect(gone.text).toBe(replaced(inv, decl, decl.replace(' on missing default false', '')));
    const back = ok(gone.text, { kind: 'setField', step: 'table:web_warehouse', field: 'missing', value: 'default false' });
    expect(back.text).toBe(inv);
  });

  it('keeps comments inside and beside the field', () => {
    const text = replaced(inv, '  let available = max(0, floor(event.data.available ?? 0))\n',
      '  // what the store may sell\n  let available = max(0, /* never below */ floor(event.data.available ?? 0)) // whole units\n');
    const r = ok(text, { kind: 'setField', step: 'let:available', field: 'expr', value: 'max(0, /* never below */ floor(event.data.available ?? 0) - 1)' });
    expect(r.text).toBe(replaced(text, 'floor(event.data.available ?? 0)) // whole units', 'floor(event.data.available ?? 0) - 1) // whole units'));
  });

  it('refuses, naming where and why, with the text unchanged', () => {
    expect(refused(inv, { kind: 'setField', step: 'let:available', field: 'expr', value: '1\n  let z = 2' })).toMatch(/is not one expression for expr of 'let:available'/);
    // one more argument smuggled into an argument's value: the field would not read as given
    expect(refused(inv, { kind: 'setField', step: 'write:products.set_stock', field: 'arg:product_id', value: '0, amount: 5' })).toMatch(/^'0, amount: 5' is not one expression for arg:product_id of 'write:products.set_stock': the flow would read it as '0'/);
    expect(refused(inv, { kind: 'setField', step: 'let:available', field: 'expr', value: '1 when x' })).toMatch(/unparsable at \d+:\d+/);
    expect(refused(inv, { kind: 'setField', step: 'let:available', field: 'expr', value: '  ' })).toMatch(/^expr of 'let:available' \(line \d+\) cannot be empty/);
    expect(refused(inv, { kind: 'setField', step: 'let:nope', field: 'expr', value: '1' })).toMatch(/^no step 'let:nope' in this flow \(its steps: table:web_warehouse, /);
    expect(refused(inv, { kind: 'setField', step: 'table:web_warehouse', field: 'bogus', value: 'x' })).toBe("step 'table:web_warehouse' has no field 'bogus' (its fields: file, missing)");
    expect(refused(inv, { kind: 'setField', step: 'lookup:product', field: 'arg:nope', value: 'x' })).toBe("step 'lookup:product' has no field 'arg:nope' (its fields: arg:sku)");
    expect(refused(inv, { kind: 'setField', step: 'table:web_warehouse', field: 'missing', value: 'maybe' })).toMatch(/'maybe' is not a missing policy \(reject, null, or default <value>\)/);
    expect(refused(inv, { kind: 'setField', step: 'table:web_warehouse', field: 'file', value: 'nope.yaml' })).toMatch(/^no lookup file 'nope.yaml' in /);
    expect(refused(inv, { kind: 'setField', step: 'let:available', field: 'expr' } as unknown as VisualEdit)).toMatch(/'value' is required/);
    expect(refused(inv, { kind: 'setField', field: 'expr', value: '1' } as unknown as VisualEdit)).toMatch(/'step' must be a string/);
  });
});

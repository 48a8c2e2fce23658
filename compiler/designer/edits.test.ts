// One test per visual edit kind on the shipped flows: the exact text before and after (the whole
// file compared, so every byte outside the edit is checked too), the inverse restoring the old
// bytes, and the refusals with their reasons.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeDesign, applyEdit, designContext, type ApplyResult, type VisualEdit } from './index.js';
import { applyEdits } from './text.js';
import { stepOf } from './model.js';
import type * as A from '../../grammar/ast.js';

const INV = 'mappings/inventory-to-xcart.flow';
const ORDER = 'mappings/order-to-sales-order.flow';
const ctx = designContext(INV);
// The inventory flow as shipped before it reached variants (testdata/, analysed under its shipped
// name against the shipped schemas and lookups): these tests are about the edits, and stay exact
// however the shipped flow grows.
const inv = fs.readFileSync('compiler/designer/testdata/inventory-to-xcart.flow', 'utf8');
const order = fs.readFileSync(ORDER, 'utf8');

function ok(text: string, edit: VisualEdit, file = INV): Extract<ApplyResult, { ok: true }> {
  const r = applyEdit(text, edit, ctx, file);
  if (!r.ok) throw new Error(`refused: ${r.error.message}`);
  expect(applyEdits(r.text, r.inverse)).toBe(text);
  return r;
}
function refused(text: string, edit: VisualEdit, file = INV): string {
  const r = applyEdit(text, edit, ctx, file);
  if (r.ok) throw new Error(`applied: ${JSON.stringify(r.edits)}`);
  return r.error.message;
}
/** `text` with `from` (which must occur once) replaced by `to`. */
function replaced(text: string, from: string, to: string): string {
  expect(text.split(from).length, `'${from}' occurs once`).toBe(2);
  return text.replace(from, () => to);
}
const errorsOf = (r: { model: { diagnostics: readonly { severity: string; code: string }[] } }) => r.model.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);

describe('analyzeDesign on the shipped flows', () => {
  it('gives steps with stable keys, dependencies from the checker, the trigger, policies and the map', () => {
    const m = analyzeDesign(inv, INV, ctx);
    expect(m.name).toBe('InventoryToXCart');
    expect(m.trigger).toMatchObject({ kind: 'poll', entity: 'sagepro.InventoryLevel', interval: '5m', changed: true, key: ['item', 'location'] });
    expect(m.steps.map((s) => s.key)).toEqual(['table:web_warehouse', expect.stringMatching(/^skip#/), 'lookup:product', expect.stringMatching(/^skip#/), 'let:available', 'write:products.set_stock']);
    expect(m.steps.find((s) => s.key === 'write:products.set_stock')).toMatchObject({ operation: 'xcart.products.set_stock', deps: ['lookup:product', 'let:available'] });
    expect(m.steps[1]!.deps).toEqual(['table:web_warehouse']);
    expect(m.policies.map((p) => [p.key, p.retry, p.then])).toEqual([
      ['policy:transient', { for: '24h', backoff: 'exponential', initial: '2s', maxDelay: '5m' }, 'dead_letter'],
      ['policy:invalid', undefined, 'dead_letter'],
    ]);
  });

  it('keys survive the removal and addition of other steps', () => {
    const before = analyzeDesign(inv, INV, ctx).steps.map((s) => s.key);
    const r = ok(inv, { kind: 'addStep', step: { kind: 'skip', condition: 'event.data.on_hand == null', because: 'no stock figure' }, before: 'lookup:product' });
    const after = r.model.steps.map((s) => s.key);
    expect(after.filter((k) => before.includes(k))).toEqual(before);
    expect(after.length).toBe(before.length + 1);
  });

  it('lists the map with nested objects, line items, when blocks, types and the sources each assignment reads', () => {
    const m = analyzeDesign(order, ORDER, ctx);
    const so = m.maps[0]!;
    expect(so).toMatchObject({ key: 'map:so', name: 'so', source: 'order', target: 'sagepro.SalesOrder' });
    const byId = new Map(so.assignments.map((a) => [a.id, a]));
    expect(byId.get('lines[].item')).toMatchObject({ target: 'lines[].item', expr: 'truncate(upper(trim(item.sku)), 15)', sources: ['order.items[].sku'] });
    expect(byId.get('ship_to.city')).toMatchObject({ target: 'ship_to.city', type: 'string' });
    expect(byId.get('when#1/tax_rate')?.target).toBe('tax_rate');
    expect(byId.get('when#1:else/tax')?.target).toBe('tax');
    expect(byId.get('lines')?.each).toEqual({ source: 'order.items', item: 'item', where: 'item.amount > 0', skipInvalid: false });
    expect(byId.get('customer')!.sources).toEqual(['customer.number', 'order.currency']);
    expect(m.unmappedRequired).toEqual([]);
  });

  it('marks unmapped required targets and attaches diagnostics and the compiler\'s quick fixes to their assignment', () => {
    const text = replaced(order, '      quantity    = item.amount\n', '');
    const m = analyzeDesign(text, ORDER, ctx);
    expect(m.maps[0]!.unmappedRequired).toEqual(['lines[].quantity']);
    expect(m.unmappedRequired).toEqual(['map:so:lines[].quantity']);
    const d = m.diagnostics.find((x) => x.code === 'FLOW3003')!;
    expect(d.fixes.map((f) => f.title)).toEqual(['Add the missing required field (quantity)']);
  });

  it('a text with statements the grammar does not know yet still gives a model, never a crash', () => {
    // (`warn` and `hold when anomaly` are in the grammar now: a statement it does not know.)
    const text = replaced(inv, '  let available', '  notify ops "low stock" when event.data.available < 5\n  let available');
    const m = analyzeDesign(text, INV, ctx);
    expect(m.hasSyntaxErrors).toBe(true);
    expect(m.steps.some((s) => s.key === 'let:available')).toBe(true);
  });
});

describe('statements this module does not know', () => {
  it('become a generic step with their text and dependencies, never a crash', () => {
    // A node of a kind the AST of this version does not list (as `warn` / `hold when anomaly` will be).
    const text = '  warn "low" when product.amount < 5';
    const span = (start: number, end: number) => ({ file: 'x.flow', start, end, line: 1, column: start + 1, endLine: 1, endColumn: end + 1 });
    const ident = { kind: 'Ident', name: 'product', span: span(19, 26) } as unknown as A.Ident;
    const node = { kind: 'Warn', message: { kind: 'StringLit', value: 'low', span: span(7, 12) }, when: { kind: 'Member', object: ident, name: { kind: 'Name', text: 'amount', span: span(27, 33) }, optional: false, span: span(19, 33) }, span: span(2, text.length) } as unknown as A.FlowItem;
    const resolution = new WeakMap<object, unknown>([[ident, { kind: 'local', name: 'product', decl: 'lookup' }]]);
    const used = new Set<string>();
    const info = stepOf(node, text, (s) => text.slice(s.start, s.end), (k) => { used.add(k); return k; },
      { resolution } as never, new Map([['product', 'lookup:product']]), new Map());
    expect(info.design).toMatchObject({ kind: 'generic', word: 'warn', text: 'warn "low" when product.amount < 5', deps: ['lookup:product'] });
    expect(info.key).toMatch(/^warn#[0-9a-f]{6}$/);
  });
});

describe('map, setExpr, unmap', () => {
  it('map adds an assignment inside a line-item block, aligned as the lines above it', () => {
    const r = ok(order, { kind: 'map', target: 'lines[].discount', expr: '0' }, ORDER);
    expect(r.text).toBe(replaced(order,
      '        item_class = first(collect(first(product_categories, p => p.product_id == (item.product_id ?? 0))?.ancestry ?? [], c => category_class[string(c)]), k => k != null) ?? ""\n      }\n',
      '        item_class = first(collect(first(product_categories, p => p.product_id == (item.product_id ?? 0))?.ancestry ?? [], c => category_class[string(c)]), k => k != null) ?? ""\n      }\n      discount    = 0\n'));
    expect(r.edits).toEqual([{ start: expect.any(Number), end: expect.any(Number), newText: '      discount    = 0\n' }]);
    expect(errorsOf(r)).toEqual([]);
  });

  it('map of a field of a nested object not mapped yet creates the object; line items need their each', () => {
    const text = replaced(order, '    ship_to = {\n', '    ship_to_x = {\n');
    const without = text.slice(0, text.indexOf('    ship_to_x = {')) + text.slice(text.indexOf('    }\n  }\n', text.indexOf('    ship_to_x = {')) + 6);
    const r = ok(without, { kind: 'map', target: 'ship_to.city', expr: 'truncate(ship?.city ?? "", 20)' }, ORDER);
    expect(r.text).toBe(replaced(without, '    }\n  }\n\n  write sagepro', '    }\n    ship_to = { city = truncate(ship?.city ?? "", 20) }\n  }\n\n  write sagepro'));
    expect(r.model.maps[0]!.assignments.find((x) => x.target === 'ship_to.city')?.expr).toBe('truncate(ship?.city ?? "", 20)');
    const noLines = replaced(order, '    lines = each order.items', '    lines_x = each order.items');
    expect(refused(noLines, { kind: 'map', target: 'lines[].item', expr: '""' }, ORDER)).toBe("map:so has no line items 'lines' to put 'item' in: map 'lines' first");
  });

  it('map on an assigned target replaces its expression only', () => {
    const r = ok(order, { kind: 'map', target: 'ship_to.city', expr: 'truncate(upper(ship?.city ?? ""), 20)' }, ORDER);
    expect(r.text).toBe(replaced(order, 'city     = truncate(ship?.city ?? "", 20)', 'city     = truncate(upper(ship?.city ?? ""), 20)'));
    expect(r.edits.length).toBe(1);
  });

  it('unmap removes the assignment line with its own leading comment', () => {
    const r = ok(order, { kind: 'unmap', target: 'status' }, ORDER);
    expect(r.text).toBe(replaced(order,
      '    // Paid and awaiting-payment orders are booked; declined, canceled and refunded ones are not.\n    // Custom status codes (stores can add their own) reject the order for a person to look at.\n    status = match order.payment_status?.code {\n      "P" | "A" | "PP" | "Q" => ""\n      "D" | "C"              => reject "payment declined or order canceled"\n      "R"                    => reject "order refunded before it reached Sage Pro"\n      null                   => reject "the order has no payment status"\n    }\n',
      ''));
  });

  it('unmap of a member on a shared line takes its separator', () => {
    const r = ok(order, { kind: 'unmap', target: 'line_discount.item' }, ORDER);
    expect(r.text).toBe(replaced(order, '{ amount = discount_total, item = charge_item["discount"], description', '{ amount = discount_total, description'));
  });

  it('a target assigned in two when branches must be named by its id', () => {
    expect(refused(order, { kind: 'unmap', target: 'terms' }, ORDER)).toMatch(/'terms' is assigned 2 times in map:so \(when#5\/terms, when#6\/terms\): name one by its id/);
    const r = ok(order, { kind: 'setExpr', target: 'when#6/terms', expr: 'truncate(setting["terms_awaiting_payment"], 10)' }, ORDER);
    expect(r.text).toBe(replaced(order, '{ terms = truncate(setting["terms_awaiting_payment"], 20) }', '{ terms = truncate(setting["terms_awaiting_payment"], 10) }'));
  });
});

describe('quickFix', () => {
  it('applies the compiler\'s own truncate fix for FLOW3005 by its id', () => {
    const wide = ok(order, { kind: 'setExpr', target: 'ship_to.city', expr: 'ship?.city ?? ""' }, ORDER);
    const d = wide.model.diagnostics.find((x) => x.code === 'FLOW3005')!;
    expect(d.assignment).toBe('ship_to.city');
    const fix = d.fixes.find((f) => f.title === 'Wrap in truncate(value, 20)')!;
    const r = ok(wide.text, { kind: 'quickFix', id: fix.id }, ORDER);
    expect(r.text).toBe(order);
    expect(errorsOf(r)).toEqual([]);
    expect(refused(order, { kind: 'quickFix', id: fix.id }, ORDER)).toMatch(/no quick fix '3005@.*' for this text/);
  });
});

describe('addStep, removeStep, moveStep', () => {
  it('adds a fetch from the catalog with typed named arguments, after a given step', () => {
    const r = ok(inv, { kind: 'addStep', step: { kind: 'fetch', name: 'item', operation: 'sagepro.inventory.item', args: { item: 'trim(event.data.item)' } }, after: 'lookup:product' });
    expect(refused(inv, { kind: 'addStep', step: { kind: 'fetch', name: 'x', operation: 'xcart.orders.gett', args: {} } })).toMatch(/no operation 'xcart.orders.gett' in the catalogs/);
    expect(refused(inv, { kind: 'addStep', step: { kind: 'fetch', name: 'x', operation: 'xcart.orders.get', args: {} } })).toMatch(/'xcart.orders.get' needs the argument 'order_id' \(int\)/);
    expect(refused(inv, { kind: 'addStep', step: { kind: 'fetch', name: 'x', operation: 'xcart.products.set_stock', args: {} } })).toMatch(/is a write operation/);
    expect(refused(inv, { kind: 'addStep', step: { kind: 'let', name: 'product', expr: '1' } })).toMatch(/already has a step named 'product'/);
    void r;
  });

  it('adds a table from a lookups/ file before the first write, in the file\'s indentation', () => {
    const r = ok(inv, { kind: 'addStep', step: { kind: 'table', name: 'carrier', file: 'carriers.yaml', missing: { default: '"BEST"' } } });
    expect(r.text).toBe(replaced(inv, '  write xcart.products.set_stock', '  table carrier: string -> string from "carriers.yaml" on missing default "BEST"\n  write xcart.products.set_stock'));
    expect(refused(inv, { kind: 'addStep', step: { kind: 'table', name: 'x', file: 'nope.yaml' } })).toMatch(/no lookup file 'nope.yaml'/);
    expect(refused(inv, { kind: 'addStep', step: { kind: 'table', name: 'x', file: '../schemas/policy.yaml' } })).toMatch(/is not a file of the lookups folder/);
  });

  it('adds a let, a write and a skip', () => {
    const l = ok(inv, { kind: 'addStep', step: { kind: 'let', name: 'half', expr: 'available / 2' }, after: 'let:available' });
    expect(l.text).toBe(replaced(inv, '  let available = max(0, floor(event.data.available ?? 0))\n', '  let available = max(0, floor(event.data.available ?? 0))\n  let half = available / 2\n'));
    const w = ok(inv, { kind: 'addStep', step: { kind: 'write', operation: 'xcart.products.set_stock', args: { product_id: 'product.id', amount: '0' }, when: 'available == 0' }, after: 'write:products.set_stock' });
    expect(w.text).toBe(replaced(inv, 'int(available) ?? 0)\n', 'int(available) ?? 0)\n  write xcart.products.set_stock(product_id: product.id, amount: 0) when available == 0\n'));
    const s = ok(inv, { kind: 'addStep', step: { kind: 'skip', condition: '(event.data.available ?? 0) > 1000', because: 'a "suspicious" figure' }, before: 'let:available' });
    expect(s.text).toBe(replaced(inv, '\n  let available', '\n  skip when (event.data.available ?? 0) > 1000 because "a \\"suspicious\\" figure"\n  let available'));
    expect(errorsOf(s)).toEqual([]);
  });

  it('an added step that would not parse is refused, located, the text unchanged', () => {
    const r = applyEdit(inv, { kind: 'addStep', step: { kind: 'let', name: 'x', expr: '1 +' } }, ctx, INV);
    expect(r.ok).toBe(false);
    if (!r.ok) { expect(r.error.message).toMatch(/would make the text unparsable at 16:3: Unexpected 'write'; expected an expression/); expect(r.error.span?.line).toBe(16); }
  });

  it('removes a step with its own leading comment; refuses one that others use', () => {
    const text = replaced(inv, '  lookup product', '  // The X-Cart product of the item.\n  lookup product');
    expect(refused(text, { kind: 'removeStep', key: 'lookup:product' })).toMatch(/step 'lookup:product' is used by 'skip#\w+' \(line 13\), 'write:products.set_stock' \(line 16\)/);
    const t1 = replaced(inv, '  let available = max(0, floor(event.data.available ?? 0))\n  write', '  let available = max(0, floor(event.data.available ?? 0))\n  // spare\n  let spare = 1 // unused\n  write');
    const r = ok(t1, { kind: 'removeStep', key: 'let:spare' });
    expect(r.text).toBe(inv);
  });

  it('moves a step (its comment with it) and refuses a move that breaks a dependency', () => {
    const text = replaced(inv, '  lookup product', '  // The X-Cart product of the item.\n  lookup product');
    const r = ok(text, { kind: 'moveStep', key: 'lookup:product', to: 0 });
    expect(r.text).toBe(replaced(replaced(text, '  // The X-Cart product of the item.\n  lookup product: xcart.Product? = xcart.products.find_by_sku(sku: trim(event.data.item))\n', ''),
      '  // The site\'s web warehouse(s)', '  // The X-Cart product of the item.\n  lookup product: xcart.Product? = xcart.products.find_by_sku(sku: trim(event.data.item))\n  // The site\'s web warehouse(s)'));
    expect(r.model.steps.map((s) => s.key).slice(0, 2)).toEqual(['lookup:product', 'table:web_warehouse']);
    expect(refused(inv, { kind: 'moveStep', key: 'table:web_warehouse', after: 'lookup:product' })).toMatch(/'skip#\w+' uses 'table:web_warehouse', which must come first/);
    expect(refused(inv, { kind: 'moveStep', key: 'write:products.set_stock', to: 0 })).toMatch(/cannot move 'write:products.set_stock' there: 'write:products.set_stock' uses 'lookup:product', which must come first/);
    expect(refused(inv, { kind: 'moveStep', key: 'lookup:product', to: 5 })).toMatch(/'skip#\w+' uses 'lookup:product'/);
    // No name dependency, but the skip narrows `product` for the write: the checker's error refuses it.
    const narrowed = replaced(inv, '\n  let available', '\n  let pid = product.id\n  let available');
    expect(analyzeDesign(narrowed, INV, ctx).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(refused(narrowed, { kind: 'moveStep', key: 'let:pid', after: 'lookup:product' })).toMatch(/cannot move 'let:pid' there: the flow would not check \(.*null/);
  });
});

describe('setTrigger and policies', () => {
  it('changes the poll interval only', () => {
    const r = ok(inv, { kind: 'setTrigger', interval: '15m' });
    expect(r.text).toBe(replaced(inv, 'on every 5m poll', 'on every 15m poll'));
    expect(r.edits).toEqual([{ start: inv.indexOf('5m poll'), end: inv.indexOf('5m poll'), newText: '1' }]);
    expect(refused(order, { kind: 'setTrigger', interval: '5m' }, ORDER)).toMatch(/an event trigger has no interval/);
    expect(refused(inv, { kind: 'setTrigger', interval: 'often' })).toMatch(/'often' is not an interval/);
  });

  it('changes the trigger\'s kind', () => {
    const r = ok(inv, { kind: 'setTrigger', triggerKind: 'schedule', interval: '1h' });
    expect(r.text).toBe(replaced(inv, 'on every 5m poll sagepro.InventoryLevel changed key item, location', 'on schedule every 1h'));
    expect(r.model.trigger).toMatchObject({ kind: 'schedule', interval: '1h' });
    expect(refused(inv, { kind: 'setTrigger', triggerKind: 'event' })).toBe('an event trigger needs an event (xcart.order.created)');
    const e = ok(order, { kind: 'setTrigger', triggerKind: 'poll', interval: '10m', entity: 'sagepro.SalesOrderStatus' }, ORDER);
    expect(e.text).toBe(replaced(order, '  on xcart.order.created\n', '  on every 10m poll sagepro.SalesOrderStatus changed\n'));
  });

  it('setPolicy changes the retry, backoff, alert and then of a policy, touching what differs', () => {
    const r = ok(inv, { kind: 'setPolicy', key: 'policy:transient', retry: 5, backoff: 'exponential 1s..1m' });
    expect(r.text).toBe(replaced(inv, 'on transient retry for 24h backoff exponential 2s..5m then dead_letter', 'on transient retry 5 backoff exponential 1s..1m then dead_letter'));
    const a = ok(inv, { kind: 'setPolicy', key: 'policy:invalid', alert: 'stock row rejected' });
    expect(a.text).toBe(replaced(inv, 'on invalid dead_letter', 'on invalid alert "stock row rejected" then dead_letter'));
    expect(refused(inv, { kind: 'setPolicy', key: 'policy:invalid', then: null })).toMatch(/needs at least one action/);
    expect(refused(inv, { kind: 'setPolicy', key: 'policy:nope', retry: 1 })).toMatch(/no policy 'policy:nope'/);
  });

  it('addPolicy adds a flow-level line or a step block; removePolicy removes it', () => {
    const r = ok(inv, { kind: 'addPolicy', class: 'conflict', alert: 'stock changed meanwhile', then: 'dead_letter' });
    expect(r.text).toBe(replaced(inv, '  on invalid dead_letter\n', '  on invalid dead_letter\n  on conflict alert "stock changed meanwhile" then dead_letter\n'));
    const back = ok(r.text, { kind: 'removePolicy', key: 'policy:conflict' });
    expect(back.text).toBe(inv);
    const s = ok(inv, { kind: 'addPolicy', class: 'transient', step: 'lookup:product', retry: 3 });
    expect(s.text).toBe(replaced(inv, 'find_by_sku(sku: trim(event.data.item))', 'find_by_sku(sku: trim(event.data.item)) { on transient retry 3 }'));
    const s2 = ok(s.text, { kind: 'addPolicy', class: 'invalid', step: 'lookup:product', then: 'skip' });
    expect(s2.text).toBe(replaced(inv, 'find_by_sku(sku: trim(event.data.item))', 'find_by_sku(sku: trim(event.data.item)) { on transient retry 3 on invalid then skip }'));
    const s3 = ok(s2.text, { kind: 'removePolicy', key: 'lookup:product/policy:invalid' });
    expect(s3.text).toBe(s.text);
    expect(ok(s3.text, { kind: 'removePolicy', key: 'lookup:product/policy:transient' }).text).toBe(inv);
    expect(refused(inv, { kind: 'addPolicy', class: 'weird', retry: 1 })).toMatch(/'weird' is not an error class/);
    expect(refused(inv, { kind: 'addPolicy', class: 'transient', retry: 1 })).toMatch(/already has a policy for transient/);
  });
});

describe('line endings', () => {
  it('a CRLF file stays CRLF: inserted lines end with CRLF, no lone LF appears', () => {
    const crlf = inv.replace(/\n/g, '\r\n');
    const edits: VisualEdit[] = [
      { kind: 'addStep', step: { kind: 'let', name: 'half', expr: 'available / 2' }, after: 'let:available' },
      { kind: 'addPolicy', class: 'conflict', then: 'dead_letter' },
      { kind: 'moveStep', key: 'lookup:product', to: 0 },
      { kind: 'removePolicy', key: 'policy:invalid' },
    ];
    let text = crlf;
    for (const e of edits) {
      const r = ok(text, e);
      expect(r.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      text = r.text;
    }
    expect(text).toContain('  let half = available / 2\r\n');
  });
});

describe('malformed edits', () => {
  it('are refused naming the field, never a crash', () => {
    expect(refused(inv, { kind: 'map' } as unknown as VisualEdit)).toBe("map: 'target' must be a string (got nothing)");
    expect(refused(inv, { kind: 'removeStep', key: 7 } as unknown as VisualEdit)).toBe("removeStep: 'key' must be a string (got 7)");
    expect(refused(inv, { kind: 'addStep', step: { kind: 'let', name: 'x' } } as unknown as VisualEdit)).toBe("addStep let: 'expr' must be a string (got nothing)");
    expect(refused(inv, { kind: 'addStep', step: { kind: 'fetch', name: 'x', operation: 'xcart.orders.get', args: { order_id: 5 } } } as unknown as VisualEdit)).toMatch(/'args' must map parameter names to expression texts/);
    expect(refused(inv, { kind: 'explode' } as unknown as VisualEdit)).toMatch(/unknown edit kind 'explode'/);
    expect(refused(inv, null as unknown as VisualEdit)).toMatch(/an edit is an object with a kind/);
    expect(refused(inv, { kind: 'map', target: 'x', expr: '1' })).toBe('the flow has no map');
  });
});

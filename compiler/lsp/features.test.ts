/**
 * `flowc lsp` answering questions, at the protocol level (JSON-RPC over in-memory streams) on the
 * shipped order flow and on text being typed: completion (fields nested and through `?.`, operations,
 * map targets, lookup keys, events, policy keywords, builtins with signatures), hover (types and
 * nullability, Sage Pro storage, descriptions, builtin docs), definition (bindings, schema YAML lines,
 * lookup files), references, rename, signature help; `warn` and `hold when anomaly` (completion, hover,
 * semantic tokens).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CompletionItem, Hover, Location, SignatureHelp, WorkspaceEdit } from 'vscode-languageserver';
import { startTestClient, positionOf, type TestClient } from './test-client.js';

const ORDER = 'mappings/order-to-sales-order.flow';
const orderText = fs.readFileSync(ORDER, 'utf8');
let c: TestClient;
beforeAll(async () => { c = await startTestClient(process.cwd()); });
afterAll(() => c.close());

/** Opens `text` (default: the order flow) and completes at the end of the first `needle`. */
async function complete(needle: string, text = orderText, file = ORDER): Promise<CompletionItem[]> {
  const { uri } = await c.open(file, text);
  return c.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: positionOf(text, needle, needle.length) });
}
const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const detail = (items: CompletionItem[], label: string) => items.find((i) => i.label === label)?.detail;
async function hoverAt(needle: string, delta = 0, text = orderText): Promise<string> {
  const { uri } = await c.open(ORDER, text);
  const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, needle, delta) });
  return h ? (h.contents as { value: string }).value : '';
}

describe('completion', () => {
  test("fields after 'order.' while the line does not parse yet, each with its type", async () => {
    const text = orderText.replace(/po_number +=[^\n]*/, 'po_number    = order.');
    const items = await complete('po_number    = order.', text);
    expect(labels(items)).toEqual(expect.arrayContaining(['id', 'order_number', 'email', 'total', 'items', 'shipping_address', 'payment_status']));
    expect(detail(items, 'email')).toBe('string');
    expect(detail(items, 'order_number')).toBe('string?');
    expect(detail(items, 'items')).toBe('xcart.OrderItem[]');
  });

  test("nested and through '?.': the fields of an address, of a payment status", async () => {
    const t1 = orderText.replace('city     = truncate(ship?.city ?? "", 20)', 'city     = truncate(ship?.');
    expect(labels(await complete('city     = truncate(ship?.', t1))).toEqual(expect.arrayContaining(['street', 'city', 'zipcode', 'country_code']));
    const t2 = orderText.replace('let partly_paid = order.payment_status?.code == "PP"', 'let partly_paid = order.payment_status?.');
    expect(labels(await complete('let partly_paid = order.payment_status?.', t2))).toContain('code');
  });

  test("operations after 'xcart.' and 'sagepro.', with their signatures", async () => {
    const t = orderText.replace('write sagepro.sales_orders.create(so)', 'write sagepro.');
    const items = await complete('write sagepro.', t);
    expect(labels(items)).toEqual(expect.arrayContaining(['sales_orders.create', 'customers.find_by_email']));
    expect(detail(items, 'sales_orders.create')).toMatch(/^sagepro\.sales_orders\.create\(\w+: sagepro\.SalesOrder\)/);
    const t2 = orderText.replace('fetch order: xcart.Order = xcart.orders.get(event.data.order_id)', 'fetch order: xcart.Order = xcart.orders.');
    expect(labels(await complete('= xcart.orders.', t2))).toContain('get');
  });

  test('map targets: the fields of the entity being built that are not assigned yet, required first', async () => {
    // A field assigned at the map's top level (one inside a `when` block is not offered yet: compiler/lsp/README.md).
    const indent = /\n( *)expected_total\s+= order\.total/.exec(orderText)![1]!;
    const t = orderText.replace(/\n( *)expected_total\s+= order\.total/, '\n$1expected_to');
    const items = await complete(`\n${indent}expected_to`, t);
    const total = items.find((i) => i.label === 'expected_total');
    expect(total).toMatchObject({ insertText: 'expected_total = ' });
    expect(total!.detail).toMatch(/^decimal/);
    expect(labels(items)).not.toContain('customer');
  });

  test('lookup tables and their keys; event names after on; policy keywords; builtins with signatures', async () => {
    const flow = 'flow T\n  on xcart.order.created\n  table code: string -> string { "Ground" => "UPS"; "Air" => "FDX" } on missing default ""\n  let x = code[';
    expect(labels(await complete('let x = code[', flow, 'mappings/t.flow'))).toEqual(['"Ground"', '"Air"']);
    const ev = await complete('  on ', 'flow T\n  on ', 'mappings/t.flow');
    expect(labels(ev)).toEqual(expect.arrayContaining(['xcart.order.created', 'every', 'schedule', 'transient']));
    expect(detail(ev, 'xcart.order.created')).toMatch(/^event \{ order_id: int/);
    expect(labels(await complete('on transient ', 'flow T\n  on xcart.order.created\n  on transient ', 'mappings/t.flow')))
      .toEqual(['retry', 'for', 'backoff', 'exponential', 'alert', 'then', 'dead_letter', 'skip', 'fail']);
    const expr = await complete('let y = ', 'flow T\n  on xcart.order.created\n  let y = ', 'mappings/t.flow');
    expect(detail(expr, 'truncate')).toMatch(/^truncate\(string, int\)/);
    expect(detail(expr, 'event')).toMatch(/order_id/);
  });
});

describe('warn and hold when anomaly', () => {
  const flow = 'flow T\n  on xcart.order.created\n  fetch order: xcart.Order = xcart.orders.get(event.data.order_id)\n  warn "big order " + order.email when order.total > 1000\n  hold when anomaly\n';
  test("completion: both at a statement's start, then only 'when anomaly' after 'hold' and 'anomaly' after 'hold when'", async () => {
    const start = await complete('  ', 'flow T\n  on xcart.order.created\n  ', 'mappings/t.flow');
    expect(labels(start)).toEqual(expect.arrayContaining(['warn', 'hold when anomaly', 'skip when']));
    expect(labels(await complete('  hold ', 'flow T\n  on xcart.order.created\n  hold ', 'mappings/t.flow'))).toEqual(['when anomaly']);
    expect(labels(await complete('  hold when an', 'flow T\n  on xcart.order.created\n  hold when an', 'mappings/t.flow'))).toEqual(['anomaly']);
  });
  test('hover: the keywords say what the statement does; the message is still an expression with its type', async () => {
    const at = async (needle: string, delta: number) => {
      const { uri } = await c.open('mappings/t.flow', flow);
      const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(flow, needle, delta) });
      return h ? (h.contents as { value: string }).value : '';
    };
    expect(await at('warn "big', 1)).toContain('Adds a warning to the run log');
    expect(await at('hold when anomaly', 12)).toContain("the runtime's anomaly detector flags a write");
    expect(await at('order.email when', 8)).toContain('xcart.Order.email: string');
  });
  test("semantic tokens: 'warn', 'hold' and the 'anomaly' of the clause are keywords", async () => {
    const { uri } = await c.open('mappings/t.flow', flow);
    const { data } = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
    const lines = flow.split('\n');
    const toks: string[] = [];
    let line = 0, ch = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!; ch = data[i]! ? data[i + 1]! : ch + data[i + 1]!;
      toks.push(`${lines[line]!.slice(ch, ch + data[i + 2]!)}:${data[i + 3]}`);
    }
    expect(toks.filter((t) => /^(warn|hold|anomaly):/.test(t))).toEqual(['warn:0', 'hold:0', 'anomaly:0']);
  });
});

describe('hover', () => {
  test('a Sage Pro field in a map: table, column, storage type and width, description', async () => {
    const md = await hoverAt('po_number    = truncate', 2);
    expect(md).toContain('sagepro.SalesOrder.po_number: string');
    expect(md).toMatch(/Sage Pro SOMAST\.PONUM, storage C\(\d+\), width \d+/);
  });
  test('a field read: type and nullability and the schema description', async () => {
    const md = await hoverAt('order.order_number == null', 8);
    expect(md).toContain('xcart.Order.order_number: string?');
    expect(md).toContain('may be null');
  });
  test('a builtin: its signature and one-line doc', async () => {
    const md = await hoverAt('po_number    = truncate(', 'po_number    = '.length + 2);
    expect(md).toMatch(/truncate\(string, int\)/);
    expect(md).toMatch(/\n\n\S.*\.$/);
  });
  test('a binding: its type', async () => {
    expect(await hoverAt('let street = split_street', 5)).toMatch(/street: \{ line1: string/);
  });
});

describe('definition, references, rename', () => {
  test('a binding goes to its fetch, a field to its line in the schema YAML, a lookup to its YAML file', async () => {
    const { uri } = await c.open(ORDER);
    const def = (needle: string, delta: number) => c.request<Location[]>('textDocument/definition', { textDocument: { uri }, position: positionOf(orderText, needle, delta) });
    const fetchLine = orderText.split('\n').findIndex((l) => l.includes('fetch order:'));
    expect((await def('skip when order.order_number', 11))[0]).toMatchObject({ uri, range: { start: { line: fetchLine, character: 8 } } });
    const field = (await def('email: order.email', 14))[0]!;
    const yamlPath = fileURLToPath(field.uri);
    expect(path.relative(process.cwd(), yamlPath)).toBe('mappings/schemas/xcart/Order.yaml');
    expect(fs.readFileSync(yamlPath, 'utf8').split('\n')[field.range.start.line]).toMatch(/^\s+email:/);
    const table = await def('web_customer[order.currency]', 2);
    expect(table.map((l) => path.relative(process.cwd(), fileURLToPath(l.uri)))).toEqual([ORDER, 'mappings/lookups/web-customers.yaml']);
  });

  test('references and rename of a binding; rename of a lookup table', async () => {
    const { uri } = await c.open(ORDER);
    const at = positionOf(orderText, 'let booked_items', 5);
    const refs = await c.request<Location[]>('textDocument/references', { textDocument: { uri }, position: at, context: { includeDeclaration: true } });
    expect(refs.length).toBe(orderText.split(/\bbooked_items\b/).length - 1);
    const edit = await c.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position: at, newName: 'lines_booked' });
    const renamed = TextDocument.applyEdits(TextDocument.create(uri, 'flow', 1, orderText), edit.changes![uri]!);
    expect(renamed).not.toMatch(/\bbooked_items\b/);
    expect(await c.edit(uri, renamed)).toEqual([]);
    const t = await c.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position: positionOf(renamed, 'table carrier', 7), newName: 'ship_via_code' });
    const again = TextDocument.applyEdits(TextDocument.create(uri, 'flow', 1, renamed), t.changes![uri]!);
    expect(again).toContain('table ship_via_code: string -> string from "carriers.yaml"');
    expect(again).toContain('ship_via     = ship_via_code[order.shipping_method_name ?? ""]');
    expect(await c.edit(uri, again)).toEqual([]);
    await expect(c.request('textDocument/rename', { textDocument: { uri }, position: positionOf(again, 'let ship =', 5), newName: 'map' })).rejects.toThrow(/not a valid name/);
  });

  test('signature help: the active parameter of a builtin and of an operation', async () => {
    const t = orderText.replace(/po_number +=[^\n]*/, 'po_number    = truncate(order.order_number, ');
    const { uri } = await c.open(ORDER, t);
    const h = await c.request<SignatureHelp>('textDocument/signatureHelp', { textDocument: { uri }, position: positionOf(t, 'truncate(order.order_number, ', 'truncate(order.order_number, '.length) });
    expect(h.signatures[0]!.label).toMatch(/^truncate\(string, int\)/);
    expect(h.activeParameter).toBe(1);
    const op = await c.request<SignatureHelp>('textDocument/signatureHelp', { textDocument: { uri }, position: positionOf(t, 'find_by_email(', 'find_by_email('.length) });
    expect(op.signatures[0]!.label).toMatch(/^sagepro\.customers\.find_by_email\(email: string/);
  });
});

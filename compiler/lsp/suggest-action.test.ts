/**
 * The "Suggest mappings" code action over the protocol (a real JSON-RPC client, test-client.ts): on
 * the shipped OrderToSalesOrder with fields left out of its map, the action inserts a type-checked
 * suggestion for each, and the flow then checks clean.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, TextEdit } from 'vscode-languageserver';
import { positionOf, startTestClient, type TestClient } from './test-client.js';

const ORDER = 'mappings/order-to-sales-order.flow';
const orderText = fs.readFileSync(ORDER, 'utf8');
let c: TestClient;
beforeAll(async () => { c = await startTestClient(process.cwd()); });
afterAll(() => c.close());

function apply(text: string, edits: TextEdit[]): string { return TextDocument.applyEdits(TextDocument.create('x', 'flow', 1, text), edits); }

test('on the map header: the unmapped fields get their top suggestions, and the flow checks clean', async () => {
  const text = orderText.replace(/\n    order_date   = date\(order.create_date, "America\/New_York"\)/, '')
    .replace(/\n    po_number    = truncate\(setting\["order_prefix"\] \+ order.order_number, 20\)/, '')
    .replace(/\n      description = truncate\(item.name, 50\)/, '');
  const { uri, diagnostics } = await c.open(ORDER, text);
  expect(diagnostics.map((d) => d.code)).toContain('FLOW3003');   // order_date is required
  const at = positionOf(text, 'map order -> so', 4);
  const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: at, end: at }, context: { diagnostics: [] } });
  const action = actions.find((x) => x.title.startsWith('Suggest mappings'));
  expect(action, actions.map((x) => x.title).join('\n')).toBeDefined();
  expect(action!.kind).toBe('refactor.rewrite');
  const next = apply(text, action!.edit!.changes![uri]!);
  expect(next).toContain('order_date = date(order.create_date, "America/New_York")');
  expect(next).toContain('po_number = truncate(order.order_number ?? "", 20)');
  // Inside the `each order.items` body: the element's field, at the body's indentation.
  const lines = next.slice(next.indexOf('    lines = each order.items'), next.indexOf('    ship_to = {'));
  expect(lines).toMatch(/\n {6}description = truncate\(item\.name, 50\)\n/);
  const after = await c.edit(uri, next);
  expect(after.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`)).toEqual([]);
});

test('not offered away from a map header', async () => {
  const { uri } = await c.open(ORDER, orderText);
  const at = positionOf(orderText, 'write sagepro.sales_orders.create', 2);
  const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: at, end: at }, context: { diagnostics: [] } });
  expect(actions.filter((x) => x.title.startsWith('Suggest mappings'))).toEqual([]);
});

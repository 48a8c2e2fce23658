/**
 * The "Suggest mappings" code action over the protocol (a real JSON-RPC client, test-client.ts): on
 * the shipped OrderToSalesOrder with fields left out of its map, the action inserts a type-checked
 * suggestion for each, and the flow then checks clean. A client that resolves code actions
 * (`codeAction.resolveSupport` with `edit`) gets the action without its edit in the list (nothing is
 * computed on a cursor move) and the same edit from `codeAction/resolve`.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, TextEdit } from 'vscode-languageserver';
import { PassThrough } from 'node:stream';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection } from 'vscode-languageserver/node';
import { pathToUri } from './documents/workspace.js';
import { startServer } from './server.js';
import { positionOf, startTestClient, type TestClient } from './test-client.js';

const ORDER = 'mappings/order-to-sales-order.flow';
const orderText = fs.readFileSync(ORDER, 'utf8');
let c: TestClient;
beforeAll(async () => { c = await startTestClient(process.cwd()); });
afterAll(() => c.close());

const withoutThree = (t: string) => t.replace(/\n    order_date   = date\(order.create_date, "America\/New_York"\)/, '')
  .replace(/\n    po_number    = truncate\(setting\["order_prefix"\] \+ order.order_number, 20\)/, '')
  .replace(/\n      description = truncate\(item.name, 50\)/, '');

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

/** A client that says it resolves code actions' edits (test-client.ts's does not). */
async function resolvingClient(): Promise<{ rpc: MessageConnection; close: () => void }> {
  const up = new PassThrough(), down = new PassThrough();
  startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)));
  const rpc = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  rpc.onRequest('client/registerCapability', () => null);
  rpc.listen();
  const init = await rpc.sendRequest<{ capabilities: { codeActionProvider?: { resolveProvider?: boolean } } }>('initialize', {
    processId: null, rootUri: pathToUri(process.cwd()), workspaceFolders: [{ uri: pathToUri(process.cwd()), name: 'root' }],
    capabilities: { textDocument: { codeAction: { resolveSupport: { properties: ['edit'] }, dataSupport: true } } },
  });
  expect(init.capabilities.codeActionProvider?.resolveProvider).toBe(true);
  await rpc.sendNotification('initialized', {});
  return { rpc, close: () => { rpc.dispose(); up.end(); down.end(); } };
}

test('a resolving client: the list offers the action without computing it, codeAction/resolve gives the edit', async () => {
  const r = await resolvingClient();
  try {
    const text = withoutThree(orderText);
    const uri = pathToUri(fs.realpathSync(ORDER));
    await r.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'flow', version: 7, text } });   // not the version the first test computed
    const at = positionOf(text, 'map order -> so', 4);
    const actions = await r.rpc.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: at, end: at }, context: { diagnostics: [] } });
    const action = actions.find((x) => x.title.startsWith('Suggest mappings'));
    expect(action, actions.map((x) => x.title).join('\n')).toBeDefined();
    expect(action!.kind).toBe('refactor.rewrite');
    expect(action!.edit).toBeUndefined();                 // not computed with the list
    expect(action!.data).toEqual({ suggest: { uri, version: 7, map: 'so' } });
    const resolved = await r.rpc.sendRequest<CodeAction>('codeAction/resolve', action);
    expect(resolved.title).toMatch(/^Suggest mappings \(\d+ fields?: .*order_date/);
    const next = apply(text, resolved.edit!.changes![uri]!);
    expect(next).toContain('order_date = date(order.create_date, "America/New_York")');
    expect(next).toContain('po_number = truncate(order.order_number ?? "", 20)');
    expect(next).toMatch(/\n {6}description = truncate\(item\.name, 50\)\n/);
    // Resolved once for this version: the list now carries it whole.
    const again = await r.rpc.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: at, end: at }, context: { diagnostics: [] } });
    expect(again.find((x) => x.title.startsWith('Suggest mappings'))!.edit).toEqual(resolved.edit);
  } finally { r.close(); }
});

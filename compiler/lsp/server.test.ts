/**
 * `flowc lsp` at the protocol level: a real JSON-RPC client (vscode-jsonrpc) over in-memory streams
 * drives the server through initialize, didOpen/didChange, diagnostics, code actions, formatting,
 * outline, semantic tokens and watched-file changes, on the shipped flows and broken variants of them.
 * Features that answer questions (completion, hover, definition, rename, signature help) are in
 * features.test.ts; the fuzz corpus in fuzz.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, DocumentSymbol, SemanticTokens, TextEdit } from 'vscode-languageserver';
import { createProgram } from '../program.js';
import { formatSource } from '../format/format.js';
import { positionOf, startTestClient, type TestClient } from './test-client.js';
import { pathToUri } from './documents/workspace.js';

const SHIPPED = fs.readdirSync('mappings').filter((f) => f.endsWith('.flow')).sort().map((f) => `mappings/${f}`);
const ORDER = 'mappings/order-to-sales-order.flow';
const orderText = fs.readFileSync(ORDER, 'utf8');

let c: TestClient;
beforeAll(async () => { c = await startTestClient(process.cwd()); });
afterAll(() => c.close());

const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.code} ${d.range.start.line + 1}:${d.range.start.character + 1} ${String(d.message).split('\n')[0]}`);
function apply(text: string, edits: TextEdit[]): string { return TextDocument.applyEdits(TextDocument.create('x', 'flow', 1, text), edits); }
async function fixes(uri: string, d: Diagnostic): Promise<CodeAction[]> {
  return c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
}
async function applyFix(uri: string, text: string, code: string, title: RegExp): Promise<{ text: string; diagnostics: Diagnostic[] }> {
  const d = c.diagnostics.get(uri)!.find((x) => x.code === code);
  expect(d, `${code} expected in ${summary(c.diagnostics.get(uri)!).join('\n')}`).toBeDefined();
  const action = (await fixes(uri, d!)).find((a) => title.test(a.title));
  expect(action, `a fix ${title}`).toBeDefined();
  const next = apply(text, action!.edit!.changes![uri]!);
  return { text: next, diagnostics: await c.edit(uri, next) };
}

describe('initialize and diagnostics', () => {
  test('the server announces its features', async () => {
    const other = await startTestClient(process.cwd());
    const r = await other.request<{ capabilities: Record<string, unknown> }>('initialize', { processId: null, rootUri: null, capabilities: {} });
    expect(Object.keys(r.capabilities).sort()).toEqual(['codeActionProvider', 'completionProvider', 'definitionProvider', 'documentFormattingProvider',
      'documentSymbolProvider', 'hoverProvider', 'referencesProvider', 'renameProvider', 'semanticTokensProvider', 'signatureHelpProvider', 'textDocumentSync']);
    other.close();
  });

  test.each(SHIPPED)('%s: the same diagnostics as flowc check', async (file) => {
    const { diagnostics } = await c.open(file);
    const program = createProgram([file]);
    const expected = program.diagnostics.filter((d) => d.span?.file === file).map((d) => `FLOW${d.code} ${d.span!.line}:${d.span!.column} ${d.message}`);
    expect(summary(diagnostics)).toEqual(expected);
  });

  test('as you type: a misspelt field, a syntax error, then the fix; texts and codes as flowc check prints them', async () => {
    const { uri } = await c.open(ORDER);
    const typo = orderText.replace('customer     = customer?.number', 'customer     = customer?.numbr');
    const d1 = await c.edit(uri, typo);
    const at = positionOf(typo, 'customer?.numbr', 'customer?.'.length);
    expect(summary(d1)).toEqual([`FLOW3001 ${at.line + 1}:${at.character + 1} Type 'sagepro.Customer' has no field 'numbr'.`]);
    expect(d1[0]!.message).toBe("Type 'sagepro.Customer' has no field 'numbr'.\nhint: Did you mean 'number'?");
    expect(d1[0]).toMatchObject({ source: 'flowc', severity: 1 });
    // A syntax error: only the syntax diagnostics, as flowc check reports (the file is not type-checked).
    const d2 = await c.edit(uri, typo.replace(/po_number +=[^\n]*/, 'po_number    = order.'));
    expect(d2.map((d) => d.code)).toEqual(['FLOW1001']);
    // The did-you-mean quick fix.
    await c.edit(uri, typo);
    const fixed = await applyFix(uri, typo, 'FLOW3001', /Change to 'number'/);
    expect(fixed.text).toBe(orderText);
    expect(fixed.diagnostics).toEqual([]);
  });
});

describe('quick fixes', () => {
  test('FLOW3005: wrap a too-wide value in truncate(value, N)', async () => {
    const text = orderText.replace('customer     = customer?.number ?? web_customer[order.currency]', 'customer     = order.email')
      .replace('  table web_customer: string -> string from "web-customers.yaml" on missing default "WEB001"\n', '');
    const { uri } = await c.open(ORDER, text);
    const r = await applyFix(uri, text, 'FLOW3005', /Wrap in truncate\(value, 6\)/);
    expect(r.text).toContain('customer     = truncate(order.email, 6)');
    expect(r.diagnostics).toEqual([]);
  });

  test('FLOW3003: add the missing required target fields', async () => {
    const text = orderText.replace(/\n\s*customer {5}= customer\?\.number \?\? web_customer\[order\.currency\]/, '')
      .replace('  table web_customer: string -> string from "web-customers.yaml" on missing default "WEB001"\n', '');
    const { uri, diagnostics } = await c.open(ORDER, text);
    const so = positionOf(text, 'map order -> so: sagepro.SalesOrder {', 'map order -> so: sagepro.SalesOrder '.length);
    expect(summary(diagnostics)).toEqual([`FLOW3003 ${so.line + 1}:${so.character + 1} Required field 'customer' of 'sagepro.SalesOrder' is never assigned.`]);
    const r = await applyFix(uri, text, 'FLOW3003', /Add the missing required field \(customer\)/);
    expect(r.text).toContain('\n    customer = ""\n  }\n\n  write');
    // The placeholder fits and is typed: what is left is for the author to fill in, not a new error.
    expect(r.diagnostics).toEqual([]);
  });

  test("FLOW3006: add an 'else' arm to a non-exhaustive match", async () => {
    const start = orderText.indexOf('status = match');
    const end = orderText.indexOf('}', start) + 1;
    const variant = `${orderText.slice(0, start)}status = match order.payment_status?.code {\n      "P" | "A" | "PP" | "Q" => ""\n    }${orderText.slice(end)}`;
    const { uri, diagnostics } = await c.open(ORDER, variant);
    expect(diagnostics.map((d) => d.code)).toContain('FLOW3006');
    const r = await applyFix(uri, variant, 'FLOW3006', /Add an 'else' arm/);
    expect(r.text).toContain('"P" | "A" | "PP" | "Q" => "",\n      else => reject "unhandled code"\n    }');
    expect(r.diagnostics).toEqual([]);
  });

  test('FLOW4001: add an idempotency key', async () => {
    const file = 'mappings/new-profile.flow';
    const text = 'flow NewProfile\n  on xcart.order.created\n  fetch order: xcart.Order = xcart.orders.get(event.data.order_id)\n'
      + '  map order -> p: xcart.Profile { id = 0; access_level = 0; status = "E"; login = order.email }\n  write xcart.profiles.create(profile: p)\n';
    const { uri, diagnostics } = await c.open(file, text);
    expect(diagnostics.map((d) => d.code)).toContain('FLOW4001');
    const r = await applyFix(uri, text, 'FLOW4001', /Add an idempotency key/);
    expect(r.text).toContain('  idempotency "new-profile-" + string(event.data.order_id) keep 90d\n  write xcart.profiles.create');
    expect(r.diagnostics.map((d) => d.code)).not.toContain('FLOW4001');
  });
});

describe('formatting, outline, semantic tokens', () => {
  test('formatting is flowc fmt; a file with syntax errors gets no edits', async () => {
    const { uri } = await c.open(ORDER);
    const edits = await c.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(apply(orderText, edits)).toBe(formatSource(orderText).text);
    await c.edit(uri, orderText + '\n  let x = (1 +\n');
    expect(await c.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });

  test('the outline lists each flow with its trigger, steps, tables, map and write', async () => {
    const { uri } = await c.open('mappings/inventory-to-xcart.flow');
    const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(syms.map((s) => s.name)).toEqual(['InventoryToXCart']);
    expect(syms[0]!.children!.map((s) => s.name)).toEqual([
      'on every 5m poll sagepro.InventoryLevel changed key item, location', 'web_warehouse', 'option',
      'skip when not web_warehouse[trim(event.data.location)] because "only the site\'s ',
      'sku', 'product', 'variant', 'skip when product == null and variant == null because "the item is not sold in t', 'available',
      'xcart.products.set_stock(product_id: product?.id ?? 0, amount: int(available) ??',
      'xcart.variants.set_stock(product_id: variant?.product_id ?? 0, variant_id: varia',
      'on transient retry for 24h backoff exponential 2s..5m then dead_letter', 'on invalid dead_letter']);
  });

  test('semantic tokens classify names by what the checker resolved them to', async () => {
    const { uri, text } = await c.open('mappings/inventory-to-xcart.flow');
    const legend = ['keyword', 'string', 'number', 'comment', 'variable', 'parameter', 'function', 'method', 'property', 'type', 'namespace', 'enumMember', 'operator'];
    const { data } = await c.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    const lines = text.split('\n');
    const toks: string[] = [];
    let line = 0, ch = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!; ch = data[i]! ? data[i + 1]! : ch + data[i + 1]!;
      toks.push(`${lines[line]!.slice(ch, ch + data[i + 2]!)}:${legend[data[i + 3]!]}`);
    }
    const at = (s: string) => toks.filter((t) => t.startsWith(`${s}:`))[0];
    expect([at('trim'), at('web_warehouse'), at('product'), at('set_stock'), at('xcart'), at('available'), at('skip'), at('5m'), at('dead_letter')])
      .toEqual(['trim:function', 'web_warehouse:variable', 'product:variable', 'set_stock:method', 'xcart:namespace', 'available:variable', 'skip:keyword', '5m:number', 'dead_letter:enumMember']);
    expect(toks.filter((t) => t.endsWith(':comment')).length).toBe(lines.filter((l) => l.trimStart().startsWith('//')).length);
  });
});

describe('watched files: a changed schema or lookup file re-checks the open flows that use it', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-lsp-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a lookup value of the wrong type, then a schema without the field; each change republishes', async () => {
    fs.cpSync('mappings/schemas', path.join(tmp, 'schemas'), { recursive: true });
    fs.cpSync('mappings/lookups', path.join(tmp, 'lookups'), { recursive: true });
    fs.copyFileSync('mappings/inventory-to-xcart.flow', path.join(tmp, 'inventory.flow'));
    fs.copyFileSync('mappings/sales-order-status-to-xcart.flow', path.join(tmp, 'status.flow'));
    const w = await startTestClient(tmp);
    try {
      const inv = await w.open('inventory.flow');
      const status = await w.open('status.flow');
      expect(inv.diagnostics).toEqual([]);
      expect(status.diagnostics).toEqual([]);
      // The lookup file only the inventory flow reads.
      const lookup = path.join(tmp, 'lookups/web-warehouses.yaml');
      fs.writeFileSync(lookup, fs.readFileSync(lookup, 'utf8').replace('MAIN: true', 'MAIN: "yes"'));
      const next = w.nextDiagnostics(inv.uri);
      await w.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToUri(lookup), type: 2 }] });
      const d = await next;
      expect(d.map((x) => x.code)).toEqual(['FLOW5005']);
      // An entity schema both use: InventoryLevel loses `location`.
      const schema = path.join(tmp, 'schemas/sagepro/InventoryLevel.yaml');
      const before = fs.readFileSync(schema, 'utf8');
      expect(before).toMatch(/\n {2}location:/);
      fs.writeFileSync(schema, before.replace(/\n {2}location:[^]*?(?=\n {2}\w)/, '').replace(/, location\]/, ']').replace(/- location\n/, ''));
      const next2 = w.nextDiagnostics(inv.uri);
      await w.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToUri(schema), type: 2 }] });
      expect((await next2).map((x) => x.code)).toContain('FLOW3001');
    } finally { w.close(); }
  });
});

/**
 * Prints what an editor gets from `flowc lsp` on a shipped flow: the diagnostic of a misspelt field,
 * the completion list after `order.`, and the hover of a Sage Pro field. The README's "Editing flows"
 * shows this output in place of a VS Code screenshot (no VS Code on the build machine).
 *   node --import tsx compiler/lsp/transcript.ts
 */
import fs from 'node:fs';
import type { CompletionItem, CompletionList, Hover } from 'vscode-languageserver';
import { positionOf, startTestClient } from './test-client.js';

const FILE = 'mappings/order-to-sales-order.flow';
const text = fs.readFileSync(FILE, 'utf8');
const c = await startTestClient(process.cwd());
try {
  const typo = text.replace('customer     = customer?.number', 'customer     = customer?.numbr');
  const { uri } = await c.open(FILE, typo);
  const d = c.diagnostics.get(uri) ?? [];
  console.log('--- diagnostics (customer?.numbr) ---');
  for (const x of d) console.log(`${x.range.start.line + 1}:${x.range.start.character + 1} ${String(x.code)} ${(typeof x.message === 'string' ? x.message : x.message.value).replace(/\n/g, ' | ')}`);

  const typing = text.replace(/po_number +=[^\n]*/, 'po_number    = order.');
  await c.edit(uri, typing);
  const r = await c.request<CompletionItem[] | CompletionList>('textDocument/completion', { textDocument: { uri }, position: positionOf(typing, 'po_number    = order.', 'po_number    = order.'.length) });
  const items = Array.isArray(r) ? r : r.items;
  console.log(`--- completion after 'order.' (${items.length} items, first 12) ---`);
  for (const i of items.slice(0, 12)) console.log(`${i.label.padEnd(20)} ${i.detail ?? ''}`);

  await c.edit(uri, text);
  const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'po_number    =', 2) });
  console.log("--- hover on 'po_number' (a Sage Pro field) ---");
  console.log(h ? (h.contents as { value: string }).value : '(none)');
} finally { c.close(); }

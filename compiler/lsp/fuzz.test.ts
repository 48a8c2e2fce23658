/**
 * The server never crashes on the fuzz corpus (test/support/fuzz-corpus.ts, the inputs test/fuzz.test.ts
 * runs against the compiler): each case is typed into one open document (didChange), then every
 * feature is asked about it at two positions. No request may fail and no feature may throw (the
 * server logs a feature that threw instead of answering; a crash would end the editor's session).
 * Every 200th case by default (each case is about 17 requests); LSP_FUZZ=all runs all 10,000.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fuzzCorpus } from '../../test/support/fuzz-corpus.js';
import { startTestClient, type TestClient } from './test-client.js';
import { mulberry32 } from '../../test/support/prng.js';

const STEP = process.env.LSP_FUZZ === 'all' ? 1 : Number(process.env.LSP_FUZZ_STEP ?? 200);
let c: TestClient;
beforeAll(async () => { c = await startTestClient(process.cwd()); });
afterAll(() => c.close());

test(`the server answers every request on ${STEP === 1 ? 'every' : `every ${STEP}th`} case of the fuzz corpus`, async () => {
  const { uri } = await c.open('mappings/fuzz-case.flow', 'flow F\n  on xcart.order.created\n');
  const rnd = mulberry32(0x15f);
  let cases = 0, requests = 0, i = 0;
  const failures: string[] = [];
  for (const k of fuzzCorpus()) {
    if (i++ % STEP !== 0) continue;
    cases++;
    await c.edit(uri, k.text);
    const doc = TextDocument.create(uri, 'flow', 1, k.text);
    for (const offset of [Math.floor(rnd() * (k.text.length + 1)), k.text.length]) {
      const position = doc.positionAt(offset);
      const td = { textDocument: { uri } };
      const asks: [string, unknown][] = [
        ['textDocument/completion', { ...td, position }], ['textDocument/hover', { ...td, position }],
        ['textDocument/definition', { ...td, position }], ['textDocument/references', { ...td, position, context: { includeDeclaration: true } }],
        ['textDocument/prepareRename', { ...td, position }], ['textDocument/signatureHelp', { ...td, position }],
        ['textDocument/codeAction', { ...td, range: { start: { line: 0, character: 0 }, end: doc.positionAt(k.text.length) }, context: { diagnostics: [] } }],
      ];
      if (offset === k.text.length) {
        asks.push(['textDocument/documentSymbol', td], ['textDocument/semanticTokens/full', td],
          ['textDocument/formatting', { ...td, options: { tabSize: 2, insertSpaces: true } }]);
      }
      for (const [method, params] of asks) {
        requests++;
        try { await c.request(method, params); } catch (err) { failures.push(`${k.label}: ${method} failed: ${(err as Error).message}\ninput: ${JSON.stringify(k.text).slice(0, 500)}`); }
      }
    }
    if (c.logs.length) { failures.push(`${k.label}: ${c.logs.join('\n').slice(0, 1500)}\ninput: ${JSON.stringify(k.text).slice(0, 500)}`); c.logs.length = 0; }
    if (failures.length >= 3) break;
  }
  console.log(`lsp fuzz: ${cases} cases, ${requests} requests, ${failures.length} failures`);
  expect(failures).toEqual([]);
}, 300_000);

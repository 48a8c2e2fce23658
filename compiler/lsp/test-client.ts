/**
 * For the protocol tests: the server (server.ts) and a real JSON-RPC client (vscode-jsonrpc, which
 * vscode-languageserver ships with) connected by two in-memory streams, the way an editor talks to
 * `flowc lsp` over stdio. The client records every published diagnostic set.
 */
import { PassThrough } from 'node:stream';
import fs from 'node:fs';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection } from 'vscode-languageserver/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';
import { startServer } from './server.js';
import { pathToUri } from './documents/workspace.js';

export interface TestClient {
  readonly rpc: MessageConnection;
  /** The last diagnostics published per URI. */
  readonly diagnostics: Map<string, Diagnostic[]>;
  /** Resolves with the next diagnostics published for `uri`. */
  nextDiagnostics(uri: string): Promise<Diagnostic[]>;
  open(file: string, text?: string): Promise<{ uri: string; text: string; diagnostics: Diagnostic[] }>;
  /** Replaces the whole text (version + 1) and waits for its diagnostics. */
  edit(uri: string, text: string): Promise<Diagnostic[]>;
  request<R>(method: string, params: unknown): Promise<R>;
  /** Server log lines (window/logMessage): a feature that threw shows here. */
  readonly logs: string[];
  close(): void;
}

export async function startTestClient(root: string): Promise<TestClient> {
  const up = new PassThrough(), down = new PassThrough();
  startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)));
  const rpc = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const diagnostics = new Map<string, Diagnostic[]>();
  const waiting = new Map<string, ((d: Diagnostic[]) => void)[]>();
  const logs: string[] = [];
  rpc.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnostics.set(p.uri, p.diagnostics);
    const w = waiting.get(p.uri);
    if (w?.length) w.shift()!(p.diagnostics);
  });
  rpc.onNotification('window/logMessage', (p: { message: string }) => { logs.push(p.message); });
  rpc.onRequest('client/registerCapability', () => null);
  rpc.listen();
  await rpc.sendRequest('initialize', {
    processId: null, rootUri: pathToUri(root), workspaceFolders: [{ uri: pathToUri(root), name: 'root' }],
    capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } }, textDocument: { completion: { completionItem: { snippetSupport: true } } } },
  });
  await rpc.sendNotification('initialized', {});
  const versions = new Map<string, number>();
  const nextDiagnostics = (uri: string) => new Promise<Diagnostic[]>((resolve) => { waiting.set(uri, [...(waiting.get(uri) ?? []), resolve]); });
  return {
    rpc, diagnostics, logs, nextDiagnostics,
    async open(file, text) {
      const abs = path.resolve(root, file);
      const uri = pathToUri(abs);
      const body = text ?? fs.readFileSync(abs, 'utf8');
      versions.set(uri, 1);
      const next = nextDiagnostics(uri);
      await rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'flow', version: 1, text: body } });
      return { uri, text: body, diagnostics: await next };
    },
    async edit(uri, text) {
      const v = (versions.get(uri) ?? 1) + 1;
      versions.set(uri, v);
      const next = nextDiagnostics(uri);
      await rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text }] });
      return next;
    },
    request: (method, params) => rpc.sendRequest(method, params),
    close: () => { rpc.dispose(); up.end(); down.end(); },
  };
}

/** The LSP position of the first occurrence of `needle` (plus `delta` characters) in `text`. */
export function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`'${needle}' not found`);
  const before = text.slice(0, at + delta);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
}

/**
 * `flowc lsp`: the .flow language server (stdio), on vscode-languageserver. One Workspace (open
 * documents, their analyses on the compiler's own pipeline, schemas and lookup files); one file per
 * feature beside this one. Every handler is guarded: an exception in a feature is logged and answered
 * with an empty result, never allowed to end the session (an editor would lose its server).
 *
 * Capabilities: incremental text sync; diagnostics pushed after open/change and after a watched
 * schema, catalog or lookup file changes (workspace/didChangeWatchedFiles; the server asks the client
 * to watch **\/*.yaml when the client supports dynamic registration); completion (`.`, `[`, `"`, ` `
 * trigger it), hover, definition, references, rename (with prepareRename), code actions (quick fixes; "Suggest mappings" computed in codeAction/resolve when the client resolves),
 * document symbols, semantic tokens (full), formatting, signature help (`(`, `,`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createConnection, DidChangeWatchedFilesNotification, TextDocumentSyncKind, type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { Workspace } from './documents/workspace.js';
import { lspDiagnostics } from './diagnostics.js';
import { completion } from './completion.js';
import { hover } from './hover.js';
import { definition } from './definition.js';
import { prepareRename, references, rename } from './references.js';
import { codeActions, resolveCodeAction } from './code-actions.js';
import { documentSymbols } from './symbols.js';
import { legend, semanticTokens } from './semantic-tokens.js';
import { formatting } from './formatting.js';
import { signatureHelp } from './signature-help.js';

export function startServer(connection: Connection): void {
  let ws = new Workspace(process.cwd());
  let watchDynamically = false;
  // The client resolves code actions' edits (codeAction/resolve): "Suggest mappings" is computed there.
  let resolveEdits = false;

  const guard = <P, R>(name: string, empty: R, f: (p: P) => R) => (p: P): R => {
    try { return f(p); } catch (err) {
      if ((err as { code?: number }).code === -32602) throw err; // an answer for the user (invalid rename)
      connection.console.error(`flowc lsp: ${name} failed: ${(err as Error).stack ?? err}`);
      return empty;
    }
  };
  const publish = (uri: string) => {
    const a = ws.analysis(uri);
    if (a) void connection.sendDiagnostics({ uri, version: a.version, diagnostics: lspDiagnostics(a, ws.root) });
  };

  connection.onInitialize((params): InitializeResult => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    ws = new Workspace(folder?.startsWith('file:') ? fileURLToPath(folder) : params.rootPath ?? process.cwd());
    watchDynamically = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    resolveEdits = !!params.capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit');
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ['.', '[', '"', ' '] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        codeActionProvider: { codeActionKinds: ['quickfix', 'refactor.rewrite'], resolveProvider: true },
        documentSymbolProvider: true,
        semanticTokensProvider: { legend, full: true },
        documentFormattingProvider: true,
        signatureHelpProvider: { triggerCharacters: ['(', ','] },
      },
      serverInfo: { name: 'flowc lsp' },
    };
  });
  connection.onInitialized(() => {
    if (watchDynamically) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }] });
  });

  connection.onDidOpenTextDocument(guard('didOpen', undefined, (p) => { ws.open(p.textDocument.uri, p.textDocument.version, p.textDocument.text); publish(p.textDocument.uri); }));
  connection.onDidChangeTextDocument(guard('didChange', undefined, (p) => { ws.change(p.textDocument.uri, p.textDocument.version, p.contentChanges); publish(p.textDocument.uri); }));
  connection.onDidCloseTextDocument(guard('didClose', undefined, (p) => { ws.close(p.textDocument.uri); void connection.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] }); }));
  connection.onDidChangeWatchedFiles(guard('didChangeWatchedFiles', undefined, (p) => {
    const files = p.changes.filter((c) => c.uri.startsWith('file:')).map((c) => path.resolve(fileURLToPath(c.uri)));
    for (const uri of ws.changed(files)) publish(uri);
  }));

  const offset = (uri: string, pos: { line: number; character: number }) => ws.document(uri)?.offsetAt(pos) ?? 0;
  connection.onCompletion(guard('completion', [], (p) => completion(ws, p.textDocument.uri, offset(p.textDocument.uri, p.position))));
  connection.onHover(guard('hover', null, (p) => hover(ws, p.textDocument.uri, offset(p.textDocument.uri, p.position))));
  connection.onDefinition(guard('definition', [], (p) => definition(ws, p.textDocument.uri, offset(p.textDocument.uri, p.position))));
  connection.onReferences(guard('references', [], (p) => references(ws, p.textDocument.uri, offset(p.textDocument.uri, p.position), p.context.includeDeclaration)));
  connection.onPrepareRename(guard('prepareRename', null, (p) => prepareRename(ws, p.textDocument.uri, offset(p.textDocument.uri, p.position))));
  connection.onRenameRequest(guard('rename', null, (p) => rename(ws, p.textDocument.uri, offset(p.textDocument.uri, p.position), p.newName)));
  connection.onCodeAction(guard('codeAction', [], (p) => codeActions(ws, p.textDocument.uri, p.range, { lazy: resolveEdits })));
  // A failure answers the action as it came (no edit), never an error the editor shows as a crash.
  connection.onCodeActionResolve((p) => guard('codeActionResolve', p, (q: typeof p) => resolveCodeAction(ws, q))(p));
  connection.onDocumentSymbol(guard('documentSymbol', [], (p) => { const a = ws.analysis(p.textDocument.uri); return a ? documentSymbols(a) : []; }));
  connection.languages.semanticTokens.on(guard('semanticTokens', { data: [] }, (p) => { const a = ws.analysis(p.textDocument.uri); return a ? semanticTokens(a) : { data: [] }; }));
  connection.onDocumentFormatting(guard('formatting', [], (p) => { const a = ws.analysis(p.textDocument.uri); return a ? formatting(a) : []; }));
  connection.onSignatureHelp(guard('signatureHelp', null, (p) => { const a = ws.analysis(p.textDocument.uri); return a ? signatureHelp(a, offset(p.textDocument.uri, p.position)) : null; }));

  connection.listen();
}

/** `flowc lsp`: the server on stdin/stdout; the process ends when the client sends `exit`. */
export function startStdioServer(): void {
  startServer(createConnection(process.stdin, process.stdout));
}

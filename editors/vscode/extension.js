// The VS Code client of `flowc lsp`: starts the server over stdio in the workspace folder
// (settings flow.server.command / flow.server.args, default `npx flowc lsp`) for .flow files, and
// lets it watch the schema, catalog and lookup YAML files.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('flow');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const run = { command: config.get('server.command', 'npx'), args: config.get('server.args', ['flowc', 'lsp']), transport: TransportKind.stdio, options: { cwd: folder, shell: process.platform === 'win32' } };
  client = new LanguageClient('flow', 'Connect .flow (flowc lsp)', { run, debug: run }, {
    documentSelector: [{ scheme: 'file', language: 'flow' }, { scheme: 'untitled', language: 'flow' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}') },
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() { return client ? client.stop() : undefined; }

module.exports = { activate, deactivate };

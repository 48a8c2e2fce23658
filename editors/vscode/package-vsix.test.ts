/**
 * `npm run package:vscode` builds an installable .vsix offline: the OPC parts VS Code reads
 * ([Content_Types].xml, extension.vsixmanifest naming extension/package.json), the files the
 * extension's package.json points at, and the language client it requires, with its dependencies;
 * the TextMate grammar is JSON whose patterns compile. Listed with the system's unzip.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the .vsix holds the manifest, the extension, its grammar and its language client', () => {
  const out = path.join(tmp, 'flow.vsix');
  execFileSync(process.execPath, ['editors/vscode/package-vsix.mjs', '--out', out]);
  const names = execFileSync('unzip', ['-Z1', out], { encoding: 'utf8' }).trim().split('\n');
  expect(names.slice(0, 2)).toEqual(['[Content_Types].xml', 'extension.vsixmanifest']);
  const manifest = execFileSync('unzip', ['-p', out, 'extension.vsixmanifest'], { encoding: 'utf8' });
  expect(manifest).toContain('<Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json"');
  const pkg = JSON.parse(execFileSync('unzip', ['-p', out, 'extension/package.json'], { encoding: 'utf8' }));
  for (const f of [pkg.main, pkg.contributes.grammars[0].path, pkg.contributes.languages[0].configuration]) {
    expect(names).toContain(`extension/${path.posix.normalize(f)}`);
  }
  // What extension.js requires (vscode-languageclient/node: lib/node/main.js by its exports), and what that requires, is inside the package.
  for (const dep of ['vscode-languageclient/lib/node/main.js', 'vscode-languageclient/package.json', 'vscode-jsonrpc/package.json', 'vscode-languageserver-protocol/package.json', 'semver/package.json', 'minimatch/package.json']) {
    expect(names).toContain(`extension/node_modules/${dep}`);
  }
  const grammar = JSON.parse(fs.readFileSync('editors/vscode/syntaxes/flow.tmLanguage.json', 'utf8'));
  for (const p of grammar.patterns) for (const re of [p.match, p.begin, p.end].filter(Boolean)) expect(() => new RegExp(re)).not.toThrow();
  // The same input gives the same bytes.
  const again = path.join(tmp, 'again.vsix');
  execFileSync(process.execPath, ['editors/vscode/package-vsix.mjs', '--out', again]);
  expect(fs.readFileSync(again).equals(fs.readFileSync(out))).toBe(true);
});

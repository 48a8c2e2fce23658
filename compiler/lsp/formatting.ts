/** Document formatting: `flowc fmt`'s core (compiler/format/format.ts); nothing for a file with syntax errors. */
import type { TextEdit } from 'vscode-languageserver';
import { formatSource } from '../format/format.js';
import type { Analysis } from './documents/workspace.js';

export function formatting(a: Analysis): TextEdit[] {
  if (a.issues.length) return [];
  const r = formatSource(a.text, a.file);
  if (!r.changed) return [];
  return [{ range: { start: { line: 0, character: 0 }, end: a.doc.positionAt(a.text.length) }, newText: r.text }];
}

/**
 * The analysis's diagnostics (compileSource: the same codes and texts as `flowc check`) as LSP
 * diagnostics: code `FLOW<n>`, source `flowc`, the message exactly, the hint in `data.hint` (and after
 * the message, as `flowc check` prints it below the code frame), related notes as related information.
 */
import path from 'node:path';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { codeOf, type Diagnostic } from '../diagnostics/diagnostic.js';
import { pathToUri, type Analysis } from './documents/workspace.js';
import { rangeOf, rangeOfForeign } from './nodes.js';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, message: DiagnosticSeverity.Information } as const;

export function toLspDiagnostic(a: Analysis, d: Diagnostic, root = path.dirname(a.absPath)): LspDiagnostic {
  const range = d.span ? rangeOf(a.doc, d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const out: LspDiagnostic = {
    range, severity: SEVERITY[d.category], code: codeOf(d), source: 'flowc',
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
    data: { message: d.message, ...(d.hint ? { hint: d.hint } : {}) },
  };
  if (d.related?.length) {
    out.relatedInformation = d.related.map((r) => ({
      location: r.span.file === a.file
        ? { uri: a.uri, range: rangeOf(a.doc, r.span) }
        : { uri: pathToUri(path.resolve(root, r.span.file)), range: rangeOfForeign(r.span) },
      message: r.message,
    }));
  }
  return out;
}

export function lspDiagnostics(a: Analysis, root: string): LspDiagnostic[] {
  return a.diagnostics.map((d) => toLspDiagnostic(a, d, root));
}

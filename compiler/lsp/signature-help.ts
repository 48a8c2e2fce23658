/**
 * Signature help inside a call's parentheses: a builtin's signature and doc, or an operation's
 * parameters from its catalog; the active parameter is the number of commas before the cursor at the
 * call's own depth. Read from the text before the cursor, since an unfinished call does not parse.
 */
import type { SignatureHelp } from 'vscode-languageserver';
import { builtinSignature, operationSignature } from './describe.js';
import type { Analysis } from './documents/workspace.js';

export function signatureHelp(a: Analysis, offset: number): SignatureHelp | null {
  const text = a.text;
  let depth = 0, commas = 0, i = offset - 1;
  // Strings on the current stretch are skipped: a quote toggles (escapes are rare enough here).
  let inString = false;
  for (; i >= 0; i--) {
    const c = text[i]!;
    if (c === '"' && text[i - 1] !== '\\') { inString = !inString; continue; }
    if (inString) continue;
    if (c === '\n' && /^\s*(on|fetch|lookup|let|idempotency|require|skip|table|map|write|flow)\b/.test(text.slice(i + 1))) return null;
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) { if (c === '(') break; return null; }
      depth--;
    } else if (c === ',' && depth === 0) commas++;
  }
  if (i < 0) return null;
  const callee = /([A-Za-z_][\w.]*)\s*$/.exec(text.slice(Math.max(0, i - 200), i))?.[1];
  if (!callee) return null;
  const op = a.schemas.operations.get(callee);
  const sig = op ? operationSignature(op) : builtinSignature(callee);
  if (!sig) return null;
  return {
    signatures: [{ label: sig.label, documentation: sig.doc, parameters: sig.params.map((p) => ({ label: p })) }],
    activeSignature: 0, activeParameter: Math.min(commas, Math.max(0, sig.params.length - 1)),
  };
}

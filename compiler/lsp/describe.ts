/**
 * How the language server shows types, fields, builtins and operations (hover, completion details,
 * signature help): from the schema types (compiler/schema/types.ts: `x-sagepro` storage, descriptions)
 * and the checker's builtin signatures (compiler/checker/builtins.ts).
 */
import { BUILTINS, type ParamKind } from '../checker/builtins.js';
import { typeToString, ANY, type Field, type Type } from '../schema/types.js';
import type { Operation } from '../schema/load-schemas.js';

export function typeText(t: Type): string { return typeToString(t); }

export function nullability(t: Type): string {
  return t.nullable ? 'may be null' : 'never null';
}

/** Markdown for a field: type, nullability, Sage Pro storage, description. */
export function fieldDoc(owner: string, f: Field): string {
  const lines = [`\`\`\`flow\n${owner}.${f.name}: ${typeText(f.type)}\n\`\`\``];
  lines.push(`${f.required ? 'required' : 'optional'}, ${nullability(f.type)}${f.readOnly ? ', read-only' : ''}`);
  const s = f.storage;
  if (s?.table || s?.column) {
    const parts = [`Sage Pro ${s.table ?? '?'}.${s.column ?? '?'}`];
    if (s.type) parts.push(`storage ${s.type}`);
    if (s.width !== undefined) parts.push(`width ${s.width}`);
    if (s.justify) parts.push(`${s.justify}-justified`);
    if (s.computed) parts.push(`computed: ${s.computed}`);
    if (s.references) parts.push(`must exist in ${s.references}`);
    lines.push(parts.join(', '));
  }
  if (f.description) lines.push(f.description);
  return lines.join('\n\n');
}

const KIND_TEXT: Partial<Record<ParamKind, string>> = { number: 'number', textlike: 'text', list: 'list', lambda: 'x => ...', any: 'any' };
const kindText = (k: ParamKind): string => KIND_TEXT[k] ?? k;

/** `truncate(string, int) → string`; optional parameters in brackets. */
export function builtinSignature(name: string): { label: string; params: string[]; doc: string } | undefined {
  const sig = BUILTINS[name];
  if (!sig) return undefined;
  const required = sig.params.length - (sig.optional ?? 0);
  const params = sig.params.map((p, i) => (i >= required ? `[${kindText(p)}]` : kindText(p)));
  let result = '';
  try { result = typeText(sig.result(sig.params.map(() => ({ type: ANY })))); } catch { result = ''; }
  return { label: `${name}(${params.join(', ')})${result && result !== 'any' ? ` → ${result}` : ''}`, params, doc: sig.doc };
}

export function operationSignature(op: Operation): { label: string; params: string[]; doc: string } {
  const params = op.params.map((p) => `${p.name}: ${typeText(p.type)}`);
  const label = `${op.system}.${op.name}(${params.join(', ')})${op.returns ? ` → ${typeText(op.returns)}` : ''}`;
  const facts = [`${op.kind}${op.idempotent ? ', idempotent' : ', not idempotent'}`];
  if (op.errors.length) facts.push(`errors: ${op.errors.join(', ')}`);
  return { label, params, doc: [op.description, facts.join('; ')].filter(Boolean).join('\n\n') };
}

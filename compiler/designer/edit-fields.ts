/**
 * setField: one field of a step (fields.ts names them): a let's expression, a skip's condition and
 * reason, a require's condition and reason, an idempotency key, a fetch / lookup / write argument
 * by parameter name, a write's `when`, a table's file and missing policy. A written field's value
 * is replaced, shrunk to what differs; an optional field not written is added after what precedes
 * it in the grammar (` because "..."`, ` when ...`, `, name: value`, ` on missing ...`); value null
 * removes an optional one with its keyword. apply.ts then checks that the field now reads exactly
 * the value given (a value that is not one expression, `x when y`, is refused).
 */
import type * as A from '../../grammar/ast.js';
import type { DesignContext, TextEdit } from './api.js';
import type { Internal, StepInfo } from './model.js';
import { EditRefused } from './refused.js';
import { lookupTypes } from './edit-steps.js';
import { fieldsOf, type FieldInfo } from './fields.js';
import { minimal, quote, type Text } from './text.js';

const MISSING = /^(reject|null|default\s+\S[\s\S]*)$/;

export function stepFor(a: Internal, key: string): StepInfo {
  const s = a.steps.find((x) => x.key === key);
  if (!s) throw new EditRefused(`no step '${key}' in this flow (its steps: ${a.steps.map((x) => x.key).join(', ') || 'none'})`);
  return s;
}

export function fieldFor(a: Internal, ctx: DesignContext, s: StepInfo, field: string): FieldInfo {
  const op = s.design.operation ? ctx.schemas().operations.get(s.design.operation) : undefined;
  const fields = fieldsOf(s.node, a.text, op);
  const f = fields.find((x) => x.design.field === field);
  if (!f) {
    throw new EditRefused(fields.length
      ? `step '${s.key}' has no field '${field}' (its fields: ${fields.map((x) => x.design.field).join(', ')})`
      : `a ${s.design.kind} step has no fields the properties panel edits (let, skip, require, idempotency, fetch, lookup, write, table have)`, s.node.span);
  }
  return f;
}

/** The text a field's value becomes: an expression trimmed, a string quoted, a missing policy as `on missing ...`. */
export function writtenValue(f: FieldInfo, value: string): string {
  if (f.design.kind === 'text') return quote(value);
  if (f.design.kind === 'missing') return `on missing ${value.trim()}`;
  return value.trim();
}

export function setField(a: Internal, t: Text, ctx: DesignContext, key: string, field: string, value: string | null): TextEdit[] {
  if (value === undefined) throw new EditRefused("setField: 'value' is required: a string, or null to remove an optional field");
  if (value !== null && typeof value !== 'string') throw new EditRefused(`setField: 'value' must be a string, or null to remove the field (got ${JSON.stringify(value)})`);
  const s = stepFor(a, key);
  const f = fieldFor(a, ctx, s, field);
  const where = `${field} of '${key}' (line ${s.node.span.line})`;
  const empty = value === null || value.trim() === '';
  if (empty) {
    if (!f.design.optional) throw new EditRefused(`${where} cannot be empty${f.design.kind === 'expr' ? ': give an expression' : ''}`, f.design.span ?? s.node.span);
    return f.node ? removal(t, s.node, f) : [];
  }
  const v = value!;
  if (f.design.kind === 'missing' && !MISSING.test(v.trim())) throw new EditRefused(`${where}: '${v}' is not a missing policy (reject, null, or default <value>)`, f.design.span ?? s.node.span);
  if (field === 'file') lookupTypes(ctx, v);
  if (f.design.kind === 'text' && /[\r\n]/.test(v)) throw new EditRefused(`${where}: a line break cannot be in it`, f.design.span);
  const text = writtenValue(f, v);
  if (f.node) return [minimal(t.text, f.node.span.start, f.node.span.end, text)];
  return [insertion(t, s.node, f, text)];
}

/** Where an optional field not written goes, with its keyword. */
function insertion(t: Text, node: A.FlowItem, f: FieldInfo, text: string): TextEdit {
  const at = (offset: number, newText: string): TextEdit => ({ start: offset, end: offset, newText });
  switch (f.design.field) {
    case 'reason': if (node.kind === 'SkipWhen') return at(node.condition.span.end, ` because ${text}`); break;
    case 'when': if (node.kind === 'Write') return at((node.as ?? node.call).span.end, ` when ${text}`); break;
    case 'missing': if (node.kind === 'TableDecl') return at((node.from ?? node).span.end, ` on missing ${text.replace(/^on missing /, '')}`); break;
    default: {
      const call = f.call;
      if (!call || !f.design.field.startsWith('arg:')) break;
      const name = f.design.field.slice(4);
      const args = call.args.filter((x) => x && x.kind === 'Arg');
      const last = args[args.length - 1];
      if (last) return at(last.span.end, `, ${name}: ${text}`);
      const close = call.span.end - 1;
      if (t.text[close] !== ')') throw new EditRefused(`the call of line ${call.span.line} has no closing ')' to add '${name}' before`, call.span);
      return at(close, `${name}: ${text}`);
    }
  }
  throw new EditRefused(`${f.design.field} cannot be added to this step`, node.span);
}

/** An optional field removed with its keyword (` because ...`, ` when ...`, ` on missing ...`, `, name: value`). */
function removal(t: Text, node: A.FlowItem, f: FieldInfo): TextEdit[] {
  const n = f.node!;
  const cut = (from: number, to: number, keyword: RegExp): TextEdit[] => {
    if (!keyword.test(t.text.slice(from, n.span.start)) || t.commentsIn(from, n.span.start).length) {
      throw new EditRefused(`${f.design.field} of line ${node.span.line} has a comment before it: remove it in the text`, n.span);
    }
    return [{ start: from, end: to, newText: '' }];
  };
  if (node.kind === 'SkipWhen' && f.design.field === 'reason') return cut(node.condition.span.end, n.span.end, /^\s+because\s+$/);
  if (node.kind === 'Write' && f.design.field === 'when') return cut((node.as ?? node.call).span.end, n.span.end, /^\s+when\s+$/);
  if (node.kind === 'TableDecl' && f.design.field === 'missing') {
    let st = n.span.start;
    while (st > 0 && /[ \t\r\n]/.test(t.text[st - 1]!)) st--;
    if (t.commentsIn(st, n.span.start).length) throw new EditRefused(`the missing policy of line ${node.span.line} has a comment before it: remove it in the text`, n.span);
    return [{ start: st, end: n.span.end, newText: '' }];
  }
  const arg = f.arg, call = f.call;
  if (arg && call) {
    const args = call.args.filter((x) => x && x.kind === 'Arg');
    const i = args.indexOf(arg);
    if (!arg.name && args.slice(i + 1).some((x) => !x.name)) {
      throw new EditRefused(`'${f.design.field.slice(4)}' is given by position before other positional arguments: name the arguments first`, arg.span);
    }
    const next = args[i + 1], prev = args[i - 1];
    if (t.commentsIn((prev ?? arg).span.end, (next ?? arg).span.start).length) throw new EditRefused(`the argument of line ${arg.span.line} has a comment beside it: remove it in the text`, arg.span);
    if (next) return [{ start: arg.span.start, end: next.span.start, newText: '' }];
    if (prev) return [{ start: prev.span.end, end: arg.span.end, newText: '' }];
    return [{ start: arg.span.start, end: arg.span.end, newText: '' }];
  }
  throw new EditRefused(`${f.design.field} of line ${node.span.line} cannot be removed`, n.span);
}

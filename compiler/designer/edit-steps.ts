/**
 * Step edits: addStep (fetch / lookup from the operation catalog with typed arguments, a table from
 * a lookups/ file, let, write, skip), removeStep (with its own comment), moveStep (refused when a
 * step would come before one it uses). Each inserts or deletes whole lines in the file's own
 * indentation and line breaks.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type * as A from '../../grammar/ast.js';
import { typeToString } from '../schema/types.js';
import type { DesignContext, NewStep, TextEdit } from './api.js';
import type { Internal, StepInfo } from './model.js';
import { EditRefused } from './refused.js';
import { quote, type Text } from './text.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function addStep(a: Internal, t: Text, ctx: DesignContext, step: NewStep, after?: string, before?: string): TextEdit[] {
  const stmt = statementOf(a, ctx, step);
  const at = insertionPoint(a, t, after, before);
  return [{ start: at.offset, end: at.offset, newText: at.prefix + at.indent + stmt + at.suffix }];
}

function stepByKey(a: Internal, key: string): StepInfo {
  const s = a.steps.find((x) => x.key === key);
  if (!s) throw new EditRefused(`no step '${key}' in this flow (its steps: ${a.steps.map((x) => x.key).join(', ') || 'none'})`);
  return s;
}

/** Where a new line goes: after `after`, before `before`, else before the first write, else after the last step. */
function insertionPoint(a: Internal, t: Text, after?: string, before?: string): { offset: number; indent: string; prefix: string; suffix: string } {
  const eol = t.eol;
  const lineAfter = (node: { span: { start: number; end: number } }) => {
    const ext = t.extent(node.span.start, node.span.end);
    const end = ext.ownLine ? ext.end : t.nextLine(node.span.end);
    const indent = t.indentOf(node.span.start);
    // The last line of the file without a line break: the new line starts with one.
    if (end === t.text.length && t.breakAt(t.lineEnd(node.span.end)) === 0) return { offset: end, indent, prefix: eol, suffix: '' };
    return { offset: end, indent, prefix: '', suffix: eol };
  };
  const lineBefore = (s: StepInfo) => {
    const ext = t.extent(s.node.span.start, s.node.span.end);
    if (!ext.ownLine) throw new EditRefused(`step '${s.key}' shares its line with other code: insert after it instead`, s.node.span);
    return { offset: ext.start, indent: t.indentOf(s.node.span.start), prefix: '', suffix: eol };
  };
  if (after !== undefined) {
    if (after === 'trigger') {
      const trig = a.flow?.items.find((i) => i && (i.kind === 'EventTrigger' || i.kind === 'PollTrigger' || i.kind === 'ScheduleTrigger'));
      if (!trig) throw new EditRefused('the flow has no trigger to insert after');
      return lineAfter(trig);
    }
    return lineAfter(stepByKey(a, after).node);
  }
  if (before !== undefined) return lineBefore(stepByKey(a, before));
  const write = a.steps.find((s) => s.node.kind === 'Write');
  if (write) return lineBefore(write);
  const last = a.steps[a.steps.length - 1];
  if (last) return lineAfter(last.node);
  const anchor = a.flow?.items.find((i) => i && (i.kind === 'EventTrigger' || i.kind === 'PollTrigger' || i.kind === 'ScheduleTrigger'));
  if (anchor) return lineAfter(anchor);
  if (!a.flow) throw new EditRefused('the text has no flow to add a step to');
  // A flow of its header only.
  const headerEnd = a.flow.span.end;
  return { offset: headerEnd, indent: '  ', prefix: eol, suffix: '' };
}

function declared(a: Internal, name: string): boolean {
  return a.steps.some((s) => s.design.name === name);
}

function checkName(a: Internal, name: string, what: string): void {
  if (!IDENT.test(name)) throw new EditRefused(`'${name}' is not a name for a ${what} (letters, digits and _, not starting with a digit)`);
  if (declared(a, name)) throw new EditRefused(`the flow already has a step named '${name}'`);
}

function argsOf(ctx: DesignContext, opId: string, args: Readonly<Record<string, string>> | undefined, kind: 'read' | 'write'): { text: string; returns?: string } {
  const op = ctx.schemas().operations.get(opId);
  if (!op) {
    const near = [...ctx.schemas().operations.keys()].filter((k) => k.split('.').pop() === opId.split('.').pop() || k.startsWith(opId.split('.').slice(0, 2).join('.')));
    throw new EditRefused(`no operation '${opId}' in the catalogs (mappings/schemas/*/operations.yaml)${near.length ? `; did you mean ${near.slice(0, 4).map((n) => `'${n}'`).join(', ')}?` : ''}`);
  }
  if (op.kind !== kind) throw new EditRefused(`'${opId}' is a ${op.kind} operation: ${kind === 'read' ? 'add it as a write' : 'add it as a fetch or lookup'}`);
  const given = { ...(args ?? {}) };
  for (const k of Object.keys(given)) {
    if (!op.params.some((p) => p.name === k)) throw new EditRefused(`'${opId}' has no parameter '${k}' (its parameters: ${op.params.map((p) => `${p.name}: ${typeToString(p.type)}`).join(', ') || 'none'})`);
    if (!String(given[k]).trim()) throw new EditRefused(`the argument '${k}' of '${opId}' is empty`);
  }
  const parts: string[] = [];
  for (const p of op.params) {
    const v = given[p.name];
    if (v === undefined) {
      if (!p.type.nullable) throw new EditRefused(`'${opId}' needs the argument '${p.name}' (${typeToString(p.type)})`);
      continue;
    }
    parts.push(`${p.name}: ${v.trim()}`);
  }
  return { text: `${opId}(${parts.join(', ')})`, ...(op.returns ? { returns: typeToString(op.returns) } : {}) };
}

function needString(s: NewStep, field: string): void {
  const v = (s as unknown as Record<string, unknown>)[field];
  if (typeof v !== 'string') throw new EditRefused(`addStep ${s.kind}: '${field}' must be a string (got ${v === undefined ? 'nothing' : JSON.stringify(v)})`);
}

const STEP_FIELDS: Record<string, readonly string[]> = { fetch: ['name', 'operation'], lookup: ['name', 'operation'], let: ['name', 'expr'], write: ['operation'], skip: ['condition'], table: ['name', 'file'] };

function statementOf(a: Internal, ctx: DesignContext, s: NewStep): string {
  for (const f of STEP_FIELDS[s.kind] ?? []) needString(s, f);
  const args = (s as { args?: unknown }).args;
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args) || Object.values(args).some((v) => typeof v !== 'string')))
    throw new EditRefused(`addStep ${s.kind}: 'args' must map parameter names to expression texts`);
  switch (s.kind) {
    case 'fetch': case 'lookup': {
      checkName(a, s.name, s.kind);
      const call = argsOf(ctx, s.operation, s.args, 'read');
      const type = s.type ?? call.returns;
      return `${s.kind} ${s.name}${type ? `: ${type}` : ''} = ${call.text}`;
    }
    case 'let':
      checkName(a, s.name, 'let');
      if (!s.expr?.trim()) throw new EditRefused(`let ${s.name} needs an expression`);
      return `let ${s.name} = ${s.expr.trim()}`;
    case 'write': {
      const call = argsOf(ctx, s.operation, s.args, 'write');
      if (s.as !== undefined) checkName(a, s.as, 'write');
      return `write ${call.text}${s.as ? ` as ${s.as}` : ''}${s.when?.trim() ? ` when ${s.when.trim()}` : ''}`;
    }
    case 'skip':
      if (!s.condition?.trim()) throw new EditRefused('skip when needs a condition');
      return `skip when ${s.condition.trim()}${s.because !== undefined ? ` because ${quote(s.because)}` : ''}`;
    case 'table': {
      checkName(a, s.name, 'table');
      const types = lookupTypes(ctx, s.file);
      const missing = s.missing === undefined || s.missing === 'reject' ? 'reject' : s.missing === 'null' ? 'null' : `default ${s.missing.default}`;
      return `table ${s.name}: ${s.keyType ?? types.key} -> ${s.valueType ?? types.value} from ${quote(s.file)} on missing ${missing}`;
    }
    default:
      throw new EditRefused(`a step of kind '${(s as { kind?: string }).kind}' cannot be added (fetch, lookup, table, let, write, skip)`);
  }
}

/** The key and value types of a lookup file, from its entries (strings unless every value is a bool / number). */
export function lookupTypes(ctx: DesignContext, file: string): { key: string; value: string; entries: number } {
  if (!file || file.includes('\0') || path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) throw new EditRefused(`'${file}' is not a file of the lookups folder`);
  const abs = path.join(ctx.lookupsDir, file);
  if (!fs.existsSync(abs)) {
    const there = fs.existsSync(ctx.lookupsDir) ? fs.readdirSync(ctx.lookupsDir).filter((f) => /\.ya?ml$/.test(f)) : [];
    throw new EditRefused(`no lookup file '${file}' in ${ctx.lookupsDir} (there: ${there.join(', ') || 'none'})`);
  }
  let doc: unknown;
  try { doc = YAML.parse(fs.readFileSync(abs, 'utf8')); } catch (e) { throw new EditRefused(`lookups/${file} is not YAML: ${(e as Error).message}`); }
  const map = doc && typeof doc === 'object' && !Array.isArray(doc) && 'entries' in (doc as object) ? (doc as { entries: unknown }).entries : doc;
  const values = map && typeof map === 'object' && !Array.isArray(map) ? Object.values(map as object) : [];
  const value = values.length && values.every((v) => typeof v === 'boolean') ? 'bool'
    : values.length && values.every((v) => typeof v === 'number' && Number.isInteger(v)) ? 'int'
      : values.length && values.every((v) => typeof v === 'number') ? 'decimal' : 'string';
  return { key: 'string', value, entries: values.length };
}

export function removeStep(a: Internal, t: Text, key: string): TextEdit[] {
  const s = stepByKey(a, key);
  const users = a.steps.filter((x) => x.design.deps.includes(key));
  if (users.length) throw new EditRefused(`step '${key}' is used by ${users.map((u) => `'${u.key}' (line ${u.node.span.line})`).join(', ')}: change or remove those first`, s.node.span);
  return [deletion(t, s.node)];
}

/** Deletes a statement's extent; when blank lines were on both sides, one of them too. */
export function deletion(t: Text, node: { span: { start: number; end: number } }): TextEdit {
  const ext = t.extent(node.span.start, node.span.end);
  if (!ext.ownLine) {
    let e = node.span.end;
    while (t.text[e] === ' ' || t.text[e] === '\t') e++;
    return { start: node.span.start, end: e, newText: '' };
  }
  let end = ext.end;
  const prevBlank = ext.start > 0 && t.isBlankLine(t.lineStart(ext.start - 1));
  if (prevBlank && end < t.text.length && t.isBlankLine(end)) end = t.nextLine(end);
  return { start: ext.start, end, newText: '' };
}

export function moveStep(a: Internal, t: Text, key: string, to?: number, after?: string, before?: string): TextEdit[] {
  const s = stepByKey(a, key);
  const rest = a.steps.filter((x) => x !== s);
  let index: number;
  if (to !== undefined) {
    if (!Number.isInteger(to) || to < 0 || to > rest.length) throw new EditRefused(`position ${to} is outside the flow's steps (0..${rest.length})`);
    index = to;
  } else if (after !== undefined) { const i = rest.findIndex((x) => x.key === after); if (i < 0) stepByKey(a, after); index = i + 1; }
  else if (before !== undefined) { const i = rest.findIndex((x) => x.key === before); if (i < 0) stepByKey(a, before); index = i; }
  else throw new EditRefused('moveStep needs to, after or before');
  const order = [...rest.slice(0, index), s, ...rest.slice(index)];
  if (order.every((x, i) => x === a.steps[i])) return [];
  const pos = new Map(order.map((x, i) => [x.key, i]));
  for (const x of order) {
    for (const d of x.design.deps) {
      if ((pos.get(d) ?? -1) > pos.get(x.key)!) {
        const why = x === s ? `'${key}' uses '${d}'` : `'${x.key}' uses '${key}'`;
        throw new EditRefused(`cannot move '${key}' there: ${why}, which must come first`, s.node.span);
      }
    }
  }
  const ext = t.extent(s.node.span.start, s.node.span.end);
  if (!ext.ownLine) throw new EditRefused(`step '${key}' shares its line with other code and cannot be moved alone`, s.node.span);
  let moved = t.text.slice(ext.start, ext.end);
  let del: TextEdit = { start: ext.start, end: ext.end, newText: '' };
  if (t.breakAt(t.lineEnd(s.node.span.end)) === 0) {
    // The last line of the file has no line break: take the one before it instead.
    const prev = t.lineStart(ext.start) - 1;
    const brk = prev >= 1 && t.text[prev] === '\n' && t.text[prev - 1] === '\r' ? prev - 1 : prev;
    del = { start: Math.max(0, brk), end: ext.end, newText: '' };
    moved += t.eol;
  }
  const next = order[index + 1];
  const prev = order[index - 1];
  let at: number;
  if (next) {
    const ne = t.extent(next.node.span.start, next.node.span.end);
    if (!ne.ownLine) throw new EditRefused(`step '${next.key}' shares its line with other code: move '${key}' elsewhere`);
    at = ne.start;
  } else {
    const pe = t.extent(prev!.node.span.start, prev!.node.span.end);
    at = pe.ownLine ? pe.end : t.nextLine(prev!.node.span.end);
    if (at === t.text.length && t.breakAt(t.lineEnd(prev!.node.span.end)) === 0) moved = t.eol + moved.replace(/(\r\n|\r|\n)$/, '');
  }
  if (at > del.start && at < del.end) return [];
  return [del, { start: at, end: at, newText: moved }];
}

export type { A };

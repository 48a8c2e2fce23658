/**
 * The mapper's visual edits as minimal text edits on the current `.flow` text: each touches only the
 * span it concerns (an assignment's expression, one new line, one removed line), in the file's own
 * indentation and line ends; nothing else is re-printed, so comments and layout stay byte-identical.
 *
 *   map      { target, source | expr }  a new assignment (a line after the last member of the object
 *                                       that holds the target: the map body, an `each` body, a nested
 *                                       object), or a new expression for an existing one
 *   unmap    { target }                 the assignment's line removed (its text only, when it shares a line)
 *   setExpr  { target, expr }           the expression replaced
 *   quickFix { fixId }                  one of the compiler's own quick fixes (compiler/lsp/code-actions.ts)
 *
 * `target` is an assignment's id from the map's view (`lines[].item`; a second assignment of one field,
 * in another `when` block, is `terms#2`). The expression of a dragged source field is written as the
 * flow would: relative to the `each` alias inside a line block (`item.sku`), `?.` after a nullable part.
 */
import type * as A from '../../../grammar/ast.js';
import type { Analysis, Workspace } from '../../../compiler/lsp/documents/workspace.js';
import { ApiError } from '../http.js';
import { fixesFor, lineStartOf, scopesOf, type FieldNode, type MapView } from './designer-mapper-view.js';

export interface TextEdit { start: number; end: number; newText: string }
export type MapperEdit =
  | { kind: 'map'; target: string; expr?: string; source?: string }
  | { kind: 'unmap'; target: string }
  | { kind: 'setExpr'; target: string; expr: string }
  | { kind: 'quickFix'; fixId: string };

export function parseEdit(v: unknown): MapperEdit {
  const e = v as Record<string, unknown> | null;
  if (!e || typeof e !== 'object') throw new ApiError('invalid', 'edit: required, an object { kind, ... }');
  const s = (k: string, req = true): string | undefined => {
    const x = e[k];
    if (x === undefined && !req) return undefined;
    if (typeof x !== 'string' || (req && x.trim() === '')) throw new ApiError('invalid', `edit.${k}: required, a non-empty string`);
    if (x.length > 20_000) throw new ApiError('invalid', `edit.${k}: at most 20000 characters`);
    return x;
  };
  switch (e.kind) {
    case 'map': {
      const expr = s('expr', false), source = s('source', false);
      if (!expr && !source) throw new ApiError('invalid', 'edit: a map edit needs `source` (a source field path) or `expr`');
      return { kind: 'map', target: s('target')!, ...(expr ? { expr } : {}), ...(source ? { source } : {}) };
    }
    case 'unmap': return { kind: 'unmap', target: s('target')! };
    case 'setExpr': return { kind: 'setExpr', target: s('target')!, expr: s('expr')! };
    case 'quickFix': return { kind: 'quickFix', fixId: s('fixId')! };
    default: throw new ApiError('invalid', `edit.kind: '${String(e.kind)}' is not one of map, unmap, setExpr, quickFix`);
  }
}

const eolOf = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');
const indentAt = (text: string, offset: number) => /^[ \t]*/.exec(text.slice(lineStartOf(text, offset)))![0];
const oneLine = (expr: string) => expr.replace(/\r?\n\s*/g, ' ').trim();

/** The end of the line `offset` is on (before its line break). */
function lineEnd(text: string, offset: number): number {
  const n = text.indexOf('\n', offset);
  const e = n < 0 ? text.length : n;
  return e > 0 && text[e - 1] === '\r' ? e - 1 : e;
}

/** The source field `path` (`order.items[].sku`) as an expression at `target` (`lines[].item`). */
export function exprFor(source: string, target: string, map: A.MapDecl, sourceFields: readonly FieldNode[]): string {
  const scopes = scopesOf(map, map.source?.text);
  const prefix = target.includes('.') ? target.slice(0, target.lastIndexOf('.') + 1) : '';
  const scope = scopes.filter((s) => s.prefix === prefix).sort((a, b) => Number(a.inWhen) - Number(b.inWhen))[0];
  let base = source;
  let head = '';
  if (scope?.alias && (source === scope.alias.path || source.startsWith(`${scope.alias.path}.`))) { head = scope.alias.name; base = source.slice(scope.alias.path.length + 1); }
  if (!head && source.includes('[]')) throw new ApiError('invalid', `edit.source: '${source}' is a field of each element of a list; map it to a field of a line block (e.g. ${prefix || 'lines[].'}…) whose each reads that list`);
  // `?.` after every nullable part, as the checker requires.
  const parts = head ? base.split('.') : source.split('.');
  let expr = head || parts.shift()!;
  let path = head ? scope!.alias!.path : expr;
  for (const p of parts) {
    const node = findField(sourceFields, path);
    expr += `${node?.nullable ? '?.' : '.'}${p}`;
    path = `${path}.${p}`;
  }
  return expr;
}

function findField(fields: readonly FieldNode[], path: string): FieldNode | undefined {
  for (const f of fields) {
    if (f.path === path) return f;
    if (f.children && path.startsWith(f.path)) { const r = findField(f.children, path); if (r) return r; }
  }
  return undefined;
}

/** The text edits of one mapper edit on `a` (the analysis of the current text). */
export function editsFor(ws: Workspace, a: Analysis, map: A.MapDecl, view: MapView, edit: MapperEdit, sourceFields: readonly FieldNode[]): TextEdit[] {
  const text = a.text;
  const byId = (id: string) => {
    const x = view.assignments.find((v) => v.id === id);
    if (!x) throw new ApiError('not_found', `edit.target: map ${view.name} has no assignment to '${id}'`);
    return x;
  };
  switch (edit.kind) {
    case 'setExpr': { const x = byId(edit.target); return [{ start: x.exprStart, end: x.exprEnd, newText: edit.expr.trim() }]; }
    case 'unmap': {
      const x = byId(edit.target);
      const ls = lineStartOf(text, x.start), le = lineEnd(text, x.end);
      const alone = text.slice(ls, x.start).trim() === '' && text.slice(x.end, le).trim() === '';
      if (!alone) return [{ start: x.start, end: x.end, newText: '' }];
      const next = le < text.length ? le + (text[le] === '\r' ? 2 : 1) : le;
      return [{ start: ls, end: next, newText: '' }];
    }
    case 'quickFix': {
      const m = /^FLOW(\d+)@(\d+)-(\d+)#(\d+)$/.exec(edit.fixId);
      if (!m) throw new ApiError('invalid', `edit.fixId: '${edit.fixId}' is not a fix id from the map's diagnostics`);
      const fix = fixesFor(ws, a, Number(m[2]), Number(m[3]), Number(m[1]))[Number(m[4])];
      if (!fix) throw new ApiError('conflict', `edit.fixId: the fix '${edit.fixId}' is not offered for this text any more (reload the map's problems)`);
      return fix.edits.map((e) => ({ start: a.doc.offsetAt(e.range.start), end: a.doc.offsetAt(e.range.end), newText: e.newText }));
    }
    case 'map': {
      const expr = edit.expr ? edit.expr.trim() : exprFor(edit.source!, edit.target, map, sourceFields);
      const existing = view.assignments.find((v) => v.id === edit.target);
      if (existing) return [{ start: existing.exprStart, end: existing.exprEnd, newText: expr }];
      const target = edit.target.replace(/#\d+$/, '');
      const prefix = target.includes('.') ? target.slice(0, target.lastIndexOf('.') + 1) : '';
      const name = target.slice(prefix.length);
      if (!/^[A-Za-z_]\w*$/.test(name)) throw new ApiError('invalid', `edit.target: '${edit.target}' is not a field path`);
      const scope = scopesOf(map, map.source?.text).find((s) => s.prefix === prefix && !s.inWhen);
      if (!scope) throw new ApiError('invalid', `edit.target: map ${view.name} has no block for '${prefix.replace(/\.$/, '')}' yet; map one of its fields after adding the block in the text`);
      return [insertMember(text, scope.obj, `${name} = ${oneLine(expr)}`)];
    }
  }
}

/** A new member line after the last member of `obj` (same indentation), or inside an empty `{}`. */
function insertMember(text: string, obj: A.ObjectExpr, member: string): TextEdit {
  const eol = eolOf(text);
  const members = obj.members.filter((m) => m.kind !== 'Missing');
  const last = members[members.length - 1];
  if (last) {
    const at = lineEnd(text, last.span.end);
    const sameLine = lineStartOf(text, last.span.start) === lineStartOf(text, obj.span.start);
    if (sameLine) return { start: last.span.end, end: last.span.end, newText: `, ${member}` };
    return { start: at, end: at, newText: `${eol}${indentAt(text, last.span.start)}${member}` };
  }
  const close = obj.span.end - 1;
  const ind = indentAt(text, obj.span.start);
  return { start: obj.span.start + 1, end: close, newText: `${eol}${ind}  ${member}${eol}${ind}` };
}

/** `edits` (offsets into `text`, not overlapping) applied. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((x, y) => y.start - x.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

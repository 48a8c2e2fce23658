/**
 * Map edits: `map` (add `target = expr`, also inside a line-item `each` or a nested object, or
 * replace the expression of an existing assignment), `setExpr`, `unmap`. A target is an
 * assignment's `target` path (`lines[].description`) or, where one field is assigned in several
 * `when` branches, its `id` (`when#2/tax`). A new assignment goes after the last member of its
 * object, on its own line in a multi-line object (aligned on `=` as the line above it is), else
 * after the last member with the object's own separator.
 */
import type { TextEdit } from './api.js';
import type { AssignmentInfo, ContainerInfo, Internal } from './model.js';
import { EditRefused } from './refused.js';
import { deletion } from './edit-steps.js';
import { minimal, type Text } from './text.js';

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

function mapKeyOf(a: Internal, map: string | undefined): string {
  const maps = a.model.maps;
  if (map !== undefined) {
    const m = maps.find((x) => x.key === map || x.name === map);
    if (!m) throw new EditRefused(`no map '${map}' in this flow (its maps: ${maps.map((x) => x.key).join(', ') || 'none'})`);
    return m.key;
  }
  if (maps.length === 1) return maps[0]!.key;
  throw new EditRefused(maps.length ? `the flow has several maps (${maps.map((x) => x.key).join(', ')}): say which` : 'the flow has no map');
}

function find(a: Internal, map: string, target: string): AssignmentInfo | undefined {
  const mine = a.assignments.filter((x) => x.map === map);
  const byId = mine.find((x) => x.id === target);
  if (byId) return byId;
  const byTarget = mine.filter((x) => x.target === target);
  if (byTarget.length > 1) throw new EditRefused(`'${target}' is assigned ${byTarget.length} times in ${map} (${byTarget.map((x) => x.id).join(', ')}): name one by its id`, byTarget[0]!.node.span);
  return byTarget[0];
}

export function setExpr(a: Internal, t: Text, map: string | undefined, target: string, expr: string, mustExist = true): TextEdit[] {
  const key = mapKeyOf(a, map);
  if (!expr?.trim()) throw new EditRefused(`an empty expression for '${target}': use unmap to remove the assignment`);
  const found = find(a, key, target);
  if (!found) {
    if (mustExist) throw new EditRefused(`'${target}' is not assigned in ${key}`);
    return addAssignment(a, t, key, target, expr.trim());
  }
  const v = found.node.value;
  return [minimal(t.text, v.span.start, v.span.end, expr.trim())];
}

export function unmap(a: Internal, t: Text, map: string | undefined, target: string): TextEdit[] {
  const key = mapKeyOf(a, map);
  const found = find(a, key, target);
  if (!found) throw new EditRefused(`'${target}' is not assigned in ${key}`);
  const node = found.node;
  const ext = t.extent(node.span.start, node.span.end);
  if (ext.ownLine) return [deletion(t, node)];
  // On a line with other members: the assignment with the separator after it, or the one before it.
  const members = found.container.members.filter((m) => m && m.kind !== 'Missing');
  const i = members.indexOf(node);
  const after = /^[ \t]*[;,][ \t]*/.exec(t.text.slice(node.span.end));
  if (after && i < members.length - 1) return [{ start: node.span.start, end: node.span.end + after[0].length, newText: '' }];
  const prev = members[i - 1];
  if (prev) {
    const between = t.text.slice(prev.span.end, node.span.start);
    if (t.commentsIn(prev.span.end, node.span.start).length === 0 && !/[\r\n]/.test(between)) {
      const trail = after ? after[0].replace(/[ \t]+$/, '').length : 0;
      return [{ start: prev.span.end, end: node.span.end + trail, newText: '' }];
    }
  }
  let e = node.span.end + (after ? after[0].length : 0);
  if (!after) while (t.text[e] === ' ' || t.text[e] === '\t') e++;
  return [{ start: node.span.start, end: e, newText: '' }];
}

function addAssignment(a: Internal, t: Text, map: string, target: string, expr: string): TextEdit[] {
  const cut = Math.max(target.lastIndexOf('.'), target.lastIndexOf('/'));
  const prefix = target.slice(0, cut + 1), field = target.slice(cut + 1);
  if (!FIELD.test(field)) throw new EditRefused(`'${field}' is not a field name`);
  const container = a.containers.find((c) => c.map === map && c.id === prefix)
    ?? a.containers.find((c) => c.map === map && c.targetPrefix === prefix && !c.id.includes('when#'));
  if (!container) {
    const parent = prefix.replace(/(\[\])?[./]$/, '');
    throw new EditRefused(`${map} has no object '${parent}' to put '${field}' in: map '${parent}' first`);
  }
  return [insertMember(t, container, field, expr)];
}

function insertMember(t: Text, c: ContainerInfo, field: string, expr: string): TextEdit {
  const obj = c.node;
  const close = obj.span.end - 1;
  const members = obj.members.filter((m) => m && m.kind !== 'Missing');
  const multiline = /[\r\n]/.test(t.text.slice(obj.span.start, obj.span.end));
  const last = members[members.length - 1];
  if (multiline) {
    const eol = t.eol;
    if (last) {
      const ext = t.extent(last.span.start, last.span.end);
      const indent = t.indentOf(last.span.start);
      const line = `${indent}${aligned(t, members, field)}= ${expr}`;
      if (ext.ownLine) return { start: ext.end, end: ext.end, newText: line + eol };
      // The last member shares its line with the closing brace or another member: a new line after it.
      return { start: last.span.end, end: last.span.end, newText: eol + line };
    }
    const closeLine = t.lineStart(close);
    const braceIndent = t.indentOf(close);
    if (t.text.slice(closeLine, close).trim() === '') return { start: closeLine, end: closeLine, newText: `${braceIndent}  ${field} = ${expr}${eol}` };
    return { start: close, end: close, newText: `${eol}${braceIndent}  ${field} = ${expr}${eol}${braceIndent}` };
  }
  if (last) {
    const sep = separatorOf(t, members) ?? ';';
    return { start: last.span.end, end: last.span.end, newText: `${sep} ${field} = ${expr}` };
  }
  const inner = t.text.slice(obj.span.start + 1, close);
  return { start: obj.span.start + 1, end: close, newText: ` ${field} = ${expr}${inner.length && inner.trim() === '' ? ' ' : ' '}` };
}

/** The field name padded so its `=` lines up with the last member's, when that one is aligned. */
function aligned(t: Text, members: readonly { kind: string; span: { start: number; end: number } }[], field: string): string {
  const last = [...members].reverse().find((m) => m.kind === 'Assignment') as { span: { start: number }; name?: { span: { end: number } } } | undefined;
  if (!last?.name) return `${field} `;
  const gap = /^[ \t]*/.exec(t.text.slice(last.name.span.end))![0];
  if (gap.length <= 1 || gap.includes('\t')) return `${field} `;
  const eqCol = last.name.span.end + gap.length - last.span.start;
  return field.length < eqCol ? field.padEnd(eqCol) : `${field} `;
}

function separatorOf(t: Text, members: readonly { span: { start: number; end: number } }[]): string | undefined {
  for (let i = 0; i + 1 < members.length; i++) {
    const m = /[;,]/.exec(t.text.slice(members[i]!.span.end, members[i + 1]!.span.start));
    if (m) return m[0];
  }
  return undefined;
}

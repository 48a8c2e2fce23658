/**
 * Hover: the type and nullability of the expression under the cursor (the checker's typeOf); for a
 * field, its schema entry (Sage Pro table, column, storage type and width; the description); for a
 * map member, the target field it assigns; for a builtin its signature and one-line doc; for an
 * operation its signature; for a type name the entity's description; for a table its key and value types;
 * for the keywords of `warn` and `hold when anomaly`, what the statement does.
 */
import type { Hover } from 'vscode-languageserver';
import type * as A from '../../grammar/ast.js';
import { printNode } from '../../grammar/print.js';
import type { FlowModel } from '../checker/model.js';
import { fieldsOf, nonNull, typeToString, type Type } from '../schema/types.js';
import { builtinSignature, fieldDoc, nullability, operationSignature, typeText } from './describe.js';
import type { Workspace } from './documents/workspace.js';
import { flowAt, pathAt, rangeOf } from './nodes.js';
import { bindingType, declaredName } from './completion.js';

const WARN_DOC = 'Adds a warning to the run log (at this line) when the condition holds, or always without `when`; the run goes on.';
const HOLD_DOC = "When the runtime's anomaly detector flags a write of a run of this flow, the run is held for a person instead of writing (meta.holdOnAnomaly).";

export function hover(ws: Workspace, uri: string, offset: number): Hover | null {
  const a = ws.analysis(uri);
  if (!a) return null;
  const at = flowAt(a, offset);
  if (!at) return null;
  const path = pathAt(at.flow, offset);
  const node = path[path.length - 1];
  const parent = path[path.length - 2];
  if (!node) return null;
  const model = at.model;
  const md = (value: string, span = node.span): Hover => ({ contents: { kind: 'markdown', value }, range: rangeOf(a.doc, span) });
  const code = (s: string) => `\`\`\`flow\n${s}\n\`\`\``;
  const typeOf = (n: A.Node): Type | undefined => model?.typeOf.get(n);

  if (node.kind === 'Name' && parent) {
    // A field read: `order.email`.
    if (parent.kind === 'Member' && parent.name === node) {
      const objType = typeOf(parent.object);
      const field = objType ? fieldsOf(nonNull(objType))?.get(node.text) : undefined;
      const owner = objType?.kind === 'entity' ? `${objType.system}.${objType.name}` : 'object';
      if (field) return md(fieldDoc(owner, field) + (typeOf(parent) ? `\n\nhere: \`${typeText(typeOf(parent)!)}\` (${nullability(typeOf(parent)!)})` : ''));
      const res = model?.resolution.get(path.find((n) => n.kind === 'Call' && n.callee === parent) ?? parent);
      if (res?.kind === 'operation') { const s = operationSignature(res.op); return md(`${code(s.label)}\n\n${s.doc}`); }
      const t = typeOf(parent);
      if (t) return md(`${code(`${node.text}: ${typeText(t)}`)}\n\n${nullability(t)}`);
    }
    // A map member: the target field it assigns.
    if (parent.kind === 'Assignment' && parent.name === node) {
      const obj = path[path.length - 3];
      const target = obj ? model?.objectTarget.get(obj) : undefined;
      const field = target ? fieldsOf(nonNull(target))?.get(node.text) : undefined;
      const owner = target?.kind === 'entity' ? `${target.system}.${target.name}` : 'object';
      if (field) return md(fieldDoc(owner, field));
    }
    if (parent.kind === 'TypeRef') {
      const t = a.schemas.entities.get(parent.parts.map((p) => p.text).join('.'));
      if (t) return md(`${code(`${t.system}.${t.name}`)}${t.description ? `\n\n${t.description}` : ''}`, parent.span);
    }
    // A step's own name: its type.
    const item = path.find((n) => n.kind !== 'Flow' && at.flow.items.includes(n as A.FlowItem)) as A.FlowItem | undefined;
    if (item && declaredName(item) === node.text) {
      if (item.kind === 'TableDecl') return tableHover(model, node.text, md, code);
      const t = model ? bindingType(model.typeOf, item) : undefined;
      if (t) return md(`${code(`${item.kind.toLowerCase().replace('mapdecl', 'map')} ${node.text}: ${typeText(t)}`)}\n\n${nullability(t)}`);
    }
  }
  if (node.kind === 'Ident') {
    const res = model?.resolution.get(node);
    if (res?.kind === 'builtin' || (!res && parent?.kind === 'Call' && builtinSignature(node.name))) {
      const s = builtinSignature(node.name);
      if (s) return md(`${code(s.label)}\n\n${s.doc}`);
    }
    if (res?.kind === 'table') return tableHover(model, res.name, md, code);
    const t = typeOf(node);
    if (t) return md(`${code(`${node.name}: ${typeText(t)}`)}\n\n${res?.kind === 'local' ? `${res.decl}, ` : ''}${nullability(t)}`);
  }
  // The statement keywords of `warn` and `hold when anomaly` (their words are not nodes of their own).
  if (node.kind === 'HoldWhenAnomaly') return md(`${code('hold when anomaly')}\n\n${HOLD_DOC}`);
  if (node.kind === 'Warn' && offset < node.message.span.start) return md(`${code('warn <message> [when <condition>]')}\n\n${WARN_DOC}`);
  if (node.kind === 'TypeRef') {
    const t = a.schemas.entities.get(node.parts.map((p) => p.text).join('.'));
    if (t) return md(`${code(`${t.system}.${t.name}`)}${t.description ? `\n\n${t.description}` : ''}`);
  }
  // Any other expression: its type.
  for (let i = path.length - 1; i >= 0; i--) {
    const t = typeOf(path[i]!);
    if (t) return md(`${code(`${printNode(path[i]!).slice(0, 80)}: ${typeText(t)}`)}\n\n${nullability(t)}`, path[i]!.span);
  }
  return null;
}

function tableHover(model: FlowModel | undefined, name: string, md: (s: string) => Hover, code: (s: string) => string): Hover | null {
  const t = model?.tables.get(name);
  if (!t) return null;
  return md(`${code(`table ${name}: ${typeToString(t.keyType)} -> ${typeToString(t.valueType)}`)}\n\n${t.entries.length} entries${t.file ? ` from lookups/${t.file}` : ''}; on missing ${t.missing}`);
}

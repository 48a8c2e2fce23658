/**
 * Go to definition: a binding to its `let`/`fetch`/`lookup`/`map`/`write ... as` (a lambda parameter
 * or `each` item to where it is introduced), a table to its declaration and, for `from "file.yaml"`, to
 * the lookup file; a field to its line in the schema YAML (read or assigned in a map); a type to its
 * schema file; an operation to its catalog entry. What a name means is the checker's resolution.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Location } from 'vscode-languageserver';
import type * as A from '../../grammar/ast.js';
import type { Span } from '../../grammar/span.js';
import type { FlowModel } from '../checker/model.js';
import { fieldsOf, nonNull } from '../schema/types.js';
import { declaredName } from './completion.js';
import { pathToUri, type Analysis, type Workspace } from './documents/workspace.js';
import { flowAt, pathAt, rangeOf, rangeOfForeign } from './nodes.js';

export function definition(ws: Workspace, uri: string, offset: number): Location[] {
  const a = ws.analysis(uri);
  const at = a && flowAt(a, offset);
  if (!a || !at) return [];
  const path_ = pathAt(at.flow, offset);
  const node = path_[path_.length - 1];
  const parent = path_[path_.length - 2];
  const model = at.model;
  const here = (span: Span): Location => ({ uri, range: rangeOf(a.doc, span) });
  const foreign = (span: Span | undefined): Location[] => (span ? [{ uri: pathToUri(path.resolve(ws.root, span.file)), range: rangeOfForeign(span) }] : []);
  if (!node) return [];

  if (node.kind === 'Ident') {
    const decl = declarationOf(at.flow, model, node, path_);
    if (decl) return [here(decl.span), ...(decl.file ? lookupFile(a, decl.file) : [])];
    const res = model?.resolution.get(parent?.kind === 'Call' && parent.callee === node ? parent : node);
    if (res?.kind === 'operation') return foreign(res.op.span);
  }
  if (node.kind === 'StringLit' && parent?.kind === 'TableDecl' && parent.from === node) return lookupFile(a, node.value);
  if (node.kind === 'Name' && parent) {
    if (parent.kind === 'Member' && parent.name === node) {
      const call = path_.find((n): n is A.Call => n.kind === 'Call' && n.callee === parent);
      const res = call && model?.resolution.get(call);
      if (res?.kind === 'operation') return foreign(res.op.span);
      const t = model?.typeOf.get(parent.object);
      return foreign(t ? fieldsOf(nonNull(t))?.get(node.text)?.span : undefined);
    }
    if (parent.kind === 'Assignment' && parent.name === node) {
      const target = model?.objectTarget.get(path_[path_.length - 3]!);
      return foreign(target ? fieldsOf(nonNull(target))?.get(node.text)?.span : undefined);
    }
    if (parent.kind === 'TypeRef') return foreign(a.schemas.entities.get(parent.parts.map((p) => p.text).join('.'))?.span);
  }
  if (node.kind === 'TypeRef') return foreign(a.schemas.entities.get(node.parts.map((p) => p.text).join('.'))?.span);
  return [];
}

function lookupFile(a: Analysis, file: string): Location[] {
  const abs = path.resolve(a.lookupsDir, file);
  return fs.existsSync(abs) ? [{ uri: pathToUri(abs), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }] : [];
}

/**
 * Where the name an identifier reads is introduced (the checker said what kind of name it is), and
 * for a table read from a file, that file.
 */
export function declarationOf(flow: A.Flow, model: FlowModel | undefined, id: A.Ident, path_: readonly A.Node[]): { span: Span; scope?: A.Node; file?: string } | undefined {
  const res = model?.resolution.get(id);
  if (res?.kind === 'table' || (!res && flow.items.some((i) => i?.kind === 'TableDecl' && i.name.text === id.name))) {
    const t = flow.items.find((i): i is A.TableDecl => i?.kind === 'TableDecl' && i.name.text === id.name);
    return t ? { span: t.name.span, file: t.from?.value } : undefined;
  }
  if (res && res.kind !== 'local') return undefined;
  const decl = res?.decl;
  if (decl === 'param' || decl === 'item' || !res) {
    for (let i = path_.length - 1; i >= 0; i--) {
      const n = path_[i]!;
      if (n.kind === 'Lambda' && n.param.text === id.name) return { span: n.param.span, scope: n };
      if (n.kind === 'Each' && n.item.text === id.name) return { span: n.item.span, scope: n };
    }
  }
  if (decl === 'event') {
    const trigger = flow.items.find((i) => i && (i.kind === 'EventTrigger' || i.kind === 'PollTrigger' || i.kind === 'ScheduleTrigger'));
    return trigger ? { span: trigger.span } : undefined;
  }
  const item = flow.items.find((i) => i && i.kind !== 'TableDecl' && declaredName(i) === id.name);
  if (!item) return undefined;
  return { span: item.kind === 'Write' ? item.as!.span : (item as A.Let).name.span };
}

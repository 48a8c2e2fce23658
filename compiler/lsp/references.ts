/**
 * Find references and rename, for step bindings (`let`, `fetch`, `lookup`, `map`, `write ... as`),
 * lambda parameters, `each` items and lookup tables, within the flow that declares them. A name is a
 * reference when the checker resolved it to the same declaration (definition.ts declarationOf).
 */
import { ResponseError, type Location, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type * as A from '../../grammar/ast.js';
import { keywordTokens } from '../../grammar/tokens.js';
import type { Span } from '../../grammar/span.js';
import { declaredName } from './completion.js';
import { declarationOf } from './definition.js';
import type { Analysis, Workspace } from './documents/workspace.js';
import { flowAt, nodesOf, pathAt, rangeOf } from './nodes.js';

const KEYWORDS = new Set(keywordTokens.map((t) => (t as { LABEL?: string }).LABEL!.slice(1, -1)));

/** The declaration and every use of the name at `offset`, or undefined when it is not a renamable name. */
export function occurrences(a: Analysis, offset: number): { name: string; spans: Span[]; decl: Span } | undefined {
  const at = flowAt(a, offset);
  if (!at) return undefined;
  const { flow, model } = at;
  const p = pathAt(flow, offset);
  const node = p[p.length - 1];
  let target: { span: Span; scope?: A.Node } | undefined;
  let name: string | undefined;
  if (node?.kind === 'Ident') { target = declarationOf(flow, model, node, p); name = node.name; }
  else if (node?.kind === 'Name') {
    const parent = p[p.length - 2];
    const owner = parent && (parent.kind === 'Lambda' && parent.param === node ? parent : parent.kind === 'Each' && parent.item === node ? parent : undefined);
    if (owner) target = { span: node.span, scope: owner };
    else if (parent && flow.items.includes(parent as A.FlowItem) && declaredName(parent as A.FlowItem) === node.text) target = { span: node.span };
    name = node.text;
  }
  if (!target || !name) return undefined;
  const spans: Span[] = [target.span];
  const scope = target.scope ?? flow;
  for (const n of nodesOf(scope)) {
    if (n.kind !== 'Ident' || n.name !== name) continue;
    const d = declarationOf(flow, model, n, pathAt(flow, n.span.start));
    if (d && d.span.start === target.span.start) spans.push(n.span);
  }
  spans.sort((x, y) => x.start - y.start);
  return { name, decl: target.span, spans: spans.filter((s, i) => i === 0 || spans[i - 1]!.start !== s.start) };
}

export function references(ws: Workspace, uri: string, offset: number, includeDeclaration: boolean): Location[] {
  const a = ws.analysis(uri);
  const occ = a && occurrences(a, offset);
  if (!a || !occ) return [];
  return occ.spans.filter((s) => includeDeclaration || s.start !== occ.decl.start).map((s) => ({ uri, range: rangeOf(a.doc, s) }));
}

export function prepareRename(ws: Workspace, uri: string, offset: number): { range: ReturnType<typeof rangeOf>; placeholder: string } | null {
  const a = ws.analysis(uri);
  const occ = a && occurrences(a, offset);
  if (!a || !occ) return null;
  const s = occ.spans.find((x) => offset >= x.start && offset <= x.end) ?? occ.spans[0]!;
  return { range: rangeOf(a.doc, s), placeholder: occ.name };
}

export function rename(ws: Workspace, uri: string, offset: number, newName: string): WorkspaceEdit | null {
  const a = ws.analysis(uri);
  const occ = a && occurrences(a, offset);
  if (!a || !occ) return null;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName) || KEYWORDS.has(newName)) {
    throw new ResponseError(-32602, `'${newName}' is not a valid name (a letter or _, then letters, digits or _; not a keyword)`);
  }
  const edits: TextEdit[] = occ.spans.map((s) => ({ range: rangeOf(a.doc, s), newText: newName }));
  return { changes: { [uri]: edits } };
}

/**
 * Finding things in the tree and turning spans into LSP ranges: the helpers every feature shares.
 * Scoping is never redone here: what a name means comes from the checker's side tables
 * (FlowModel.resolution, typeOf, objectTarget); this file only finds the node at a position and the
 * flow and model it belongs to.
 */
import type { Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { walk, type Node, type Flow } from '../../grammar/index.js';
import type { Span } from '../../grammar/span.js';
import type { FlowModel } from '../checker/model.js';
import type { Analysis } from './documents/workspace.js';

export function rangeOf(doc: TextDocument, span: Pick<Span, 'start' | 'end'>): Range {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}

/** A span of another file (a schema, a lookup file): its 1-based line and column as LSP positions. */
export function rangeOfForeign(span: Span): Range {
  return { start: { line: span.line - 1, character: span.column - 1 }, end: { line: span.endLine - 1, character: span.endColumn - 1 } };
}

/** The nodes containing `offset`, outermost first (`end` inclusive, so a name just typed is found). */
export function pathAt(root: Node, offset: number): Node[] {
  const out: Node[] = [];
  walk(root, (n) => {
    if (!n.span || offset < n.span.start || offset > n.span.end) return false;
    out.push(n);
    return true;
  });
  return out;
}

export function flowAt(a: Analysis, offset: number): { flow: Flow; model: FlowModel | undefined } | undefined {
  const flows = a.ast.flows.filter(Boolean);
  const flow = flows.find((f) => offset >= f.span.start && offset <= f.span.end)
    ?? [...flows].reverse().find((f) => f.span.start <= offset) ?? flows[0];
  if (!flow) return undefined;
  return { flow, model: a.models.find((m) => m.flow === flow) ?? a.models.find((m) => m.flow.name.text === flow.name.text) };
}

/** Every node of a flow, depth first. */
export function nodesOf(root: Node): Node[] {
  const out: Node[] = [];
  walk(root, (n) => { out.push(n); });
  return out;
}

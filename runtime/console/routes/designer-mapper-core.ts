/**
 * The field mapper's compiler side, behind runtime/console/routes/designer-mapper.ts (loaded on the
 * first mapper request): the designer core (compiler/designer/) for the map's model, its visual edits,
 * entity trees and the preview, and the language service (compiler/lsp/) for completion. Nothing here
 * re-implements scoping, typing or text edits: it turns their answers into the mapper's JSON shapes
 * (console/src/designer/mapper/types.ts, API.md "Designer: field mapper").
 */
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { completion } from '../../../compiler/lsp/completion.js';
import { Workspace, pathToUri, type Analysis } from '../../../compiler/lsp/documents/workspace.js';
import { ApiError } from '../http.js';
import { applyEdits, editsFor, parseEdit } from './designer-mapper-edits.js';
import { findMap, mapNames, mapView, sourceTree, targetTree } from './designer-mapper-view.js';
import { runPreview } from './designer-mapper-preview.js';

export interface CompletionItemView { label: string; detail?: string; insertText: string; kind?: string }
export interface CompletionResult { items: CompletionItemView[]; from: number; to: number }

export interface MapperCore {
  open(text: string, file: string, abs: string, map: string | undefined): object;
  model(text: string, file: string, abs: string, map: string): object;
  edit(text: string, file: string, abs: string, map: string, edit: unknown): object;
  complete(text: string, file: string, abs: string, exprStart: number, exprEnd: number, expr: string, cursor: number): CompletionResult;
  preview(text: string, file: string, abs: string): Promise<object>;
  suggest(text: string, file: string, abs: string, map: string): Promise<object>;
}

const KIND_NAMES = new Map(Object.entries(CompletionItemKind).map(([k, v]) => [v as number, k.toLowerCase()]));

/** A snippet's text without its tab stops (`first($1)` -> `first()`, `${1:x}` -> `x`). */
const plain = (snippet: string) => snippet.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '');

function itemView(i: CompletionItem): CompletionItemView {
  const raw = i.textEdit?.newText ?? i.insertText ?? i.label;
  return {
    label: i.label,
    insertText: i.insertTextFormat === InsertTextFormat.Snippet ? plain(raw) : raw,
    ...(i.detail ? { detail: i.detail } : {}),
    ...(i.kind ? { kind: KIND_NAMES.get(i.kind) ?? String(i.kind) } : {}),
  };
}

export function createMapperCore(): MapperCore {
  // One language-service workspace per root folder of the files asked about: it caches the schemas and lookups.
  const workspaces = new Map<string, Workspace>();
  let version = 0;
  const wsFor = (abs: string, file: string) => {
    const root = abs.slice(0, abs.length - file.length - 1) || '/';
    let ws = workspaces.get(root);
    if (!ws) { ws = new Workspace(root); workspaces.set(root, ws); }
    return ws;
  };

  /** `f` on the language service's analysis of `text` in the place of `abs` (the document closed after). */
  const withAnalysis = <T>(text: string, file: string, abs: string, f: (ws: Workspace, a: Analysis) => T): T => {
    const ws = wsFor(abs, file);
    const uri = `${pathToUri(abs)}#mapper-${++version}`;
    const a = ws.open(uri, version, text);
    try { return f(ws, a); } finally { ws.close(uri); }
  };

  return {
    complete(text, file, abs, exprStart, exprEnd, expr, cursor) {
      // The flow text with the expression being edited in place, and the cursor in it.
      const edited = text.slice(0, exprStart) + expr + text.slice(exprEnd);
      const ws = wsFor(abs, file);
      const uri = `${pathToUri(abs)}#mapper-${++version}`;
      ws.open(uri, version, edited);
      let items: CompletionItem[];
      try { items = completion(ws, uri, exprStart + cursor); } finally { ws.close(uri); }
      const before = /[A-Za-z_][A-Za-z0-9_]*$/.exec(expr.slice(0, cursor))?.[0] ?? '';
      const after = /^[A-Za-z0-9_]*/.exec(expr.slice(cursor))?.[0] ?? '';
      const prefix = before.toLowerCase();
      const shown = items.filter((i) => !prefix || i.label.toLowerCase().startsWith(prefix) || (i.filterText ?? '').toLowerCase().startsWith(prefix));
      return { items: shown.map(itemView), from: cursor - before.length, to: cursor + after.length };
    },
    open(text, file, abs, name) {
      return withAnalysis(text, file, abs, (ws, a) => {
        const { flow, map } = findMap(a, name);
        return { maps: mapNames(a), map: mapView(ws, a, flow, map), source: sourceTree(a, flow, map), target: targetTree(a, flow, map) };
      });
    },
    model(text, file, abs, name) {
      return withAnalysis(text, file, abs, (ws, a) => {
        const { flow, map } = findMap(a, name);
        return { map: mapView(ws, a, flow, map) };
      });
    },
    edit(text, file, abs, name, raw) {
      const edit = parseEdit(raw);
      const edits = withAnalysis(text, file, abs, (ws, a) => {
        const { flow, map } = findMap(a, name);
        return editsFor(ws, a, map, mapView(ws, a, flow, map), edit, sourceTree(a, flow, map).fields);
      });
      const next = applyEdits(text, edits);
      return withAnalysis(next, file, abs, (ws, a) => {
        let found;
        try { found = findMap(a, name); } catch (e) { throw new ApiError('invalid', `the edit would leave the text without map ${name}: ${(e as Error).message}`); }
        return { text: next, edits, map: mapView(ws, a, found.flow, found.map) };
      });
    },
    async preview(text, file, abs) { return runPreview(text, file, abs); },
    async suggest() { return { available: false, suggestions: [], reason: 'the mapping assistant (compiler/suggest/) is not in this build' }; },
  };
}

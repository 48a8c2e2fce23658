/**
 * The field mapper's compiler side, behind runtime/console/routes/designer-mapper.ts (loaded on the
 * first mapper request): the designer core (compiler/designer/: the map's model with its assignments,
 * diagnostics and quick fixes, visual edits as minimal text edits, entity trees, the preview) and the
 * language service (compiler/lsp/completion.ts) for completion. Nothing here re-implements scoping,
 * typing or text edits: it turns their answers into the mapper's JSON shapes
 * (console/src/designer/mapper/types.ts, API.md "Designer: field mapper").
 */
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { completion } from '../lsp/completion.js';
import { Workspace, pathToUri } from '../lsp/documents/workspace.js';
import { analyzeDesign, applyEdit, designContext, entityTree, preview, type DesignContext, type DesignModel, type EntityNode, type VisualEdit } from '../designer/index.js';
import { ApiError } from '../../runtime/console/http.js';
import { exprFor, mapView, parseEdit, sourceFacts, type MapperEdit } from './view.js';

import type { CompletionItemView, CompletionResult, MapperCore } from '../../runtime/console/routes/designer-mapper.js';

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

/** The source side's paths start with the map's source name (`order.items[].sku`), as the model's `sources` do. */
const prefixed = (nodes: readonly EntityNode[], root: string): EntityNode[] =>
  nodes.map((n) => ({ ...n, path: `${root}.${n.path}`, ...(n.children ? { children: prefixed(n.children, root) } : {}) }));

/** `xcart.OrderItem.sku` (how the assistant names the fields a suggestion reads) -> `order.items[].sku` (the tree's path). */
function ownersOf(nodes: readonly EntityNode[], owner: string, root: string, out = new Map<string, string>()): Map<string, string> {
  if (!out.has(owner)) out.set(owner, root);
  for (const n of nodes) {
    const key = `${owner}.${n.name}`;
    if (!out.has(key)) out.set(key, n.path);
    if (n.children) ownersOf(n.children, n.type.replace(/\[\]$|\?$/g, '').replace(/\[\]$/, ''), n.path, out);
  }
  return out;
}

export function createMapperCore(): MapperCore {
  // One language-service workspace per root folder (it caches schemas and lookups), one designer context per file.
  const workspaces = new Map<string, Workspace>();
  const contexts = new Map<string, DesignContext>();
  let version = 0;
  const wsFor = (abs: string, file: string) => {
    const root = abs.slice(0, abs.length - file.length - 1) || '/';
    let ws = workspaces.get(root);
    if (!ws) { ws = new Workspace(root); workspaces.set(root, ws); }
    return ws;
  };
  const ctxFor = (abs: string, file: string) => {
    let c = contexts.get(abs);
    if (!c) { c = designContext(abs, { displayBase: abs.slice(0, abs.length - file.length - 1) || '/' }); contexts.set(abs, c); }
    return c;
  };
  // The last few texts' source facts (an edit starts from the text the previous answer returned).
  const factsCache = new Map<string, ReturnType<typeof sourceFacts>>();
  const facts = (text: string, abs: string, file: string, map: string) => {
    const key = `${abs}\0${map}\0${text}`;
    let f = factsCache.get(key);
    if (!f) {
      f = sourceFacts(text, abs, wsFor(abs, file), map);
      factsCache.set(key, f);
      if (factsCache.size > 8) factsCache.delete(factsCache.keys().next().value!);
    }
    return f;
  };
  const core = (f: () => object): object => {
    try { return f(); } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError('invalid', (e as Error).message);
    }
  };
  const theMap = (model: DesignModel, name: string | undefined) => {
    if (model.maps.length === 0) throw new ApiError('invalid', `${model.file}: no map block${model.hasSyntaxErrors ? ` (the text does not parse: ${model.diagnostics[0]?.span ? `line ${model.diagnostics[0].span.line}: ` : ''}${model.diagnostics[0]?.message ?? ''})` : ''}`);
    const m = name ? model.maps.find((x) => x.name === name) : model.maps[0];
    if (!m) throw new ApiError('not_found', `map: '${name}' is not a map of ${model.file} (maps: ${model.maps.map((x) => x.name).join(', ')})`);
    return m;
  };

  return {
    open(text, file, abs, name) {
      return core(() => {
        const ctx = ctxFor(abs, file);
        const model = analyzeDesign(text, file, ctx);
        const map = theMap(model, name);
        const known = facts(text, abs, file, map.name);
        const sourceEntity = known.entity;
        const source = sourceEntity && map.source
          ? { entity: sourceEntity, root: map.source, fields: prefixed(entityTree(ctx, sourceEntity).fields, map.source) }
          : { entity: '?', root: map.source ?? '', fields: [] };
        const target = { entity: map.target, root: map.name, fields: entityTree(ctx, map.target).fields };
        return { maps: model.maps.map((m) => m.name), map: mapView(model, map, text, known), source, target };
      });
    },
    model(text, file, abs, name) {
      return core(() => {
        const model = analyzeDesign(text, file, ctxFor(abs, file));
        const map = theMap(model, name);
        return { map: mapView(model, map, text, facts(text, abs, file, name)) };
      });
    },
    edit(text, file, abs, name, raw) {
      const edit: MapperEdit = parseEdit(raw);
      return core(() => {
        const ctx = ctxFor(abs, file);
        const map = theMap(analyzeDesign(text, file, ctx), name);
        let visual: VisualEdit;
        if (edit.kind === 'quickFix') visual = { kind: 'quickFix', id: edit.fixId };
        else if (edit.kind === 'unmap') visual = { kind: 'unmap', map: name, target: edit.target };
        else if (edit.kind === 'setExpr') visual = { kind: 'setExpr', map: name, target: edit.target, expr: edit.expr.trim() };
        else {
          const entity = edit.source && map.source ? facts(text, abs, file, map.name).entity : undefined;
          const sourceFields = entity && map.source ? prefixed(entityTree(ctx, entity).fields, map.source) : [];
          visual = { kind: 'map', map: name, target: edit.target, expr: edit.expr ? edit.expr.trim() : exprFor(edit.source!, edit.target, map, sourceFields) };
        }
        const r = applyEdit(text, visual, ctx, file);
        if (!r.ok) throw new ApiError('invalid', `edit: ${r.error.message}${r.error.span ? ` (line ${r.error.span.line})` : ''}`);
        const next = theMap(r.model, name);
        return { text: r.text, edits: r.edits, inverse: r.inverse, map: mapView(r.model, next, r.text, facts(r.text, abs, file, name)) };
      });
    },
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
    async preview(text, file, abs) {
      const r = await preview(text, file, ctxFor(abs, file));
      return { tests: r.tests, cases: r.cases, compileErrors: r.compileErrors.map((d) => `${file}${d.span ? `:${d.span.line}:${d.span.column}` : ''}: ${d.code} ${d.message}`) };
    },
    async suggest(text, file, abs, name) {
      const ctx = ctxFor(abs, file);
      const known = facts(text, abs, file, name);
      const map = theMap(analyzeDesign(text, file, ctx), name);
      if (!known.entity || !map.source) return { available: true, suggestions: [] };
      const { suggestMappings } = await import('../suggest/index.js');
      let r;
      try {
        r = suggestMappings({ schemas: ctx.schemas(), schemasDir: ctx.schemasDir, lookupsDir: ctx.lookupsDir, flow: { file: abs, text, map: name }, top: 1 });
      } catch (e) { throw new ApiError('invalid', `suggest: ${(e as Error).message}`); }
      const owners = ownersOf(prefixed(entityTree(ctx, known.entity).fields, map.source), known.entity, map.source);
      const suggestions = r.targets.flatMap((t) => t.suggestions.filter((g) => g.check !== 'failed').slice(0, 1).map((g) => ({
        target: t.target, expr: g.expression, confidence: g.confidence,
        sources: g.sources.map((f) => owners.get(f)).filter((x): x is string => !!x),
        reason: g.signals.map((x) => x.reason).join('; '),
      })));
      return { available: true, suggestions };
    },
  };
}

/**
 * The designer's core (compiler/designer/) as the console's designer API wants it (the
 * `DesignerBackend` of runtime/console/routes/designer.ts, restated here structurally: the runtime
 * never imports the compiler, so bin/flowd.js and the tests hand this object to flowd). The core is
 * imported on the first request, so `flowd serve` starts no slower for it.
 *
 * One `DesignContext` per folder of flows (schemas and lookups are found from there as `flowc check`
 * finds them, and loaded once); a lookup file changed on disk is read again after `CONTEXT_TTL_MS`.
 */
import path from 'node:path';
import type * as Core from './designer/index.js';
import type { MapperCore } from '../runtime/console/routes/designer-mapper.js';

/** 1-based line/column diagnostics, as the console shows them. */
export interface BackendDiagnostic { code?: string; severity: 'error' | 'warning' | 'info'; message: string; line: number; column: number; endLine?: number; endColumn?: number }
export interface BackendAnalysis { model: unknown; diagnostics: BackendDiagnostic[] }
export interface BackendApplied extends BackendAnalysis { text: string; edits: unknown[]; inverse: unknown[] }

export interface DesignerBackendImpl {
  analyze(text: string, file: string, root: string): Promise<BackendAnalysis>;
  apply(text: string, file: string, root: string, edits: readonly unknown[]): Promise<BackendApplied>;
  palette(root: string): Promise<unknown>;
  stepKeys(model: unknown): readonly string[];
  /** The field mapper's side (compiler/designer-mapper/core.ts), loaded on first use. */
  mapper(): Promise<MapperCore>;
}

const CONTEXT_TTL_MS = 60_000;

type CoreModule = typeof Core;
let core: Promise<CoreModule> | undefined;
let loaded: CoreModule | undefined;
const loadCore = (): Promise<CoreModule> => (core ??= import('./designer/index.js').then((m) => (loaded = m)));

function diagnosticsOf(model: Core.DesignModel): BackendDiagnostic[] {
  return model.diagnostics.map((d) => ({
    code: d.code, severity: d.severity, message: d.hint ? `${d.message} (${d.hint})` : d.message,
    line: d.span?.line ?? 1, column: d.span?.column ?? 1,
    ...(d.span ? { endLine: d.span.endLine, endColumn: d.span.endColumn } : {}),
  }));
}

/** One replacement of the region where `before` and `after` differ (offsets into `before`), and its inverse. */
function wholeChange(before: string, after: string): { edits: Core.TextEdit[]; inverse: Core.TextEdit[] } {
  if (before === after) return { edits: [], inverse: [] };
  let s = 0;
  while (s < before.length && s < after.length && before.charCodeAt(s) === after.charCodeAt(s)) s++;
  let a = before.length; let b = after.length;
  while (a > s && b > s && before.charCodeAt(a - 1) === after.charCodeAt(b - 1)) { a--; b--; }
  return { edits: [{ start: s, end: a, newText: after.slice(s, b) }], inverse: [{ start: s, end: b, newText: before.slice(s, a) }] };
}

export function create(): DesignerBackendImpl {
  let mapperCore: Promise<MapperCore> | undefined;
  const contexts = new Map<string, { ctx: Core.DesignContext; at: number }>();
  const contextOf = async (root: string, file: string): Promise<{ c: CoreModule; ctx: Core.DesignContext; full: string }> => {
    const c = await loadCore();
    const full = path.resolve(root, file);
    const dir = path.dirname(full);
    let hit = contexts.get(dir);
    if (!hit || Date.now() - hit.at > CONTEXT_TTL_MS) {
      hit = { ctx: c.designContext(full, { displayBase: root }), at: Date.now() };
      contexts.set(dir, hit);
    }
    return { c, ctx: hit.ctx, full };
  };
  const refuse = (message: string) => Object.assign(new Error(message), { code: 'invalid' });

  return {
    async analyze(text, file, root) {
      const { c, ctx } = await contextOf(root, file);
      const model = c.analyzeDesign(text, file, ctx);
      return { model, diagnostics: diagnosticsOf(model) };
    },
    async apply(text, file, root, edits) {
      const { c, ctx } = await contextOf(root, file);
      let current = text;
      let last: (Core.ApplyResult & { ok: true }) | undefined;
      for (const [i, e] of edits.entries()) {
        const r = c.applyEdit(current, e as Core.VisualEdit, ctx, file);
        if (!r.ok) {
          const at = r.error.span ? ` (line ${r.error.span.line}, column ${r.error.span.column})` : '';
          throw refuse(`edits[${i}] (${(e as { kind: string }).kind}): ${r.error.message}${at}`);
        }
        current = r.text;
        last = r;
      }
      const model = last!.model;
      // one edit: the core's own minimal edits; several: one replacement of the region they changed
      const { edits: te, inverse } = edits.length === 1 ? { edits: [...last!.edits], inverse: [...last!.inverse] } : wholeChange(text, current);
      return { text: current, edits: te, inverse, model, diagnostics: diagnosticsOf(model) };
    },
    async palette(root) {
      const c = await loadCore();
      let hit = contexts.get(root);
      if (!hit) { hit = { ctx: c.designContext(path.join(root, 'palette.flow'), { displayBase: root }), at: Date.now() }; contexts.set(root, hit); }
      return c.palette(hit.ctx);
    },
    stepKeys(model) {
      // a model came from analyze, so the core is loaded
      return loaded!.layoutKeys(model as Core.DesignModel);
    },
    mapper() {
      mapperCore ??= import('./designer-mapper/core.js').then((m) => m.createMapperCore());
      return mapperCore;
    },
  };
}

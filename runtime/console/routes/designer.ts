/**
 * The visual designer's API (issue 16): the `.flow` files of the designer's folder (the flows'
 * source folder, `console.designer_dir`), a file opened with its model, diagnostics and sidecar
 * layout, the model of a text being typed, visual edits applied to a text (as minimal text edits),
 * save (only over the bytes that were opened, else 409) and the sidecar layout `<file>.layout.json`.
 *
 * The runtime never imports the compiler (test/runtime-imports.test.ts): the designer's core
 * (compiler/designer/, the language service) reaches these routes as a `DesignerBackend` given to
 * createConsole by whoever starts flowd with the compiler at hand (bin/flowd.js, the tests). Without
 * one the routes answer 503 saying so. The shapes of the model and of visual edits are the core's
 * (compiler/designer/api.ts); they pass through here as JSON.
 *
 * Paths are relative to the designer's folder, `/`-separated, end in `.flow`, and never leave it:
 * no `..`, not absolute, no NUL, and a symbolic link that points outside is refused too (400).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Route, RouteContext } from '../context.js';
import { ApiError, readJson, sendJson, str } from '../http.js';

/** A diagnostic as the designer shows it: 1-based line and column. */
export interface DesignerDiagnostic {
  readonly code?: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

export interface DesignerAnalysis {
  /** The core's DesignModel (compiler/designer/api.ts), as JSON. */
  readonly model: unknown;
  readonly diagnostics: readonly DesignerDiagnostic[];
}

export interface DesignerApplied extends DesignerAnalysis {
  readonly text: string;
  /** The text edits (offsets into the old text) and their inverse (offsets into the new text). */
  readonly edits: readonly unknown[];
  readonly inverse: readonly unknown[];
}

/** Sidecar layout `<file>.layout.json`: `{ version: 1, positions: { <step key>: { x, y } } }`. */
export interface DesignerLayout { readonly version: 1; readonly positions: Record<string, { x: number; y: number }> }

/**
 * What the designer's core offers the console. `file` is relative to `root` (the designer's
 * folder; the schemas and lookups are found from there as `flowc check` finds them). A refused edit
 * throws an error whose `code` is `'invalid'` (its message says where and why): 400.
 */
export interface DesignerBackend {
  analyze(text: string, file: string, root: string): DesignerAnalysis | Promise<DesignerAnalysis>;
  apply(text: string, file: string, root: string, edits: readonly unknown[]): DesignerApplied | Promise<DesignerApplied>;
  /** Operations of both catalogs with typed parameters, lookup files, entity types. */
  palette(root: string): unknown;
  /** The stable keys of a model's steps (the sidecar keeps only these). */
  stepKeys(model: unknown): readonly string[];
  /** The field mapper's compiler side (routes/designer-mapper.ts), loaded on first use. */
  mapper?(): Promise<import('./designer-mapper.js').MapperCore>;
}

export interface DesignerOptions {
  /** The designer's folder (absolute); undefined: flowd found no flows source folder. */
  readonly root?: string;
  readonly backend?: DesignerBackend;
}

const MAX_FILES = 2000;
const MAX_DEPTH = 6;

/** The designer's folder: `console.designer_dir`, else the first candidate holding the deployed flows' sources. */
export function findDesignerRoot(configured: string | undefined, candidates: readonly string[], sources: readonly string[]): string | undefined {
  if (configured) return path.resolve(configured);
  for (const dir of candidates) {
    const root = path.resolve(dir);
    if (sources.length > 0 && sources.every((s) => fs.existsSync(path.resolve(root, s))) && hasFlowFiles(root)) return root;
  }
  return undefined;
}

function hasFlowFiles(dir: string): boolean {
  try { return fs.readdirSync(dir).some((n) => n.endsWith('.flow')); } catch { return false; }
}

/**
 * The absolute path of `rel` inside `root`, or a 400 naming the path and why. A file that exists
 * must also resolve (symbolic links followed) inside the root.
 */
export function confine(root: string, rel: unknown, what = 'path'): { full: string; rel: string } {
  if (typeof rel !== 'string' || rel === '') throw new ApiError('invalid', `${what}: required (a .flow file relative to the designer's folder)`);
  const bad = (why: string) => new ApiError('invalid', `${what}: '${rel.slice(0, 200)}' ${why}`);
  if (rel.length > 500) throw bad('is longer than 500 characters');
  if (rel.includes('\0')) throw bad('contains a NUL character');
  if (path.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel) || rel.startsWith('\\')) throw bad("must be relative to the designer's folder, not absolute");
  const parts = rel.split(/[\\/]/);
  if (parts.includes('..')) throw bad("climbs out of the designer's folder ('..' is not allowed)");
  if (!rel.endsWith('.flow')) throw bad('is not a .flow file');
  const full = path.resolve(root, rel);
  if (!full.startsWith(root + path.sep)) throw bad("is outside the designer's folder");
  let real: string | undefined;
  try { real = fs.realpathSync(full); } catch { real = undefined; }
  if (real !== undefined) {
    const realRoot = fs.realpathSync(root);
    if (!real.startsWith(realRoot + path.sep)) throw bad("is a link to a file outside the designer's folder");
  }
  return { full, rel: parts.filter((p) => p !== '' && p !== '.').join('/') };
}

export const versionOf = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** Every `.flow` file under the root (not in dot folders or node_modules), sorted by path. */
export function listFlowFiles(root: string): { path: string; flow?: string; bytes: number; modifiedAt: string }[] {
  const out: { path: string; flow?: string; bytes: number; modifiedAt: string }[] = [];
  const walk = (dir: string, rel: string, depth: number) => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r, depth + 1);
      else if (e.isFile() && e.name.endsWith('.flow') && out.length < MAX_FILES) {
        const st = fs.statSync(p);
        const head = fs.readFileSync(p, 'utf8').slice(0, 64 * 1024);
        const m = /^[ \t]*flow[ \t]+([A-Za-z_][A-Za-z0-9_]*)/m.exec(head);
        out.push({ path: r, ...(m ? { flow: m[1]! } : {}), bytes: st.size, modifiedAt: new Date(st.mtimeMs).toISOString() });
      }
    }
  };
  walk(root, '', 0);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export const layoutFile = (full: string): string => `${full}.layout.json`;

/** The sidecar's positions, or none when it is missing or not a layout (a broken sidecar is never fatal). */
export function readLayoutFile(full: string): DesignerLayout {
  try {
    const v = JSON.parse(fs.readFileSync(layoutFile(full), 'utf8')) as { version?: unknown; positions?: unknown };
    if (v.version === 1 && v.positions && typeof v.positions === 'object') return { version: 1, positions: positionsOf(v.positions, 'layout') };
  } catch { /* missing or unreadable: no positions */ }
  return { version: 1, positions: {} };
}

function positionsOf(v: unknown, where: string): Record<string, { x: number; y: number }> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ApiError('invalid', `${where}: must be an object of step key -> { x, y }`);
  const out: Record<string, { x: number; y: number }> = {};
  for (const [k, p] of Object.entries(v as Record<string, unknown>)) {
    const q = p as { x?: unknown; y?: unknown } | null;
    if (k.length > 200 || !q || typeof q.x !== 'number' || typeof q.y !== 'number' || !Number.isFinite(q.x) || !Number.isFinite(q.y) || Math.abs(q.x) > 1e7 || Math.abs(q.y) > 1e7) {
      throw new ApiError('invalid', `${where}.${k.slice(0, 200)}: must be { "x": number, "y": number } (finite, |n| <= 1e7)`);
    }
    out[k] = { x: Math.round(q.x * 10) / 10, y: Math.round(q.y * 10) / 10 };
  }
  return out;
}

/** Writes through a temp file and a rename, so a reader never sees half a file. */
function writeAtomic(full: string, data: string, mode?: number): void {
  const tmp = `${full}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data, mode !== undefined ? { mode } : {});
  try { fs.renameSync(tmp, full); } catch (e) { fs.rmSync(tmp, { force: true }); throw e; }
}

function setup(ctx: RouteContext): { root: string; backend: DesignerBackend } {
  const d = ctx.deps.designer;
  if (!d?.backend) throw new ApiError('unavailable', "the designer needs flowc's designer core (compiler/designer/), which this flowd was started without: start flowd with bin/flowd.js of a full install");
  if (!d.root) throw new ApiError('unavailable', 'the designer has no flows source folder: set console.designer_dir in connect.yaml (the folder flowc compiled, e.g. mappings)');
  return { root: d.root, backend: d.backend };
}

function readSource(full: string, rel: string): Buffer {
  try { return fs.readFileSync(full); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('not_found', `${rel}: no such .flow file in the designer's folder`);
    throw e;
  }
}

/** A call of the core: its refusal (`code: 'invalid'`) is a 400; its failure a 503 naming it (not "the store"). */
async function core<T>(f: () => T | Promise<T>): Promise<T> {
  try { return await f(); } catch (e) {
    if (e instanceof ApiError) throw e;
    const err = e as Error & { code?: string };
    if (err.code === 'invalid') throw new ApiError('invalid', err.message);
    throw new ApiError('unavailable', `the designer's core failed: ${String(err.message ?? e).slice(0, 500)}`);
  }
}

function textOf(body: Record<string, unknown>): string {
  const t = body.text;
  if (typeof t !== 'string') throw new ApiError('invalid', 'text: required (the .flow text as a string)');
  return t;
}

export const designerRoutes: Route[] = [
  { method: 'GET', path: /^\/designer\/files$/, role: 'viewer', async handle(ctx) {
    const { root } = setup(ctx);
    sendJson(ctx.res, 200, { root: path.basename(root), files: listFlowFiles(root) });
  } },
  { method: 'GET', path: /^\/designer\/file$/, role: 'viewer', async handle(ctx) {
    const { root, backend } = setup(ctx);
    const { full, rel } = confine(root, ctx.query.get('path'));
    const bytes = readSource(full, rel);
    const text = bytes.toString('utf8');
    const a = await core(() => backend.analyze(text, rel, root));
    sendJson(ctx.res, 200, { path: rel, text, version: versionOf(bytes), model: a.model, diagnostics: a.diagnostics, layout: readLayoutFile(full) });
  } },
  { method: 'GET', path: /^\/designer\/palette$/, role: 'viewer', async handle(ctx) {
    const { root, backend } = setup(ctx);
    sendJson(ctx.res, 200, await core(() => backend.palette(root)));
  } },
  { method: 'POST', path: /^\/designer\/model$/, role: 'viewer', async handle(ctx) {
    const { root, backend } = setup(ctx);
    const body = await readJson(ctx.req);
    const { rel } = confine(root, body.path);
    const a = await core(() => backend.analyze(textOf(body), rel, root));
    sendJson(ctx.res, 200, { model: a.model, diagnostics: a.diagnostics });
  } },
  { method: 'POST', path: /^\/designer\/edit$/, role: 'viewer', async handle(ctx) {
    const { root, backend } = setup(ctx);
    const body = await readJson(ctx.req);
    const { rel } = confine(root, body.path);
    const text = textOf(body);
    const edits = body.edits ?? (body.edit !== undefined ? [body.edit] : undefined);
    if (!Array.isArray(edits) || edits.length === 0 || edits.some((e) => !e || typeof e !== 'object' || typeof (e as { kind?: unknown }).kind !== 'string')) {
      throw new ApiError('invalid', 'edits: required, a non-empty array of visual edits, each an object with a "kind" (compiler/designer/api.ts VisualEdit)');
    }
    if (edits.length > 100) throw new ApiError('invalid', 'edits: at most 100 at once');
    const r = await core(() => backend.apply(text, rel, root, edits));
    sendJson(ctx.res, 200, { text: r.text, edits: r.edits, inverse: r.inverse, model: r.model, diagnostics: r.diagnostics });
  } },
  { method: 'PUT', path: /^\/designer\/file$/, role: 'admin', async handle(ctx) {
    const { root, backend } = setup(ctx);
    const body = await readJson(ctx.req);
    const { full, rel } = confine(root, body.path);
    const text = textOf(body);
    const base = str(body, 'version', { required: true, max: 64 })!;
    const before = readSource(full, rel);
    const was = versionOf(before);
    if (was !== base) throw new ApiError('conflict', `${rel} changed on disk since it was opened (version ${base.slice(0, 12)}, now ${was.slice(0, 12)}): nothing was written; open it again (your text is still in the editor) and redo the change`);
    const a = await core(() => backend.analyze(text, rel, root));
    writeAtomic(full, text, fs.statSync(full).mode & 0o777);
    const version = versionOf(text);
    await ctx.deps.audit.record(ctx.session.user, 'designer.save', `flow file ${rel}`, { version: was, bytes: before.length }, { version, bytes: Buffer.byteLength(text), errors: a.diagnostics.filter((d) => d.severity === 'error').length });
    sendJson(ctx.res, 200, { path: rel, version, model: a.model, diagnostics: a.diagnostics });
  } },
  { method: 'PUT', path: /^\/designer\/layout$/, role: 'operator', async handle(ctx) {
    const { root, backend } = setup(ctx);
    const body = await readJson(ctx.req);
    const { full, rel } = confine(root, body.path);
    const positions = positionsOf(body.positions, 'positions');
    const text = readSource(full, rel).toString('utf8');
    // Keys of steps the file no longer has are dropped (the current file on disk decides).
    const keys = new Set(backend.stepKeys((await core(() => backend.analyze(text, rel, root))).model));
    const kept: Record<string, { x: number; y: number }> = {};
    for (const k of Object.keys(positions).sort()) if (keys.has(k)) kept[k] = positions[k]!;
    const before = readLayoutFile(full);
    const layout: DesignerLayout = { version: 1, positions: kept };
    writeAtomic(layoutFile(full), `${JSON.stringify(layout, null, 2)}\n`);
    await ctx.deps.audit.record(ctx.session.user, 'designer.layout', `layout of ${rel}`, { steps: Object.keys(before.positions).length }, { steps: Object.keys(kept).length });
    sendJson(ctx.res, 200, { path: rel, layout, dropped: Object.keys(positions).filter((k) => !keys.has(k)) });
  } },
];

/**
 * The designer's field mapper (console page #/designer/map; API.md "Designer: field mapper"):
 *
 *   GET  /api/designer/mapper?file=&map=    the file's text, the map's view, the source and target entity trees
 *   POST /api/designer/mapper/model         { file, map, text } -> the map's view of a typed text
 *   POST /api/designer/mapper/edit          { file, map, text, edit } -> { text, edits, map }
 *   POST /api/designer/mapper/complete      { file, text, exprStart, exprEnd, expr, cursor } -> completion items
 *   POST /api/designer/mapper/preview       { file, text } -> the flow run on its fixtures
 *   POST /api/designer/mapper/suggest       { file, map, text } -> the mapping assistant's suggestions
 *   PUT  /api/designer/mapper/file          { file, text, base } -> writes the .flow (admin; 409 when changed on disk)
 *
 * Every computation is the compiler's: the designer core (compiler/designer/: model, visual edits as
 * minimal text edits, entity trees, preview) and the language service's completion
 * (compiler/lsp/completion.ts on the flow text with the expression in place). The compiler is loaded
 * on the first request (flowd that never opens the designer never loads it). File paths are relative
 * to the designer root and confined to it (a path that climbs out is a 400).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Route } from '../context.js';
import { ApiError, readJson, sendJson, str } from '../http.js';

const MAX_TEXT = 512 * 1024;
export const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The compiler side of the mapper (compiler/designer-mapper/core.ts). The runtime never imports the
 * compiler: flowd gets it from bin/flowd.js through the designer's backend (`DesignerBackend.mapper`),
 * which loads it on the first request.
 */
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

export type LoadMapperCore = () => Promise<MapperCore>;

/** `file` (relative to the root, a `.flow`) as an absolute path inside the root, or a 400 saying why. */
export function confine(root: string, file: string | undefined): { abs: string; rel: string } {
  if (!file) throw new ApiError('invalid', 'file: required (a .flow path relative to the designer root)');
  if (file.includes('\0') || path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) throw new ApiError('invalid', `file: '${file}' must be a path inside the designer root (no '..', not absolute)`);
  if (!file.endsWith('.flow')) throw new ApiError('invalid', `file: '${file}' is not a .flow file`);
  const rootReal = fs.realpathSync(root);
  const abs = path.resolve(rootReal, file);
  if (!abs.startsWith(rootReal + path.sep)) throw new ApiError('invalid', `file: '${file}' is outside the designer root`);
  // A symbolic link inside the root that points out of it is refused too.
  const real = fs.existsSync(abs) ? fs.realpathSync(abs) : abs;
  if (!real.startsWith(rootReal + path.sep)) throw new ApiError('invalid', `file: '${file}' leads outside the designer root`);
  return { abs, rel: path.relative(rootReal, abs).split(path.sep).join('/') };
}

function readFlow(abs: string, rel: string): string {
  try { return fs.readFileSync(abs, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('not_found', `file: '${rel}' does not exist in the designer root`);
    throw e;
  }
}

function text(body: Record<string, unknown>): string {
  const t = body.text;
  if (typeof t !== 'string') throw new ApiError('invalid', 'text: required (the .flow text being edited)');
  if (t.length > MAX_TEXT) throw new ApiError('invalid', `text: at most ${MAX_TEXT} characters`);
  return t;
}

function int(body: Record<string, unknown>, name: string, max: number): number {
  const v = body[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new ApiError('invalid', `${name}: an integer from 0 to ${max}`);
  return v;
}

/**
 * The designer root: the first of the console's source folders (flowd's `sourceDirs`: the flows
 * folder, its parent, the config's folder and its mappings/, the working folder and its mappings/)
 * that holds `.flow` files, looked up at each request (a folder made later is found).
 */
export function designerRoot(sourceDirs: readonly string[]): string | undefined {
  for (const d of sourceDirs) {
    try { if (fs.readdirSync(d).some((n) => n.endsWith('.flow'))) return path.resolve(d); } catch { /* not a folder */ }
  }
  return undefined;
}

/** The mapper's routes on the designer root (none found: every route answers 503 saying where it looked). */
export function designerMapperRoutes(sourceDirs: readonly string[], load?: LoadMapperCore): Route[] {
  let core: Promise<MapperCore> | undefined;
  const loadCore = (): Promise<MapperCore> => {
    if (!load) return Promise.reject(new ApiError('unavailable', "the designer's core is not loaded: flowd was started without it (start it with bin/flowd.js serve)"));
    core ??= load();
    return core;
  };
  const rootOr503 = (): string => {
    const root = designerRoot(sourceDirs);
    if (!root) throw new ApiError('unavailable', `the designer found no .flow files in flowd's source folders (${sourceDirs.join(', ') || 'none'}): put the .flow sources (e.g. mappings/) beside connect.yaml`);
    return root;
  };
  return [
    { method: 'GET', path: /^\/designer\/mapper$/, role: 'viewer', async handle({ res, query }) {
      const r = rootOr503();
      const { abs, rel } = confine(r, query.get('file') ?? undefined);
      const t = readFlow(abs, rel);
      const c = await loadCore();
      sendJson(res, 200, { file: rel, text: t, base: sha(t), ...c.open(t, rel, abs, query.get('map') ?? undefined) });
    } },
    { method: 'POST', path: /^\/designer\/mapper\/model$/, role: 'viewer', async handle({ req, res }) {
      const body = await readJson(req);
      const { abs, rel } = confine(rootOr503(), str(body, 'file', { required: true }));
      const c = await loadCore();
      sendJson(res, 200, c.model(text(body), rel, abs, str(body, 'map', { required: true, max: 200 })!));
    } },
    { method: 'POST', path: /^\/designer\/mapper\/edit$/, role: 'operator', async handle({ req, res }) {
      const body = await readJson(req);
      const { abs, rel } = confine(rootOr503(), str(body, 'file', { required: true }));
      const t = text(body);
      const c = await loadCore();
      sendJson(res, 200, c.edit(t, rel, abs, str(body, 'map', { required: true, max: 200 })!, body.edit));
    } },
    { method: 'POST', path: /^\/designer\/mapper\/complete$/, role: 'operator', async handle({ req, res }) {
      const body = await readJson(req);
      const { abs, rel } = confine(rootOr503(), str(body, 'file', { required: true }));
      const t = text(body);
      const exprStart = int(body, 'exprStart', t.length);
      const exprEnd = int(body, 'exprEnd', t.length);
      if (exprEnd < exprStart) throw new ApiError('invalid', `exprEnd: ${exprEnd} is before exprStart ${exprStart}`);
      const expr = typeof body.expr === 'string' ? body.expr : undefined;
      if (expr === undefined || expr.length > 20_000) throw new ApiError('invalid', 'expr: required, a string of at most 20000 characters');
      const cursor = int(body, 'cursor', expr.length);
      const c = await loadCore();
      sendJson(res, 200, c.complete(t, rel, abs, exprStart, exprEnd, expr, cursor));
    } },
    { method: 'POST', path: /^\/designer\/mapper\/preview$/, role: 'operator', async handle({ req, res }) {
      const body = await readJson(req);
      const { abs, rel } = confine(rootOr503(), str(body, 'file', { required: true }));
      const c = await loadCore();
      sendJson(res, 200, await c.preview(text(body), rel, abs));
    } },
    { method: 'POST', path: /^\/designer\/mapper\/suggest$/, role: 'viewer', async handle({ req, res }) {
      const body = await readJson(req);
      const { abs, rel } = confine(rootOr503(), str(body, 'file', { required: true }));
      const c = await loadCore();
      sendJson(res, 200, await c.suggest(text(body), rel, abs, str(body, 'map', { required: true, max: 200 })!));
    } },
    { method: 'PUT', path: /^\/designer\/mapper\/file$/, role: 'admin', async handle({ req, res, session, deps }) {
      const body = await readJson(req);
      const { abs, rel } = confine(rootOr503(), str(body, 'file', { required: true }));
      const t = text(body);
      const base = str(body, 'base', { required: true, max: 64 })!;
      const onDisk = readFlow(abs, rel);
      if (sha(onDisk) !== base) throw new ApiError('conflict', `file: '${rel}' changed on disk since it was opened; reopen it (your edits are still in the page)`);
      // Written beside and renamed over: a reader never sees half a file.
      const tmp = `${abs}.${process.pid}.${Date.now()}.tmp`;
      fs.writeFileSync(tmp, t, { mode: fs.statSync(abs).mode & 0o777 });
      fs.renameSync(tmp, abs);
      const after = sha(t);
      await deps.audit.record(session.user, 'designer.save', `flow file ${rel}`, { sha256: base, bytes: Buffer.byteLength(onDisk) }, { sha256: after, bytes: Buffer.byteLength(t) });
      sendJson(res, 200, { file: rel, base: after });
    } },
  ];
}

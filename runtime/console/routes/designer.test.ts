/**
 * The designer API over real HTTP on loopback: flowd's HTTP server with the console mounted, a real
 * SQLite store (sessions, audit), the designer's real core (compiler/designer-backend.ts) on a temp
 * copy of mappings/. Each route: 401 without a session, the least role (403 below it), 403 without
 * the CSRF token where it changes something, traversal refused (400), and what it does: open, model,
 * edit (the text edits, new text, model), save only over the opened bytes (else 409, nothing written),
 * layout written to the sidecar and the .flow bytes untouched, both audited.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create as createDesignerBackend } from '../../../compiler/designer-backend.js';
import { startHttpServer, type HttpServer } from '../../http/server.js';
import { createLogger } from '../../observability/logger.js';
import { createMetrics } from '../../observability/metrics.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { hashPassword } from '../auth.js';
import { createConsole } from '../api.js';
import { Client } from '../test-support/client.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const PASSWORDS = { vic: 'vic-viewer-pass', olga: 'olga-operator-pass', adam: 'adam-admin-pass!' } as const;
const FILE = 'inventory-to-xcart.flow';

let tmp: string;
let root: string;
let store: SqliteStore;
let server: HttpServer;
let base: string;
const as = async (user: keyof typeof PASSWORDS): Promise<Client> => {
  const c = new Client(base);
  const r = await c.login(user, PASSWORDS[user]);
  expect(r.status, r.text).toBe(200);
  return c;
};

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowd-designer-'));
  root = path.join(tmp, 'mappings');
  fs.cpSync(path.join(REPO, 'mappings'), root, { recursive: true, filter: (p) => !p.includes(`${path.sep}tests`) });
  fs.writeFileSync(path.join(tmp, 'outside.flow'), 'flow Outside "not in the designer folder"\n  on xcart.order.created\n');
  store = SqliteStore.open(path.join(tmp, 'flowd.db'));
  for (const [name, role] of [['vic', 'viewer'], ['olga', 'operator'], ['adam', 'admin']] as const) {
    await store.console.createUser({ name, role, passwordHash: await hashPassword(PASSWORDS[name], { N: 1024 }) });
  }
  const consoleServer = createConsole({ store, flows: new Map(), staticDir: path.join(tmp, 'none'), designer: { root, backend: createDesignerBackend() } });
  server = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: createMetrics({ processMetrics: false }), logger: createLogger({ file: path.join(tmp, 'flowd.log'), level: 'error' }),
    health: async () => ({ ok: true, checks: {} }), ready: () => true, console: consoleServer });
  base = server.url;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await store?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const q = encodeURIComponent;
/** [method, path, body, least role] of every designer route. */
const ROUTES = (): [string, string, unknown, 'viewer' | 'operator' | 'admin'][] => [
  ['GET', '/api/designer/files', undefined, 'viewer'],
  ['GET', `/api/designer/file?path=${q(FILE)}`, undefined, 'viewer'],
  ['GET', '/api/designer/palette', undefined, 'viewer'],
  ['POST', '/api/designer/model', { path: FILE, text: 'x' }, 'viewer'],
  ['POST', '/api/designer/edit', { path: FILE, text: 'x', edits: [{ kind: 'removeStep', key: 'x' }] }, 'viewer'],
  ['PUT', '/api/designer/file', { path: FILE, text: 'x', version: 'v' }, 'admin'],
  ['PUT', '/api/designer/layout', { path: FILE, positions: {} }, 'operator'],
];

describe('designer API: who may do what', () => {
  it('every route answers 401 without a session', async () => {
    const c = new Client(base);
    for (const [m, p, b] of ROUTES()) {
      const r = await c.call(m, p, b);
      expect(r.status, `${m} ${p}`).toBe(401);
    }
  });

  it('a role too low gets 403 forbidden: save is for admins, the layout for operators and admins', async () => {
    const viewer = await as('vic');
    const operator = await as('olga');
    const bytes = fs.readFileSync(path.join(root, FILE));
    for (const [m, p, b, role] of ROUTES()) {
      if (role === 'viewer') continue;
      const r = await viewer.call(m, p, b);
      expect(r.status, `viewer ${m} ${p}`).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
      if (role === 'admin') expect((await operator.call(m, p, b)).status, `operator ${m} ${p}`).toBe(403);
    }
    expect(fs.readFileSync(path.join(root, FILE)).equals(bytes)).toBe(true);
    expect(fs.existsSync(path.join(root, `${FILE}.layout.json`))).toBe(false);
  });

  it('every POST and PUT without the CSRF token gets 403 csrf', async () => {
    const admin = await as('adam');
    for (const [m, p, b] of ROUTES()) {
      if (m === 'GET') continue;
      const r = await admin.call(m, p, b, { csrf: false });
      expect(r.status, `${m} ${p}`).toBe(403);
      expect(r.body.error.code).toBe('csrf');
    }
    expect(fs.existsSync(path.join(root, `${FILE}.layout.json`))).toBe(false);
  });

  it('a path that leaves the designer folder is a 400 naming the path, on every route that takes one', async () => {
    const admin = await as('adam');
    fs.symlinkSync(path.join(tmp, 'outside.flow'), path.join(root, 'link.flow'));
    const bad = ['../outside.flow', 'lookups/../../outside.flow', path.join(tmp, 'outside.flow'), 'link.flow', 'lookups/web-warehouses.yaml', 'a\0.flow', '..\\outside.flow'];
    for (const p of bad) {
      const rs = [
        await admin.get(`/api/designer/file?path=${q(p)}`),
        await admin.post('/api/designer/model', { path: p, text: 'x' }),
        await admin.post('/api/designer/edit', { path: p, text: 'x', edits: [{ kind: 'removeStep', key: 'x' }] }),
        await admin.call('PUT', '/api/designer/file', { path: p, text: 'x', version: 'v' }),
        await admin.call('PUT', '/api/designer/layout', { path: p, positions: {} }),
      ];
      for (const r of rs) {
        expect(r.status, `${p}: ${r.text}`).toBe(400);
        expect(r.body.error.code).toBe('invalid');
        expect(r.body.error.message).toContain('path:');
      }
    }
    fs.rmSync(path.join(root, 'link.flow'));
    expect(fs.readFileSync(path.join(tmp, 'outside.flow'), 'utf8')).toContain('flow Outside');
    expect(fs.existsSync(path.join(tmp, 'outside.flow.layout.json'))).toBe(false);
  });
});

describe('designer API: what each route does', () => {
  it('lists the .flow files of the designer folder (relative paths and flow names)', async () => {
    const r = await (await as('vic')).get('/api/designer/files');
    expect(r.status).toBe(200);
    expect(r.body.root).toBe('mappings');
    const paths = r.body.files.map((f: { path: string }) => f.path);
    expect(paths).toContain(FILE);
    expect(paths).toContain('order-to-sales-order.flow');
    expect(paths.every((p: string) => p.endsWith('.flow') && !p.startsWith('/'))).toBe(true);
    expect(r.body.files.find((f: { path: string }) => f.path === FILE).flow).toBe('InventoryToXCart');
  });

  it('opens a file: its text, version, model with step keys, diagnostics, layout; a missing file is a 404', async () => {
    const c = await as('vic');
    const r = await c.get(`/api/designer/file?path=${q(FILE)}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.text).toBe(fs.readFileSync(path.join(root, FILE), 'utf8'));
    expect(r.body.version).toMatch(/^[0-9a-f]{64}$/);
    expect(r.body.model.name).toBe('InventoryToXCart');
    expect(r.body.model.steps.map((s: { key: string }) => s.key)).toEqual(expect.arrayContaining(['table:web_warehouse', 'lookup:product', 'let:available']));
    expect(r.body.diagnostics.filter((d: { severity: string }) => d.severity === 'error')).toEqual([]);
    expect(r.body.layout).toEqual({ version: 1, positions: {} });
    const missing = await c.get(`/api/designer/file?path=${q('nope.flow')}`);
    expect(missing.status).toBe(404);
  });

  it('the model of a typed text follows the text, diagnostics with their lines', async () => {
    const c = await as('vic');
    const text = fs.readFileSync(path.join(root, FILE), 'utf8');
    const typed = text.replace('  let available = max(0, floor(event.data.available ?? 0))\n', '  let available = max(0, floor(event.data.available ?? 0))\n  let spare = available + 1\n');
    const r = await c.post('/api/designer/model', { path: FILE, text: typed });
    expect(r.status, r.text).toBe(200);
    expect(r.body.model.steps.map((s: { key: string }) => s.key)).toContain('let:spare');
    const broken = await c.post('/api/designer/model', { path: FILE, text: typed.replace('let spare = available + 1', 'let spare = nosuch + 1') });
    expect(broken.status).toBe(200);
    const errs = broken.body.diagnostics.filter((d: { severity: string }) => d.severity === 'error');
    expect(errs.length).toBeGreaterThan(0);
    expect(errs[0].line).toBe(typed.split('\n').findIndex((l) => l.includes('let spare')) + 1);
  });

  it('a visual edit returns the text edits, the new text (only the step changed) and the model; a refused edit is a 400 saying why', async () => {
    const c = await as('vic');
    const text = fs.readFileSync(path.join(root, FILE), 'utf8');
    const r = await c.post('/api/designer/edit', { path: FILE, text, edits: [{ kind: 'removeStep', key: 'let:available' }] });
    expect(r.status, r.text).toBe(400); // the write uses `available`
    expect(r.body.error.message).toMatch(/available/);
    const ok = await c.post('/api/designer/edit', { path: FILE, text, edits: [{ kind: 'setTrigger', interval: '10m' }] });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.text).toBe(text.replace('on every 5m poll', 'on every 10m poll'));
    expect(ok.body.edits.length).toBeGreaterThan(0);
    expect(ok.body.inverse.length).toBeGreaterThan(0);
    expect(ok.body.model.trigger.interval).toBe('10m');
    expect(fs.readFileSync(path.join(root, FILE), 'utf8')).toBe(text); // an edit writes nothing
    const none = await c.post('/api/designer/edit', { path: FILE, text, edits: [] });
    expect(none.status).toBe(400);
  });

  it('save writes the .flow only over the bytes that were opened: a file changed on disk is a 409 and is left alone; audited', async () => {
    const admin = await as('adam');
    const opened = (await admin.get(`/api/designer/file?path=${q(FILE)}`)).body;
    const edited = opened.text.replace('on every 5m poll', 'on every 7m poll');
    const saved = await admin.call('PUT', '/api/designer/file', { path: FILE, text: edited, version: opened.version });
    expect(saved.status, saved.text).toBe(200);
    expect(fs.readFileSync(path.join(root, FILE), 'utf8')).toBe(edited);
    // someone else changes the file; a save from the old version is refused
    const theirs = edited.replace('on every 7m poll', 'on every 9m poll');
    fs.writeFileSync(path.join(root, FILE), theirs);
    const stale = await admin.call('PUT', '/api/designer/file', { path: FILE, text: edited.replace('7m', '8m'), version: saved.body.version });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');
    expect(stale.body.error.message).toContain('changed on disk');
    expect(fs.readFileSync(path.join(root, FILE), 'utf8')).toBe(theirs);
    const audit = await admin.get('/api/audit');
    expect(audit.body.entries.filter((e: { action: string }) => e.action === 'designer.save').map((e: { user: string; target: string }) => [e.user, e.target])).toEqual([['adam', `flow file ${FILE}`]]);
    fs.writeFileSync(path.join(root, FILE), opened.text);
  });

  it('the layout goes to the sidecar (keys of steps the file has), the .flow bytes stay the same; bad positions are a 400', async () => {
    const op = await as('olga');
    const before = fs.readFileSync(path.join(root, FILE));
    const r = await op.call('PUT', '/api/designer/layout', { path: FILE, positions: { 'lookup:product': { x: 120.25, y: -40 }, 'let:gone': { x: 1, y: 2 } } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.dropped).toEqual(['let:gone']);
    expect(JSON.parse(fs.readFileSync(path.join(root, `${FILE}.layout.json`), 'utf8'))).toEqual({ version: 1, positions: { 'lookup:product': { x: 120.3, y: -40 } } });
    expect(fs.readFileSync(path.join(root, FILE)).equals(before)).toBe(true);
    const opened = await op.get(`/api/designer/file?path=${q(FILE)}`);
    expect(opened.body.layout.positions).toEqual({ 'lookup:product': { x: 120.3, y: -40 } });
    const bad = await op.call('PUT', '/api/designer/layout', { path: FILE, positions: { 'lookup:product': { x: 'left', y: 0 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('positions.lookup:product');
    const audit = await (await as('adam')).get('/api/audit');
    expect(audit.body.entries.some((e: { action: string; user: string }) => e.action === 'designer.layout' && e.user === 'olga')).toBe(true);
  });
});

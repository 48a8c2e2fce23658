/**
 * The field mapper's API (routes/designer-mapper.ts) over real HTTP on loopback: flowd's HTTP server
 * with the console mounted, a real SQLite store, and a temp copy of mappings/ as the designer root.
 * Each route: its role (403 below it), CSRF on changes, a path that climbs out of the root (400), and
 * what it answers: the entity trees and the map's view, visual edits as text edits, the language
 * service's completion with the expression in place, the preview on the fixtures, save (409 when the
 * file changed on disk, audited).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../http/server.js';
import { createLogger } from '../../observability/logger.js';
import { createMetrics } from '../../observability/metrics.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { hashPassword } from '../auth.js';
import { createConsole } from '../api.js';
import { Client } from '../test-support/client.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const FILE = 'order-to-sales-order.flow';
const PASSWORDS = { vera: 'vera-viewer-pass', otto: 'otto-operator-pass', ada: 'ada-admin-pass!' };

let tmp: string;
let root: string;
let store: SqliteStore;
let server: HttpServer;
let base: string;
async function as(user: keyof typeof PASSWORDS): Promise<Client> {
  const c = new Client(base);
  const r = await c.login(user, PASSWORDS[user]);
  expect(r.status, r.text).toBe(200);
  return c;
}
const put = (c: Client, p: string, body: unknown, opts?: { csrf?: boolean }) => c.call('PUT', p, body, opts);
const flowText = () => fs.readFileSync(path.join(root, FILE), 'utf8');

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowd-mapper-'));
  root = path.join(tmp, 'mappings');
  fs.cpSync(path.join(REPO, 'mappings'), root, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'outside.flow'), 'flow Outside "not in the root"\n  on xcart.order.created\n');
  store = SqliteStore.open(path.join(tmp, 'flowd.db'));
  for (const [name, role] of [['vera', 'viewer'], ['otto', 'operator'], ['ada', 'admin']] as const) {
    await store.console.createUser({ name, role, passwordHash: await hashPassword(PASSWORDS[name], { N: 1024 }) });
  }
  const consoleServer = createConsole({ store, flows: new Map(), staticDir: path.join(tmp, 'no-console'), sourceDirs: [path.join(tmp, 'flows'), root] });
  server = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: createMetrics({ processMetrics: false }), logger: createLogger({ file: path.join(tmp, 'flowd.log'), level: 'error' }),
    health: async () => ({ ok: true, checks: {} }), ready: () => true, console: consoleServer });
  base = server.url;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await store?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('designer mapper API: roles, CSRF, paths', () => {
  it('needs a session (401), the route role (403) and the CSRF token on changes (403 csrf)', async () => {
    const anon = new Client(base);
    expect((await anon.get(`/api/designer/mapper?file=${FILE}`)).status).toBe(401);
    const vera = await as('vera');
    const body = { file: FILE, text: flowText(), exprStart: 0, exprEnd: 0, expr: '', cursor: 0 };
    const r = await vera.post('/api/designer/mapper/complete', body);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    const otto = await as('otto');
    const noCsrf = await otto.post('/api/designer/mapper/complete', body, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('csrf');
    const save = await put(otto, '/api/designer/mapper/file', { file: FILE, text: 'x', base: 'y' });
    expect(save.status).toBe(403);
    expect(save.body.error.message).toMatch(/admin/);
  });

  it('refuses a path that climbs out of the designer root, an absolute one and a non-.flow file (400 naming the file)', async () => {
    const ada = await as('ada');
    for (const file of ['../outside.flow', '../../etc/passwd', '/etc/passwd', `${root}/${FILE}`, 'lookups/carriers.yaml', 'sub/../../outside.flow']) {
      const r = await ada.get(`/api/designer/mapper?file=${encodeURIComponent(file)}`);
      expect(r.status, file).toBe(400);
      expect(r.body.error.code).toBe('invalid');
      expect(r.body.error.message).toContain(`'${file}'`);
    }
    fs.symlinkSync(path.join(tmp, 'outside.flow'), path.join(root, 'link.flow'));
    const link = await ada.get('/api/designer/mapper?file=link.flow');
    expect(link.status).toBe(400);
    expect(link.body.error.message).toMatch(/leads outside/);
    fs.rmSync(path.join(root, 'link.flow'));
    const missing = await ada.get('/api/designer/mapper?file=nope.flow');
    expect(missing.status).toBe(404);
  });
});

describe('designer mapper API: completion', () => {
  it('completes an expression being edited with the language service, on the flow text with the expression in place', async () => {
    const otto = await as('otto');
    const text = flowText();
    const expr = 'truncate(item.name, 50)';
    const at = text.indexOf(expr);
    // `item.` inside the lines block: the fields of xcart.OrderItem (the each's alias, typed by the checker).
    const r = await otto.post('/api/designer/mapper/complete', { file: FILE, text, exprStart: at, exprEnd: at + expr.length, expr: 'item.', cursor: 5 });
    expect(r.status, r.text).toBe(200);
    const labels = r.body.items.map((i: { label: string }) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['sku', 'name', 'amount', 'price']));
    expect(r.body.items.find((i: { label: string }) => i.label === 'amount').detail).toMatch(/int|decimal|number/);
    expect([r.body.from, r.body.to]).toEqual([5, 5]);
    // A prefix narrows the list and says which part of the expression the item replaces.
    const p = await otto.post('/api/designer/mapper/complete', { file: FILE, text, exprStart: at, exprEnd: at + expr.length, expr: 'item.na', cursor: 7 });
    expect(p.body.items.map((i: { label: string }) => i.label)).toEqual(['name']);
    expect([p.body.from, p.body.to]).toEqual([5, 7]);
    // Builtins come with their signature; a snippet's tab stops are not inserted.
    const b = await otto.post('/api/designer/mapper/complete', { file: FILE, text, exprStart: at, exprEnd: at + expr.length, expr: 'trunc', cursor: 5 });
    const t = b.body.items.find((i: { label: string }) => i.label === 'truncate');
    expect(t.detail).toMatch(/truncate\(string, int\)/);
    expect(t.insertText).toBe('truncate()');
  });

  it('names what is wrong with a bad request', async () => {
    const otto = await as('otto');
    const r = await otto.post('/api/designer/mapper/complete', { file: FILE, text: 'flow X', exprStart: 3, exprEnd: 1, expr: '', cursor: 0 });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/exprEnd: 1 is before exprStart 3/);
    const n = await otto.post('/api/designer/mapper/complete', { file: FILE, exprStart: 0, exprEnd: 0, expr: '', cursor: 0 });
    expect(n.body.error.message).toMatch(/^text: required/);
  });
});

describe('designer mapper API: save', () => {
  it('writes the file for an admin when it is unchanged on disk since it was opened, audited; 409 when it changed', async () => {
    const ada = await as('ada');
    const opened = await ada.get(`/api/designer/mapper?file=${FILE}`);
    const before = flowText();
    const baseSha = opened.status === 200 ? opened.body.base : (await import('./designer-mapper.js')).sha(before);
    const edited = before.replace('on invalid dead_letter', '// saved from the mapper\n  on invalid dead_letter');
    const noCsrf = await put(ada, '/api/designer/mapper/file', { file: FILE, text: edited, base: baseSha }, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(flowText()).toBe(before);
    const r = await put(ada, '/api/designer/mapper/file', { file: FILE, text: edited, base: baseSha });
    expect(r.status, r.text).toBe(200);
    expect(flowText()).toBe(edited);
    const audit = await ada.get('/api/audit');
    const entry = audit.body.entries.find((e: { action: string }) => e.action === 'designer.save');
    expect(entry).toMatchObject({ user: 'ada', target: `flow file ${FILE}` });
    // The file changed on disk since (another editor, git): refused, the disk text kept.
    fs.appendFileSync(path.join(root, FILE), '// changed on disk\n');
    const onDisk = flowText();
    const stale = await put(ada, '/api/designer/mapper/file', { file: FILE, text: before, base: r.body.base });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/changed on disk/);
    expect(flowText()).toBe(onDisk);
    fs.writeFileSync(path.join(root, FILE), before);
  });
});

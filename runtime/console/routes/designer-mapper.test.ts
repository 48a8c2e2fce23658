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
import { create as createDesigner } from '../../../compiler/designer-backend.js';
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
  const consoleServer = createConsole({ store, flows: new Map(), staticDir: path.join(tmp, 'no-console'), sourceDirs: [path.join(tmp, 'flows'), root], designer: { backend: createDesigner() } });
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

describe('designer mapper API: trees, the map, edits, preview', () => {
  it('opens a map: the source and target entities as trees (Sage Pro table, column, storage type, width) and its assignments with their source fields', async () => {
    const vera = await as('vera');
    const r = await vera.get(`/api/designer/mapper?file=${FILE}&map=so`);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ file: FILE, maps: ['so'], source: { entity: 'xcart.Order', root: 'order' }, target: { entity: 'sagepro.SalesOrder', root: 'so' } });
    expect(r.body.text).toBe(flowText());
    const items = r.body.source.fields.find((f: { path: string }) => f.path === 'order.items');
    expect(items).toMatchObject({ list: true, type: 'xcart.OrderItem[]' });
    expect(items.children.map((f: { path: string }) => f.path)).toContain('order.items[].sku');
    const lines = r.body.target.fields.find((f: { path: string }) => f.path === 'lines');
    expect(lines.children.find((f: { path: string }) => f.path === 'lines[].item')).toMatchObject({ required: true, sagepro: { table: 'SOTRAN', column: 'ITEM', storage: 'C(15)', width: 15 } });
    expect(r.body.target.fields.find((f: { path: string }) => f.path === 'ship_to').children.find((f: { path: string }) => f.path === 'ship_to.city').sagepro).toMatchObject({ table: 'SOADDR', column: 'CITY' });
    const a = (id: string) => r.body.map.assignments.find((x: { id: string }) => x.id === id);
    expect(a('lines[].item')).toMatchObject({ target: 'lines[].item', expr: 'truncate(upper(trim(item.sku)), 15)', sources: ['order.items[].sku'] });
    expect(a('ship_to.city').sources).toEqual(['order.shipping_address.city', 'order.billing_address.city']);
    expect(r.body.map.text.startsWith('  map order -> so: sagepro.SalesOrder {')).toBe(true);
    expect(r.body.map.diagnostics).toEqual([]);
    const none = await vera.get(`/api/designer/mapper?file=${FILE}&map=nope`);
    expect(none.status).toBe(404);
    expect(none.body.error.message).toMatch(/'nope' is not a map of .*maps: so/);
  });

  it('a dragged source field becomes one inserted line (the each alias inside line items); FLOW3005 comes with its quick fix, which fixes it', async () => {
    const otto = await as('otto');
    const text = flowText();
    const r = await otto.post('/api/designer/mapper/edit', { file: FILE, map: 'so', text, edit: { kind: 'map', target: 'lines[].location', source: 'order.items[].sku' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.edits).toHaveLength(1);
    const e = r.body.edits[0];
    expect(e.start).toBe(e.end);
    // A line of its own in the block's indentation, `=` aligned with the block's (the core's map edit).
    expect(e.newText).toBe('      location    = item.sku\n');
    expect(r.body.text).toBe(text.slice(0, e.start) + e.newText + text.slice(e.end));
    const d = r.body.map.diagnostics.find((x: { code: string }) => x.code === 'FLOW3005');
    expect(d).toMatchObject({ target: 'lines[].location' });
    expect(d.message).toMatch(/SOTRAN\.LOCTID of width 6/);
    const fix = d.fixes.find((f: { title: string }) => f.title === 'Wrap in truncate(value, 6)');
    expect(fix).toBeDefined();
    const fixed = await otto.post('/api/designer/mapper/edit', { file: FILE, map: 'so', text: r.body.text, edit: { kind: 'quickFix', fixId: fix.id } });
    expect(fixed.status, fixed.text).toBe(200);
    expect(fixed.body.text).toContain('location    = truncate(item.sku, 6)');
    expect(fixed.body.map.diagnostics).toEqual([]);
    // unmap takes the line away again: the original bytes.
    const un = await otto.post('/api/designer/mapper/edit', { file: FILE, map: 'so', text: fixed.body.text, edit: { kind: 'unmap', target: 'lines[].location' } });
    expect(un.status, un.text).toBe(200);
    expect(un.body.text).toBe(text);
  });

  it('names what is wrong with an edit; a viewer may not edit', async () => {
    const otto = await as('otto');
    const text = flowText();
    const bad = await otto.post('/api/designer/mapper/edit', { file: FILE, map: 'so', text, edit: { kind: 'paint', target: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/edit.kind: 'paint' is not one of map, unmap, setExpr, quickFix/);
    const list = await otto.post('/api/designer/mapper/edit', { file: FILE, map: 'so', text, edit: { kind: 'map', target: 'tracking', source: 'order.items[].sku' } });
    expect(list.status).toBe(400);
    expect(list.body.error.message).toMatch(/'order.items\[\].sku' is a field of each element of a list/);
    const vera = await as('vera');
    expect((await vera.post('/api/designer/mapper/edit', { file: FILE, map: 'so', text, edit: { kind: 'unmap', target: 'notes' } })).status).toBe(403);
  });

  it('previews the text on the flow tests: write records per case, and failed expectations after a breaking edit', async () => {
    const otto = await as('otto');
    const text = flowText();
    const ok = await otto.post('/api/designer/mapper/preview', { file: FILE, text });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.tests).toMatch(/order-to-sales-order\.test\.yaml$/);
    expect(ok.body.cases.length).toBeGreaterThan(5);
    expect(ok.body.cases.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(ok.body.cases[0].writes[0]).toMatchObject({ operation: 'sagepro.sales_orders.create', record: { order: { external_ref: expect.any(String) } } });
    const broken = text.replace('quantity    = item.amount', 'quantity    = item.amount * 2');
    expect(broken).not.toBe(text);
    const bad = await otto.post('/api/designer/mapper/preview', { file: FILE, text: broken });
    const failed = bad.body.cases.filter((c: { ok: boolean }) => !c.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].failures.join('\n')).toMatch(/quantity: expected \d+, found \d+/);
    const noCompile = await otto.post('/api/designer/mapper/preview', { file: FILE, text: text.replace('quantity    = item.amount', 'quantity    = item.amont') });
    expect(noCompile.body.cases).toEqual([]);
    expect(noCompile.body.compileErrors.join('\n')).toMatch(/amont/);
  });
});

describe('designer mapper API: the mapping assistant', () => {
  it("suggests for the map's unmapped targets (compiler/suggest/), type-checked, with the tree paths they read; nothing is applied", async () => {
    const vera = await as('vera');
    const text = flowText();
    const r = await vera.post('/api/designer/mapper/suggest', { file: FILE, map: 'so', text });
    expect(r.status, r.text).toBe(200);
    expect(r.body.available).toBe(true);
    const g = r.body.suggestions.find((x: { target: string }) => x.target === 'lines[].request_date');
    expect(g).toMatchObject({ expr: 'date(item.update_date, "America/New_York")', sources: ['order.items[].update_date'] });
    expect(g.confidence).toBeGreaterThan(0.4);
    expect(r.body.suggestions.map((x: { target: string }) => x.target)).not.toContain('lines[].item'); // mapped already
    expect(flowText()).toBe(text);
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

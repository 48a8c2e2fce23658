/**
 * The console's JSON API over real HTTP on loopback: flowd's HTTP server with the console mounted,
 * a real SQLite store filled through the Store interface, the shipped OrderToSalesOrder flow compiled.
 * Every endpoint is called unauthenticated (401), with a role too low (403), and without the CSRF
 * token where it changes something (403); login is rate-limited (429); the cookie's flags; masking;
 * no configured secret in any response.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { loadFlows, type LoadedFlow } from '../engine/flows.js';
import { startHttpServer, type HttpServer } from '../http/server.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { hashPassword } from './auth.js';
import { createConsole, type ConsoleServer } from './api.js';
import { Client } from './test-support/client.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const SECRETS = ['xc-token-9f8e7d6c5b4a', 'DSN=sagepro;PWD=hunter2-sage-secret', 'push-secret-0123456789'];
const PASSWORDS = { ann: 'ann-viewer-pass', otto: 'otto-operator-pass', ada: 'ada-admin-pass!', rita: 'rita-viewer-pass' };

let tmp: string;
let store: SqliteStore;
let server: HttpServer;
let consoleServer: ConsoleServer;
let flows: ReadonlyMap<string, LoadedFlow>;
let base: string;
const clients: Client[] = [];
const client = () => { const c = new Client(base); clients.push(c); return c; };
async function as(user: keyof typeof PASSWORDS): Promise<Client> {
  const c = client();
  const r = await c.login(user, PASSWORDS[user]);
  expect(r.status, r.text).toBe(200);
  return c;
}

/** A dead-lettered order run, a done one with calls (secret-named args and a configured secret inside), and a retry. */
async function fill(): Promise<void> {
  const ev = (id: number, number: string, email: string) => ({
    flow: 'OrderToSalesOrder', source: 'xcart' as const, eventType: 'order.created', entityId: String(id), updatedAt: '2026-12-01T10:00:00Z',
    payload: { order_id: id, order_number: number, email, card_number: '4111111111111111', note: `token ${SECRETS[0]}` },
  });
  const run = (jobId: number, outcome: 'done' | 'dead_letter' | 'retry', over: Record<string, unknown> = {}) => ({
    jobId, flow: 'OrderToSalesOrder', flowVersion: flows.get('OrderToSalesOrder')!.version, trigger: 'xcart:order.created', outcome,
    startedAt: Date.now() - 1000, durationMs: 40, correlationId: `job-${jobId}`, ...over,
  });
  await store.enqueue(ev(101, '00101', 'Pepper@Stark.example'));
  await store.enqueue(ev(102, '00102', 'tony@stark.example'));
  const [a] = await store.lease('w', { leaseMs: 60_000 });
  await store.complete(a!.id, 'w', { outcome: 'done', durationMs: 40, run: run(a!.id, 'done', {
    keys: [{ kind: 'order_id', value: '101' }, { kind: 'order_number', value: '00101' }, { kind: 'email', value: 'Pepper@Stark.example' }, { kind: 'sales_order', value: 'SO-0042' }, { kind: 'sku', value: 'WIDGET-200' }],
    calls: [
      { system: 'xcart', operation: 'orders.get', kind: 'read', args: { id: 101 }, result: { id: 101, order_number: '00101', auth_code: 'A1B2', email: 'pepper@stark.example' }, durationMs: 12 },
      { system: 'sagepro', operation: 'sales_orders.create', kind: 'write', args: { order: { number: 'SO-0042', customer: 'STRK01', memo: `dsn ${SECRETS[1]}` } }, result: { number: 'SO-0042' }, durationMs: 30 },
    ] }) });
  const [b] = await store.lease('w', { leaseMs: 60_000 });
  await store.retry(b!.id, 'w', { error: 'Sage Pro is busy', errorClass: 'transient', nextAttemptAt: Date.now() - 1, run: run(b!.id, 'retry', { error: 'Sage Pro is busy', errorClass: 'transient' }) });
  const [b2] = await store.lease('w', { leaseMs: 60_000, flows: ['OrderToSalesOrder'] });
  const site = flows.get('OrderToSalesOrder')!.module.meta.sites.find((s) => s.line > 10)!;
  const where = `${site.file}:${site.line}:${site.column}`;
  await store.deadLetter(b2!.id, 'w', { error: "unknown item 'POSTER-LTD'", errorClass: 'invalid', site: where, flowVersion: 'v1',
    run: run(b2!.id, 'dead_letter', { error: "unknown item 'POSTER-LTD'", errorClass: 'invalid', site: where, keys: [{ kind: 'order_number', value: '00102' }, { kind: 'sku', value: 'POSTER-LTD' }] }) });
  expect(b2!.id).toBe(b!.id);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowd-console-'));
  const p = createProgram([path.join(REPO, 'mappings/order-to-sales-order.flow')], { schemasDir: path.join(REPO, 'mappings/schemas'), lookupsDir: path.join(REPO, 'mappings/lookups'), displayBase: path.join(REPO, 'mappings') });
  expect(p.hasErrors).toBe(false);
  writeBuild(buildProgram(p, { typeCheck: false }), path.join(tmp, 'flows'));
  flows = await loadFlows(path.join(tmp, 'flows'));
  store = SqliteStore.open(path.join(tmp, 'flowd.db'));
  for (const [name, role] of [['ann', 'viewer'], ['otto', 'operator'], ['ada', 'admin'], ['rita', 'viewer']] as const) {
    await store.console.createUser({ name, role, passwordHash: await hashPassword(PASSWORDS[name], { N: 1024 }) }); // cheap to verify: many logins here
  }
  await fill();
  consoleServer = createConsole({ store, flows, secrets: SECRETS, staticDir: path.join(tmp, 'no-console-build'), sourceDirs: [path.join(REPO, 'mappings')], streamEveryMs: 50,
    rateLimit: { max: 5, windowMs: 60_000 } });
  server = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: createMetrics({ processMetrics: false }), logger: createLogger({ file: path.join(tmp, 'flowd.log'), level: 'error' }),
    health: async () => ({ ok: true, checks: {} }), ready: () => true, console: consoleServer });
  base = server.url;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await store?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Every endpoint: [method, path, body, least role]. */
const ENDPOINTS: [string, string, unknown, 'viewer' | 'operator' | 'admin'][] = [
  ['GET', '/api/me', undefined, 'viewer'],
  ['GET', '/api/overview', undefined, 'viewer'],
  ['GET', '/api/runs', undefined, 'viewer'],
  ['GET', '/api/runs/1', undefined, 'viewer'],
  ['GET', '/api/dead-letters', undefined, 'viewer'],
  ['GET', '/api/dead-letters/1', undefined, 'viewer'],
  ['GET', '/api/flows', undefined, 'viewer'],
  ['GET', '/api/audit', undefined, 'viewer'],
  ['POST', '/api/logout', {}, 'viewer'],
  ['POST', '/api/dead-letters/1/replay', {}, 'operator'],
  ['POST', '/api/dead-letters/replay', { filter: {}, dryRun: true }, 'operator'],
  ['POST', '/api/dead-letters/1/resubmit', { payload: {} }, 'operator'],
  ['POST', '/api/dead-letters/1/discard', { reason: 'x' }, 'operator'],
  ['POST', '/api/resync/order', { number: '00101' }, 'operator'],
  ['GET', '/api/users', undefined, 'admin'],
  ['POST', '/api/users', { name: 'x', password: 'xxxxxxxxxxxx', role: 'viewer' }, 'admin'],
  ['POST', '/api/users/ann/password', { password: 'xxxxxxxxxxxx' }, 'admin'],
  ['PATCH', '/api/users/ann', { role: 'viewer' }, 'admin'],
  ['DELETE', '/api/users/ann', undefined, 'admin'],
];

describe('console API: who may do what', () => {
  it('nobody sees anything without logging in: every endpoint answers 401', async () => {
    const c = client();
    for (const [method, p, body] of ENDPOINTS) {
      const r = await c.call(method, p, body);
      expect(r.status, `${method} ${p}`).toBe(401);
      expect(r.body.error.code).toBe('unauthenticated');
    }
    // and a forged cookie is no session
    c.cookie = 'flowd_session=forged-token';
    expect((await c.get('/api/runs')).status).toBe(401);
  });

  it('a role too low gets 403 forbidden on every endpoint above it; the CSRF token is checked after the role', async () => {
    const viewer = await as('ann');
    const operator = await as('otto');
    for (const [method, p, body, role] of ENDPOINTS) {
      if (role === 'viewer') continue;
      const r = await viewer.call(method, p, body);
      expect(r.status, `viewer ${method} ${p}`).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
      if (role === 'admin') {
        const o = await operator.call(method, p, body);
        expect(o.status, `operator ${method} ${p}`).toBe(403);
        expect(o.body.error.code).toBe('forbidden');
      }
    }
  });

  it('every request that changes something without X-CSRF-Token (or with a wrong one) gets 403 csrf and changes nothing', async () => {
    const admin = await as('ada');
    for (const [method, p, body] of ENDPOINTS) {
      if (method === 'GET') continue;
      const r = await admin.call(method, p, body, { csrf: false });
      expect(r.status, `${method} ${p}`).toBe(403);
      expect(r.body.error.code).toBe('csrf');
      const w = await admin.call(method, p, body, { csrf: false, headers: { 'x-csrf-token': admin.csrf.slice(0, -1) + (admin.csrf.endsWith('A') ? 'B' : 'A') } });
      expect(w.status).toBe(403);
    }
    expect((await admin.get('/api/me')).status).toBe(200); // logout without the token did not log out
    expect((await store.getDeadLetter(1))!.replayJobId).toBeNull();
    expect((await store.console.getUser('ann'))).toBeDefined();
  });
});

describe('console API: login, session, cookie', () => {
  it('login sets an HttpOnly SameSite=Strict cookie with Max-Age, /me returns the user and the CSRF token, logout ends the session', async () => {
    const c = client();
    const r = await c.login('otto', PASSWORDS.otto);
    expect(r.body).toEqual({ user: { name: 'otto', role: 'operator' }, csrf: expect.any(String) });
    const set = r.headers.get('set-cookie')!;
    expect(set).toMatch(/^flowd_session=[\w-]{40,};/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).toContain('Path=/');
    expect(set).toContain(`Max-Age=${8 * 3600}`);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const token = c.cookie.split('=')[1]!;
    // the store keeps a hash of the token, not the token
    expect(JSON.stringify(await store.console.getSession(token))).toBe(undefined);
    expect((await c.get('/api/me')).body).toEqual({ user: { name: 'otto', role: 'operator' }, csrf: r.body.csrf });
    const out = await c.post('/api/logout');
    expect(out.status).toBe(204);
    expect(c.cookie).toBe('');
    c.cookie = `flowd_session=${token}`;
    expect((await c.get('/api/me')).status).toBe(401);
  });

  it('a wrong password and an unknown user get the same 401; after 5 failures per user and address, 429 with Retry-After, even with the right password', async () => {
    const c = client();
    const wrong = await c.login('rita', 'not-the-password');
    const unknown = await c.login('nobody', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    for (let i = 0; i < 4; i++) expect((await c.login('rita', `wrong-${i}`)).status).toBe(401);
    const limited = await c.login('rita', PASSWORDS.rita);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // another user from the same address is not held back
    expect((await c.login('ann', PASSWORDS.ann)).status).toBe(200);
  });

  it('bad input gets a clear 400 naming the field', async () => {
    const c = client();
    const r = await c.post('/api/login', { username: 'ann' });
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({ code: 'invalid', message: 'password: required' });
    const notJson = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(notJson.status).toBe(400);
    expect((await notJson.json() as any).error.message).toMatch(/^body: not JSON/);
    expect((await c.get('/api/nothing-here')).status).toBe(404);
  });
});

describe('console API: runs', () => {
  it('lists runs newest first with filters and a cursor, and finds them by business key', async () => {
    const v = await as('ann');
    const all = (await v.get('/api/runs')).body;
    expect(all.runs.map((r: any) => r.outcome)).toEqual(['dead_letter', 'retry', 'done']);
    expect(all.next).toBeNull();
    const page = (await v.get('/api/runs?limit=2')).body;
    expect(page.runs).toHaveLength(2);
    expect((await v.get(`/api/runs?limit=2&before=${page.next}`)).body.runs.map((r: any) => r.outcome)).toEqual(['done']);
    expect((await v.get('/api/runs?outcome=retry')).body.runs).toHaveLength(1);
    expect((await v.get('/api/runs?flow=Other')).body.runs).toHaveLength(0);
    expect((await v.get(`/api/runs?from=${new Date(Date.now() + 60_000).toISOString()}`)).body.runs).toHaveLength(0);
    for (const q of ['00101', '#00101', '101', 'SO-0042', 'pepper@stark.example', 'PEPPER@STARK.EXAMPLE', 'WIDGET-200']) {
      const r = (await v.get(`/api/runs?q=${encodeURIComponent(q)}`)).body;
      expect(r.runs.map((x: any) => x.outcome), q).toEqual(['done']);
    }
    expect((await v.get('/api/runs?q=widget-200')).body.runs).toHaveLength(0); // SKUs are exact
    const done = all.runs[2];
    expect(done.keys).toMatchObject({ order_number: '00101', order_id: '101', sales_order: 'SO-0042', email: 'pepper@stark.example', sku: 'WIDGET-200' });
    const bad = await v.get('/api/runs?outcome=exploded');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^outcome: 'exploded' is not one of/);
    expect((await v.get('/api/runs?from=yesterday')).body.error.message).toMatch(/^from: 'yesterday' is not an ISO-8601 time/);
  });

  it("a run's page shows the event (masked), the calls (reads and writes, masked), every attempt with its .flow source, and the version", async () => {
    const v = await as('ann');
    const runs = (await v.get('/api/runs')).body.runs;
    const done = (await v.get(`/api/runs/${runs[2].id}`)).body;
    expect(done.event).toMatchObject({ type: 'order.created', source: 'xcart', id: '101' });
    expect(done.event.payload.card_number).toBe('••••');
    expect(done.event.payload.note).toBe('token ••••');
    expect(done.event.payload.order_number).toBe('00101');
    expect(done.calls.map((c: any) => [c.system, c.operation, c.kind])).toEqual([['xcart', 'orders.get', 'read'], ['sagepro', 'sales_orders.create', 'write']]);
    expect(done.calls[0].result.auth_code).toBe('••••');
    expect(done.calls[1].args.order.memo).toBe('dsn ••••');
    expect(done.flowVersion).toBe(flows.get('OrderToSalesOrder')!.version);
    const dead = (await v.get(`/api/runs/${runs[0].id}`)).body;
    expect(dead.attempts.map((a: any) => a.outcome)).toEqual(['retry', 'dead_letter']);
    const last = dead.attempts[1];
    expect(last).toMatchObject({ errorClass: 'invalid', error: "unknown item 'POSTER-LTD'", site: { file: 'order-to-sales-order.flow' } });
    expect(last.source.file).toBe('order-to-sales-order.flow');
    const text = fs.readFileSync(path.join(REPO, 'mappings/order-to-sales-order.flow'), 'utf8').split('\n');
    expect(last.source.lines).toEqual(text.slice(last.source.firstLine - 1, last.source.firstLine - 1 + last.source.lines.length));
    expect(last.source.firstLine).toBeLessThanOrEqual(last.site.line);
    expect((await v.get('/api/runs/99999')).status).toBe(404);
  });
});

describe('console API: dead letters', () => {
  it('lists them grouped by flow and reason, filters by reason and business key, shows one with its payload masked', async () => {
    const v = await as('ann');
    const r = (await v.get('/api/dead-letters')).body;
    expect(r.groups).toEqual([{ flow: 'OrderToSalesOrder', reason: "unknown item 'POSTER-LTD'", count: 1 }]);
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ id: 1, flow: 'OrderToSalesOrder', errorClass: 'invalid', keys: { sku: 'POSTER-LTD' } });
    expect((await v.get('/api/dead-letters?q=POSTER-LTD')).body.items).toHaveLength(1);
    expect((await v.get('/api/dead-letters?q=NOPE')).body.items).toHaveLength(0);
    expect((await v.get(`/api/dead-letters?reason=${encodeURIComponent('something else')}`)).body.items).toHaveLength(0);
    const one = (await v.get('/api/dead-letters/1')).body;
    expect(one.payload.card_number).toBe('••••');
    expect(one.state).toBe('pending');
    expect(one.attempts.map((a: any) => a.outcome)).toEqual(['retry', 'dead_letter']);
  });

  it('replay all: the dry run counts, the real one replays through the deployed flow (no version on the job), and it is audited', async () => {
    const op = await as('otto');
    const dry = await op.post('/api/dead-letters/replay', { filter: { flow: 'OrderToSalesOrder' }, dryRun: true });
    expect(dry.body).toEqual({ count: 1, ids: [1] });
    expect((await store.getDeadLetter(1))!.replayJobId).toBeNull();
    expect((await op.post('/api/dead-letters/replay', { filter: { reason: 'no such reason' }, dryRun: false })).body).toEqual({ replayed: [] });
    const real = await op.post('/api/dead-letters/replay', { filter: { flow: 'OrderToSalesOrder' }, dryRun: false });
    expect(real.body.replayed).toHaveLength(1);
    const job = await store.getJob(real.body.replayed[0].jobId);
    expect(job).toMatchObject({ state: 'queued', flowVersion: null, replayOf: 1 });
    expect((await op.post('/api/dead-letters/1/replay')).body).toMatchObject({ jobId: job!.id, alreadyReplayed: true });
    const audit = (await op.get('/api/audit')).body.entries;
    expect(audit[0]).toMatchObject({ user: 'otto', action: 'dead-letter.replay-all', after: { replayed: [{ id: 1, jobId: job!.id }] } });
    expect(Date.parse(audit[0].at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('edit and resubmit: a diff against the original, masked fields kept, the same event and entity (so the same idempotency key); discard needs a reason', async () => {
    const op = await as('otto');
    const one = (await op.get('/api/dead-letters/1')).body;
    const edited = { ...one.payload, note: 'fixed by hand' };
    const r = await op.post('/api/dead-letters/1/resubmit', { payload: edited });
    expect(r.status, r.text).toBe(200);
    expect(r.body.diff).toEqual([{ path: 'note', before: 'token ••••', after: 'fixed by hand' }]);
    const job = (await store.getJob(r.body.jobId))!;
    expect(job.payload).toMatchObject({ card_number: '4111111111111111', note: 'fixed by hand' }); // the masked card number went back as it was
    const original = (await store.getDeadLetter(1))!;
    expect([job.entityId, job.eventType, job.flow]).toEqual([original.entityId, original.eventType, original.flow]);
    expect((await op.post('/api/dead-letters/1/resubmit', { payload: [] })).status).toBe(400);
    // discard: a second dead letter to discard
    await store.enqueue({ flow: 'OrderToSalesOrder', source: 'xcart', eventType: 'order.created', entityId: '104', updatedAt: 'x', payload: { order_id: 104 } });
    const [j] = await store.lease('w2', { leaseMs: 60_000 });
    const id = (await store.deadLetter(j!.id, 'w2', { error: 'test order', errorClass: 'invalid', flowVersion: 'v1' }))!;
    const none = await op.post(`/api/dead-letters/${id}/discard`, {});
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/^reason: required/);
    expect((await op.post(`/api/dead-letters/${id}/discard`, { reason: 'a test order' })).status).toBe(204);
    expect((await op.post(`/api/dead-letters/${id}/discard`, { reason: 'again' })).status).toBe(409);
    expect((await op.post(`/api/dead-letters/${id}/replay`)).status).toBe(409);
    expect((await op.get('/api/dead-letters')).body.items.map((d: any) => d.id)).not.toContain(id);
    expect((await op.get('/api/audit?limit=1')).body.entries[0]).toMatchObject({ user: 'otto', action: 'dead-letter.discard', before: { state: 'pending' }, after: { state: 'discarded', reason: 'a test order' } });
    expect((await op.post('/api/dead-letters/9999/replay')).status).toBe(404);
  });
});

describe('console API: overview, stream, flows, users, static', () => {
  it('the overview has each flow with totals, 24 hourly and 14 daily points, queue depth and connections', async () => {
    const v = await as('ann');
    const o = (await v.get('/api/overview')).body;
    const f = o.flows.find((x: any) => x.name === 'OrderToSalesOrder');
    expect(f.version).toBe(flows.get('OrderToSalesOrder')!.version);
    expect(f.trigger).toBe('xcart.order.created');
    expect(f.totals).toMatchObject({ runs: 3, done: 1, retry: 1, dead_letter: 1 });
    expect(f.series.hours).toHaveLength(24);
    expect(f.series.days).toHaveLength(14);
    expect(f.series.hours.reduce((n: number, h: any) => n + h.done + h.retry + h.dead_letter, 0)).toBe(3);
    expect(f.queueDepth).toBeGreaterThan(0);
    expect(o.connections.map((c: any) => c.name)).toEqual(['xcart', 'sagepro']);
    expect(o.queue).toMatchObject({ queued: expect.any(Number), leased: expect.any(Number), deadLetters: expect.any(Number) });
  });

  it('the stream sends the overview at once and each run as it finishes', async () => {
    const v = await as('ann');
    const ac = new AbortController();
    const r = await fetch(`${base}/api/stream`, { headers: { cookie: v.cookie }, signal: ac.signal });
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = r.body!.getReader();
    let text = '';
    const until = async (what: RegExp) => { while (!what.test(text)) { const { value, done } = await reader.read(); if (done) break; text += new TextDecoder().decode(value); } };
    await until(/event: overview\ndata: \{.*\}\n\n/);
    const id = await store.recordRun({ jobId: null, flow: 'OrderToSalesOrder', flowVersion: 'v1', trigger: 'xcart:order.created', outcome: 'done', startedAt: Date.now(), durationMs: 1, correlationId: 'stream', keys: [{ kind: 'order_number', value: '77777' }] });
    await until(/event: run\ndata: .*"77777"/);
    const line = text.split('\n').find((l) => l.includes('"77777"'))!;
    expect(JSON.parse(line.slice('data: '.length))).toMatchObject({ id, outcome: 'done', keys: { order_number: '77777' } });
    ac.abort();
    const anon = await fetch(`${base}/api/stream`);
    expect(anon.status).toBe(401);
  });

  it('flows: a graph of each deployed flow (trigger, fetches, lookups, map, writes, policies) with runs and errors per node over 24 h', async () => {
    const v = await as('ann');
    const [f] = (await v.get('/api/flows')).body;
    expect(f.name).toBe('OrderToSalesOrder');
    const kinds = new Set(f.graph.nodes.map((n: any) => n.kind));
    for (const k of ['trigger', 'fetch', 'lookup', 'map', 'write', 'policy']) expect(kinds, k).toContain(k);
    const get = f.graph.nodes.find((n: any) => n.label === 'xcart.orders.get');
    const create = f.graph.nodes.find((n: any) => n.label === 'sagepro.sales_orders.create');
    expect(f.stats[get.id]).toEqual({ runs: 1, errors: 0 });
    expect(f.stats[create.id]).toEqual({ runs: 1, errors: 0 });
    expect(f.stats.trigger.runs).toBeGreaterThanOrEqual(3);
    expect(f.graph.edges.length).toBeGreaterThan(3);
    expect(f.sourceText).toContain('flow OrderToSalesOrder');
  });

  it('admins manage users: add (scrypt-hashed), set a password (ends their sessions), change a role, remove; all audited', async () => {
    const admin = await as('ada');
    expect((await admin.get('/api/users')).body.map((u: any) => [u.name, u.role])).toEqual([['ada', 'admin'], ['ann', 'viewer'], ['otto', 'operator'], ['rita', 'viewer']]);
    expect((await admin.post('/api/users', { name: 'vic', password: 'short', role: 'viewer' })).body.error.message).toMatch(/^password: at least 10/);
    expect((await admin.post('/api/users', { name: 'vic', password: 'vic-long-password', role: 'root' })).body.error.message).toMatch(/^role: one of/);
    expect((await admin.post('/api/users', { name: 'vic', password: 'vic-long-password', role: 'viewer' })).status).toBe(201);
    expect((await admin.post('/api/users', { name: 'vic', password: 'vic-long-password', role: 'viewer' })).status).toBe(409);
    expect((await store.console.getUser('vic'))!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    const vic = client();
    expect((await vic.login('vic', 'vic-long-password')).status).toBe(200);
    expect((await admin.post('/api/users/vic/password', { password: 'vic-new-password' })).status).toBe(204);
    expect((await vic.get('/api/me')).status).toBe(401);
    expect((await vic.login('vic', 'vic-new-password')).status).toBe(200);
    expect((await admin.call('PATCH', '/api/users/vic', { role: 'operator' })).body).toEqual({ name: 'vic', role: 'operator' });
    expect((await vic.get('/api/me')).body.user.role).toBe('operator');
    expect((await admin.call('DELETE', '/api/users/ada')).status).toBe(409);
    expect((await admin.call('DELETE', '/api/users/vic')).status).toBe(204);
    expect((await vic.get('/api/me')).status).toBe(401);
    expect((await admin.call('DELETE', '/api/users/vic')).status).toBe(404);
    const actions = (await admin.get('/api/audit?limit=4')).body.entries.map((e: any) => e.action);
    expect(actions).toEqual(['user.remove', 'user.role', 'user.passwd', 'user.add']);
    expect(JSON.stringify((await admin.get('/api/audit')).body)).not.toContain('vic-new-password');
  });

  it('without a console build, /console answers 503 with a text saying how to build it', async () => {
    const r = await fetch(`${base}/console/runs/12`);
    expect(r.status).toBe(503);
    expect(await r.text()).toMatch(/console is not built: .*index\.html is missing/);
  });

  it('with a build, /console serves its files and index.html for client routes, never a file outside it', async () => {
    const dir = path.join(tmp, 'console-build');
    fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'assets', 'app-0123abcd.js'), 'console.log(1)');
    const other = createConsole({ store, flows, staticDir: dir });
    const srv = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: createMetrics({ processMetrics: false }), logger: createLogger({ file: path.join(tmp, 'flowd2.log'), level: 'error' }), health: async () => ({ ok: true, checks: {} }), ready: () => true, console: other });
    try {
      const page = await fetch(`${srv.url}/console/dead-letters/3`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="root"');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      const js = await fetch(`${srv.url}/console/assets/app-0123abcd.js`);
      expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(js.headers.get('cache-control')).toContain('immutable');
      const up = await fetch(`${srv.url}/console/..%2f..%2fflowd.db`);
      expect(await up.text()).toContain('id="root"');
    } finally { await srv.close(); }
  });
});

describe('console API: anomalies', () => {
  it('marks flagged runs (warned) and held ones in the runs list and a run page, filters them with anomaly=1, and a held dead letter says held', async () => {
    const version = flows.get('OrderToSalesOrder')!.version;
    const flag = 'sagepro.sales_orders.create order.lines total (Σ quantity × price) is 8000, 40 times the usual (usual range 20–400, median 200, 0.5 %–99.5 % of 300 earlier values)';
    const ev = (id: number) => ({ flow: 'OrderToSalesOrder', source: 'xcart' as const, eventType: 'order.created', entityId: String(id), updatedAt: '2026-12-01T11:00:00Z', payload: { order_id: id } });
    const run = (jobId: number, outcome: 'done' | 'dead_letter', error: string, errorClass?: string) => ({ jobId, flow: 'OrderToSalesOrder', flowVersion: version, trigger: 'xcart:order.created', outcome,
      startedAt: Date.now(), durationMs: 5, correlationId: `job-${jobId}`, error, ...(errorClass ? { errorClass } : {}) });
    await store.enqueue(ev(301));
    await store.enqueue(ev(302));
    await store.enqueue(ev(303));
    const ready = async () => (await store.lease('w', { leaseMs: 60_000 }))[0]!;
    const warned = await ready();
    await store.complete(warned.id, 'w', { outcome: 'done', durationMs: 5, run: run(warned.id, 'done', `a line was skipped; anomaly: ${flag}`) });
    const held = await ready();
    await store.deadLetter(held.id, 'w', { error: `held: anomaly: ${flag}`, errorClass: 'anomaly', reason: `held: anomaly: ${flag}`, flowVersion: version,
      run: run(held.id, 'dead_letter', `held: anomaly: ${flag}`, 'anomaly') });
    const plain = await ready();
    await store.complete(plain.id, 'w', { outcome: 'done', durationMs: 5, run: run(plain.id, 'done', 'a line was skipped') });

    const v = await as('ann');
    const all = (await v.get('/api/runs?limit=3')).body.runs;
    expect(all.map((r: any) => [r.jobId, r.anomaly ?? null])).toEqual([[plain.id, null], [held.id, 'held'], [warned.id, 'warned']]);
    expect(all[1].anomalies).toEqual([flag]);
    expect(all[2].anomalies).toEqual([flag]);
    const only = (await v.get('/api/runs?anomaly=1')).body.runs;
    expect(only.map((r: any) => r.jobId)).toEqual([held.id, warned.id]);
    expect((await v.get('/api/runs?anomaly=0&limit=3')).body.runs).toHaveLength(3);
    expect((await v.get('/api/runs?anomaly=maybe')).body.error.message).toBe("anomaly: 'maybe' is not 1, 0, true or false");
    const page = (await v.get(`/api/runs/${all[1].id}`)).body;
    expect(page.run).toMatchObject({ anomaly: 'held', anomalies: [flag] });
    const dls = (await v.get('/api/dead-letters')).body;
    const items = (dls.items ?? []) as any[];
    expect(items.find((d) => d.jobId === held.id)).toMatchObject({ held: true, errorClass: 'anomaly' });
    expect(items.filter((d) => d.held)).toHaveLength(1);
    const one = (await v.get(`/api/dead-letters/${items.find((d) => d.jobId === held.id).id}`)).body;
    expect(one).toMatchObject({ held: true, reason: `held: anomaly: ${flag}` });
  });
});

describe('console API: secrets', () => {
  it('no configured secret (X-Cart token, Sage Pro DSN, push secret) and no password appears in any response of this file', () => {
    const all = clients.flatMap((c) => c.seen).join('\n');
    expect(all.length).toBeGreaterThan(1000);
    for (const s of [...SECRETS, ...Object.values(PASSWORDS), '4111111111111111', 'A1B2', 'hunter2']) expect(all, s).not.toContain(s);
    expect(all).not.toContain('scrypt$');
  });
});

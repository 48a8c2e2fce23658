/**
 * resyncOrders against the real X-Cart sandbox (HTTP on loopback, its seeded orders placed 30 … 1
 * days ago) through the real connector, and a real SQLite store file. The flows are two stand-in
 * modules (only their trigger is read: which events they run on); no flow runs here, the jobs are
 * finished by hand as a worker would.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startXcartSandbox, type XcartSandbox } from './sandbox/xcart/server.js';
import { XcartConnector } from './connectors/xcart/connector.js';
import { SqliteStore } from './store/sqlite-store.js';
import type { LoadedFlow } from './engine/flows.js';
import { resyncOrders, ResyncRequestError, type ResyncDeps } from './resync.js';

const DAY = 86_400_000;
const flow = (name: string, event: string): LoadedFlow =>
  ({ name, version: `v-${name}`, module: { meta: { trigger: { kind: 'event', system: 'xcart', event } } } }) as unknown as LoadedFlow;
const FLOWS = new Map([['OrderToSalesOrder', flow('OrderToSalesOrder', 'order.created')]]);

let tmp: string;
let xc: XcartSandbox;
let conn: XcartConnector;
let store: SqliteStore;
let deps: ResyncDeps;
const clock = Date.now();

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-resync-'));
  xc = await startXcartSandbox({ port: 0, stateDir: path.join(tmp, 'xcart'), now: () => clock });
  conn = new XcartConnector({ baseUrl: xc.url, token: xc.readToken, retries: 0 });
});
afterAll(async () => {
  await conn?.close(); await xc?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  await store?.close();
  store = SqliteStore.open(path.join(tmp, `flowd-${Math.random().toString(36).slice(2)}.db`));
  deps = { store, xcart: conn, flows: FLOWS };
});

/** Finishes every queued job as a worker would (outcome `done`). */
async function drain(): Promise<number> {
  let n = 0;
  for (;;) {
    const jobs = await store.lease('w', { leaseMs: 5000, limit: 100 });
    if (!jobs.length) return n;
    for (const j of jobs) { await store.complete(j.id, 'w', { outcome: 'done', durationMs: 1 }); n++; }
  }
}
const dedupeKeys = async (ids: readonly number[]) => Promise.all(ids.map(async (id) => (await store.getJob(id))!.dedupeKey));

describe('resyncOrders', () => {
  it('an order no trigger saw becomes its ordinary job; queued, it is already_queued; processed, it is re-run once per re-sync', async () => {
    const r1 = await resyncOrders(deps, { numbers: ['100004'] });
    expect(r1.summary).toBe('orders=1 enqueued=1 already_queued=0 refused_before_cutover=0');
    expect(r1.results[0]).toMatchObject({ number: '100004', orderId: 4, status: 'enqueued' });
    // The ordinary key: a later poll or push of the order dedupes against this job.
    expect(await dedupeKeys(r1.results[0]!.jobIds)).toEqual([JSON.stringify(['xcart', 'order.created', '4'])]);
    expect((await store.getJob(r1.results[0]!.jobIds[0]!))!.flowVersion).toBe('v-OrderToSalesOrder');

    const r2 = await resyncOrders(deps, { numbers: ['100004'] });
    expect(r2.summary).toBe('orders=1 enqueued=0 already_queued=1 refused_before_cutover=0');
    expect(r2.results[0]!.jobIds).toEqual(r1.results[0]!.jobIds);

    expect(await drain()).toBe(1);
    const r3 = await resyncOrders(deps, { numbers: ['100004'] });
    expect(r3.summary).toBe('orders=1 enqueued=1 already_queued=0 refused_before_cutover=0');
    const ordinary = JSON.stringify(['xcart', 'order.created', '4']);
    expect(await dedupeKeys(r3.results[0]!.jobIds)).toEqual([JSON.stringify(['resync', ordinary, 1])]);
    expect((await resyncOrders(deps, { numbers: ['100004'] })).alreadyQueued).toBe(1);
    expect(await drain()).toBe(1);
    const r4 = await resyncOrders(deps, { numbers: ['100004'] });
    expect(await dedupeKeys(r4.results[0]!.jobIds)).toEqual([JSON.stringify(['resync', ordinary, 2])]);
  });

  it('two re-syncs of one order at the same moment make one job', async () => {
    await resyncOrders(deps, { numbers: ['100005'] });
    await drain();
    const [a, b] = await Promise.all([resyncOrders(deps, { numbers: ['100005'] }), resyncOrders(deps, { numbers: ['100005'] })]);
    expect(a.enqueued + b.enqueued).toBe(1);
    expect(a.alreadyQueued + b.alreadyQueued).toBe(1);
    expect(await drain()).toBe(1);
  });

  it('a dead-lettered order is re-run', async () => {
    const r = await resyncOrders(deps, { numbers: ['100006'] });
    const [j] = await store.lease('w', { leaseMs: 5000 });
    expect(j!.id).toBe(r.results[0]!.jobIds[0]);
    await store.deadLetter(j!.id, 'w', { error: 'Sage Pro has no item X', errorClass: 'invalid', flowVersion: 'v' });
    expect((await resyncOrders(deps, { numbers: ['100006'] })).summary).toBe('orders=1 enqueued=1 already_queued=0 refused_before_cutover=0');
  });

  it('--since/--until choose orders by their placed date (X-Cart date[...] filter), carts left out', async () => {
    // Seeded: 100009 placed 3 days ago, 100010 and 100012 1 day ago, 100011 2 days ago; a cart half a day ago.
    const r = await resyncOrders(deps, { since: new Date(clock - 3 * DAY - 60_000), until: new Date(clock - 1.5 * DAY) });
    expect(r.results.map((x) => x.number).sort()).toEqual(['100009', '100011']);
    expect(r.summary).toBe('orders=2 enqueued=2 already_queued=0 refused_before_cutover=0');
    const all = await resyncOrders(deps, { since: new Date(clock - 3 * DAY - 60_000).toISOString() });
    expect(all.results.map((x) => x.number).sort()).toEqual(['100009', '100010', '100011', '100012']);
    expect(all.summary).toBe('orders=4 enqueued=2 already_queued=2 refused_before_cutover=0');
  });

  it('an order before the cutover is refused with the reason, unless forced', async () => {
    const cut = { ...deps, cutover: { beforeNumber: 100008 } };
    const r = await resyncOrders(cut, { numbers: ['100007', '100008'] });
    expect(r.summary).toBe('orders=2 enqueued=1 already_queued=0 refused_before_cutover=1');
    expect(r.results[0]).toMatchObject({ number: '100007', status: 'refused_before_cutover', jobIds: [] });
    expect(r.results[0]!.reason).toContain('number 100007, below the cutover 100008 (connections.xcart.cutover.before_number)');
    const byDate = await resyncOrders({ ...deps, cutover: { beforeMs: clock - 4 * DAY } }, { since: new Date(clock - 6 * DAY) });
    expect(byDate.results.find((x) => x.number === '100008')!.reason).toMatch(/placed .*, before the cutover/);
    expect(byDate.refusedBeforeCutover).toBe(1);
    const forced = await resyncOrders(cut, { numbers: ['100007'], force: true });
    expect(forced.summary).toBe('orders=1 enqueued=1 already_queued=0 refused_before_cutover=0');
  });

  it('numbers X-Cart does not have are not_found; a bad request reads nothing', async () => {
    const r = await resyncOrders(deps, { numbers: ['999999', '100001'] });
    expect(r.summary).toBe('orders=1 enqueued=1 already_queued=0 refused_before_cutover=0 not_found=1');
    expect(r.results[0]).toMatchObject({ number: '999999', status: 'not_found', reason: 'X-Cart has no order number 999999' });
    await expect(resyncOrders(deps, {})).rejects.toThrow(ResyncRequestError);
    await expect(resyncOrders(deps, { since: 'last tuesday' })).rejects.toThrow("since: 'last tuesday' is not an ISO 8601 date");
    await expect(resyncOrders(deps, { since: '2026-11-30', until: '2026-11-01' })).rejects.toThrow('must be after since');
    await expect(resyncOrders(deps, { numbers: ['10/../1'] })).rejects.toThrow('letters, digits and _');
  });

  it('an order no deployed flow runs on is no_flow, nothing queued', async () => {
    const r = await resyncOrders({ ...deps, flows: new Map() }, { numbers: ['100002'] });
    expect(r.summary).toBe('orders=1 enqueued=0 already_queued=0 refused_before_cutover=0 no_flow=1');
  });
});

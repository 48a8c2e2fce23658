/** XcartPushTrigger and connections.xcart.cutover: an order push before it is acknowledged, not queued, not dead-lettered. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import type { LoadedFlow } from '../engine/flows.js';
import type { PushedEvent } from '../http/push.js';
import { XcartPushTrigger } from './xcart-push.js';

const flow = { name: 'OrderToSalesOrder', version: 'v', module: { meta: { trigger: { kind: 'event', system: 'xcart', event: 'order.created' } } } } as unknown as LoadedFlow;
const flows = new Map([[flow.name, flow]]);
const pushed = (id: number, data: Record<string, unknown>): PushedEvent => ({ type: 'order.created', id: String(id), occurredAt: '2026-12-01T10:00:00Z', data, raw: '{}' });
const cutover = { beforeMs: Date.parse('2026-12-01T00:00:00Z'), beforeDate: '2026-12-01', beforeNumber: 100500 };

let dir: string;
let store: SqliteStore;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'push-cutover-')); store = SqliteStore.open(path.join(dir, 'flowd.db')); });
afterEach(async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });

describe('XcartPushTrigger with a cutover', () => {
  it('does not queue an order placed or numbered before the cutover, and says why', async () => {
    let counted = 0;
    const t = new XcartPushTrigger({ sink: store, flows, cutover, onBeforeCutover: () => { counted++; } });
    const old = await t.accept(pushed(7, { order_number: '100600', create_date: '2026-11-30T23:59:59+0000' }));
    expect(old).toEqual({ jobIds: [], duplicate: false, ignored: 'order 7 was placed 2026-11-30T23:59:59+0000, before the cutover 2026-12-01 (connections.xcart.cutover.before_date)' });
    const low = await t.accept(pushed(8, { order_number: '100499', create_date: '2026-12-01T08:00:00+0000' }));
    expect(low.ignored).toContain('number 100499, below the cutover 100500');
    const fresh = await t.accept(pushed(9, { order_number: '100501', create_date: '2026-12-01T08:00:00+0000' }));
    expect(fresh.jobIds).toHaveLength(1);
    expect(fresh.ignored).toBeUndefined();
    expect(counted).toBe(2);
    expect(t.beforeCutover).toBe(2);
    expect((await store.status()).queueDepth).toBe(1);
    expect(await store.listDeadLetters()).toEqual([]);
  });

  it('reads the order when the push lacks what the cutover compares; a failed read fails the push (503, retried), nothing guessed', async () => {
    const asked: number[] = [];
    const t = new XcartPushTrigger({ sink: store, flows, cutover, getOrder: async (id) => { asked.push(id); return { order_number: '100010', create_date: '2026-11-01T00:00:00+0000' }; } });
    expect((await t.accept(pushed(10, { order_number: '100010' }))).ignored).toContain('placed 2026-11-01T00:00:00+0000');
    expect(asked).toEqual([10]);
    const down = new XcartPushTrigger({ sink: store, flows, cutover, getOrder: async () => { throw new Error('X-Cart unreachable'); } });
    await expect(down.accept(pushed(11, {}))).rejects.toThrow('X-Cart unreachable');
    expect((await store.status()).queueDepth).toBe(0);
    // Customer pushes are not orders: the cutover does not apply.
    const c = await t.accept({ type: 'customer.updated', id: '3', occurredAt: '2026-12-01T10:00:00Z', data: {}, raw: '{}' });
    expect(c.ignored).toBeUndefined();
  });
});

/**
 * The poll-leadership guard (`TriggerDeps.leader`, PostgreSQL store): each poll loop asks it at the
 * top of every round, under its source name, and polls only when it says so; a guard that fails
 * counts as a failed poll. (Who leads is the store's business: runtime/store/postgres-store.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../store/sqlite-store.js';
import type { LoadedFlow } from '../engine/flows.js';
import type { FlowModule } from '../contract.js';
import { XcartPoller, type OrderSource } from './xcart-poll.js';
import { SageProPoller, type RowSource } from './sagepro-poll.js';
import { ScheduleTrigger } from './schedule.js';
import type { Trigger } from './trigger.js';

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadership-'));
  store = SqliteStore.open(path.join(dir, 'flowd.db'));
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const flow = (name: string, trigger: Record<string, unknown>): LoadedFlow => ({ name, version: 'test', module: { meta: { trigger } } as unknown as FlowModule });
const flows = new Map([
  ['OrderToSalesOrder', flow('OrderToSalesOrder', { kind: 'event', system: 'xcart', event: 'order.created' })],
  ['InventoryToXCart', flow('InventoryToXCart', { kind: 'poll', system: 'sagepro', entity: 'InventoryLevel', everyMs: 10 })],
  ['Nightly', flow('Nightly', { kind: 'schedule', everyMs: 10 })],
]);

/** Sources that count how often they are polled. */
function sources() {
  const calls = { xcart: 0, sagepro: 0 };
  const xcart: OrderSource = { async pollChangedOrders(wm) { calls.xcart++; return { orders: [], watermark: wm }; } };
  const sagepro: RowSource = {
    async *changedRows() { calls.sagepro++; },
    async call() { return null; },
  };
  return { calls, xcart, sagepro };
}

/** Starts the three loops with `leader`, lets them run ~20 rounds, stops them; what was asked and polled. */
async function runLoops(leader: (source: string) => Promise<boolean>) {
  const { calls, xcart, sagepro } = sources();
  const asked = new Set<string>();
  const guard = async (s: string) => { asked.add(s); return leader(s); };
  const deps = { sink: store, flows, leader: guard };
  const triggers: Trigger[] = [
    new XcartPoller({ ...deps, source: xcart, everyMs: 10, start: '2025-01-01T00:00:00Z' }),
    new SageProPoller({ ...deps, source: sagepro }),
  ];
  const schedule = new ScheduleTrigger(deps);
  for (const t of [...triggers, schedule]) t.start();
  await new Promise((r) => setTimeout(r, 300));
  for (const t of [...triggers, schedule]) await t.stop();
  return { calls, asked, queued: (await store.status()).totals.queued, failures: triggers.map((t) => t.failures) };
}

describe('poll loops ask the leadership guard each round', () => {
  it('a follower asks under each source name and polls nothing', async () => {
    const r = await runLoops(async () => false);
    expect([...r.asked].sort()).toEqual(['sagepro:InventoryToXCart', 'schedule:Nightly', 'xcart.orders']);
    expect(r.calls).toEqual({ xcart: 0, sagepro: 0 });
    expect(r.queued).toBe(0);
    expect(r.failures).toEqual([0, 0]);
  });

  it('the leader polls each source', async () => {
    const r = await runLoops(async () => true);
    expect(r.calls.xcart).toBeGreaterThan(0);
    expect(r.calls.sagepro).toBeGreaterThan(0);
    expect(r.queued).toBeGreaterThan(0); // the schedule's tick
  });

  it('leading one source does not lead the others', async () => {
    const r = await runLoops(async (s) => s === 'xcart.orders');
    expect(r.calls.xcart).toBeGreaterThan(0);
    expect(r.calls.sagepro).toBe(0);
    expect(r.queued).toBe(0);
  });

  it('a guard that cannot reach the store counts as a failed poll, and nothing is polled', async () => {
    const r = await runLoops(async () => { throw new Error('connection terminated'); });
    expect(r.calls).toEqual({ xcart: 0, sagepro: 0 });
    expect(r.failures[0]).toBeGreaterThan(0);
    expect(r.failures[1]).toBeGreaterThan(0);
  });
});

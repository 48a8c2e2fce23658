/**
 * The trigger layer's shape (issue 10 item 2): one file per kind, each a `Trigger` of a kind the
 * vocabulary knows, each writing only through the enqueue-only `EventSink` (a real SQLite store
 * here); rejected pushes go straight to the dead-letter queue, never through a lease.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import { Clock, tempDir } from '../store/test-support/helpers.js';
import { TRIGGER_KINDS } from '../vocabulary/vocabulary.js';
import type { LoadedFlow } from '../engine/flows.js';
import { XcartPoller } from './xcart-poll.js';
import { XcartPushTrigger, REJECTED_PUSH_FLOW } from './xcart-push.js';
import { SageProPoller } from './sagepro-poll.js';
import { ScheduleTrigger, cronMatches, parseCron } from './schedule.js';
import type { PushedEvent } from '../http/push.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

let tmp: ReturnType<typeof tempDir>;
let store: SqliteStore;
let clock: Clock;
beforeEach(() => { tmp = tempDir('flowd-triggers-'); clock = new Clock(); store = SqliteStore.open(tmp.file(), { now: clock.now }); });
afterEach(async () => { await store.close(); tmp.cleanup(); });

const flow = (name: string, trigger: Record<string, unknown>): LoadedFlow => ({ name, version: 'v1', module: { meta: { trigger } } }) as unknown as LoadedFlow;

describe('one shape', () => {
  it('one file per trigger kind of the vocabulary, each a Trigger of that kind', () => {
    const flows = new Map<string, LoadedFlow>();
    const never = () => { throw new Error('not called'); };
    const triggers = [
      new XcartPoller({ sink: store, flows, source: { pollChangedOrders: never }, everyMs: 1000 }),
      new XcartPushTrigger({ sink: store, flows }),
      new SageProPoller({ sink: store, flows, source: { changedRows: never, call: never } }),
      new ScheduleTrigger({ sink: store, flows }),
    ];
    expect(triggers.map((t) => t.kind).sort()).toEqual([...TRIGGER_KINDS].sort());
    const files = fs.readdirSync(HERE).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
    expect(files).toEqual(['routing.ts', 'sagepro-poll.ts', 'schedule.ts', 'trigger.ts', 'xcart-poll.ts', 'xcart-push.ts']);
  });

  it('no trigger leases, finishes or releases jobs, or calls a connector method by name (enqueue only)', () => {
    for (const f of fs.readdirSync(HERE).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const text = fs.readFileSync(path.join(HERE, f), 'utf8');
      expect({ f, uses: text.match(/\.(lease|release|complete|retry|deadLetter|heartbeat|salesOrderStatus)\(/g) ?? [] }).toEqual({ f, uses: [] });
      expect({ f, compiler: /from '\.\.\/\.\.\/(compiler|grammar)\//.test(text) }).toEqual({ f, compiler: false });
    }
  });
});

describe('X-Cart push', () => {
  const pushed = (type: string, id: string): PushedEvent => ({ type, id, occurredAt: '2026-01-01T00:00:00Z', data: { order_number: '00042' }, raw: '{}' });

  it('a rejected push is a dead letter at once: no job is queued or leased, and it is kept once', async () => {
    const t = new XcartPushTrigger({ sink: store, flows: new Map() });
    await t.reject({ body: '{"type":"order.deleted"}', reason: "unknown event type 'order.deleted'" });
    await t.reject({ body: '{"type":"order.deleted"}', reason: "unknown event type 'order.deleted'" });
    const dls = await store.listDeadLetters();
    expect(dls).toHaveLength(1);
    expect(dls[0]).toMatchObject({ flow: REJECTED_PUSH_FLOW, reason: "unknown event type 'order.deleted'", attempts: 0 });
    expect((await store.getDeadLetter(dls[0]!.id))?.payload).toEqual({ body: '{"type":"order.deleted"}' });
    expect(await store.lease('w', { leaseMs: 1000, limit: 10 })).toEqual([]);
  });

  it('a rejected push never takes another job (the old fake worker leased whatever was queued)', async () => {
    await store.enqueue({ flow: REJECTED_PUSH_FLOW, source: 'xcart', eventType: 'push.rejected', payload: {}, dedupeKey: 'someone-elses' });
    await new XcartPushTrigger({ sink: store, flows: new Map() }).reject({ body: 'x', reason: 'body is not valid JSON' });
    const [other] = await store.lease('w', { leaseMs: 1000, limit: 10 });
    expect(other).toMatchObject({ dedupeKey: 'someone-elses', state: 'running' });
  });

  it('an accepted push becomes one job per flow, deduped with a repeat; the guard refuses before writing', async () => {
    const flows = new Map([['F', flow('F', { kind: 'event', system: 'xcart', event: 'order.created' })]]);
    let woken = 0;
    const t = new XcartPushTrigger({ sink: store, flows, onEnqueued: (n) => { woken += n; } });
    const first = await t.accept(pushed('order.created', '42'));
    expect(first).toMatchObject({ duplicate: false, jobIds: [expect.any(Number)] });
    expect(await t.accept(pushed('order.created', '42'))).toEqual({ jobIds: first.jobIds, duplicate: true });
    expect(woken).toBe(1);
    const refusing = new XcartPushTrigger({ sink: store, flows, guard: () => { throw new Error('store unusable: replaced'); } });
    await expect(refusing.accept(pushed('order.created', '43'))).rejects.toThrow('store unusable: replaced');
    await expect(refusing.reject({ body: 'y', reason: 'r' })).rejects.toThrow('store unusable');
    expect((await store.status()).queueDepth).toBe(1);
    expect(await store.listDeadLetters()).toHaveLength(0);
  });
});

describe('schedule', () => {
  it('one job per flow and interval tick, whatever the number of ticks within it', async () => {
    const flows = new Map([['Nightly', flow('Nightly', { kind: 'schedule', everyMs: 3_600_000 })]]);
    const t = new ScheduleTrigger({ sink: store, flows, now: clock.now });
    expect(t.flows().map((f) => f.name)).toEqual(['Nightly']);
    expect(await t.pollNow()).toBe(1);
    clock.advance(60_000);
    expect(await t.pollNow()).toBe(0);
    clock.advance(3_600_000);
    expect(await t.pollNow()).toBe(1);
    const [a, b] = await store.lease('w', { leaseMs: 1000, limit: 10 });
    expect([a?.payload, b?.payload]).toEqual([{ tick: '2025-01-01T12:00:00.000Z' }, { tick: '2025-01-01T13:00:00.000Z' }]);
  });

  it('a cron schedule ticks in the minutes it names (UTC), once per minute', async () => {
    // 2025-01-01 (a Wednesday) 12:00 UTC.
    const t = new ScheduleTrigger({ sink: store, flows: new Map([['Cron', flow('Cron', { kind: 'schedule', cron: '30 12,14 * * 3' })]]), now: clock.now });
    expect(await t.pollNow()).toBe(0);            // 12:00
    clock.advance(30 * 60_000);
    expect(await t.pollNow()).toBe(1);            // 12:30
    clock.advance(20_000);
    expect(await t.pollNow()).toBe(0);            // 12:30:20, same minute
    clock.advance(2 * 3_600_000);
    expect(await t.pollNow()).toBe(1);            // 14:30:20
    clock.advance(24 * 3_600_000);
    expect(await t.pollNow()).toBe(0);            // Thursday
    const jobs = await store.lease('w', { leaseMs: 1000, limit: 10 });
    expect(jobs.map((j) => j.payload)).toEqual([{ tick: '2025-01-01T12:30:00.000Z' }, { tick: '2025-01-01T14:30:00.000Z' }]);
  });

  it('cron: ranges, steps, Sunday as 7, either day field when both are set', () => {
    const at = (iso: string) => Date.parse(iso);
    expect(cronMatches(parseCron('*/15 9-17 * * 1-5'), at('2025-01-06T09:45:00Z'))).toBe(true);   // Monday
    expect(cronMatches(parseCron('*/15 9-17 * * 1-5'), at('2025-01-05T09:45:00Z'))).toBe(false);  // Sunday
    expect(cronMatches(parseCron('0 0 * * 7'), at('2025-01-05T00:00:00Z'))).toBe(true);
    expect(cronMatches(parseCron('0 0 13 * 5'), at('2025-06-13T00:00:00Z'))).toBe(true);          // Friday the 13th
    expect(cronMatches(parseCron('0 0 13 * 5'), at('2025-06-20T00:00:00Z'))).toBe(true);          // a Friday
    expect(cronMatches(parseCron('0 0 13 * 5'), at('2025-06-19T00:00:00Z'))).toBe(false);
  });

  it('a cron expression it cannot read stops the start, naming the flow and the field', () => {
    const bad = (cron: string) => () => new ScheduleTrigger({ sink: store, flows: new Map([['Nightly', flow('Nightly', { kind: 'schedule', cron })]]) });
    expect(bad('0 2 * *')).toThrow('flow Nightly: cron "0 2 * *": expected 5 fields');
    expect(bad('0 25 * * *')).toThrow('flow Nightly: cron "0 25 * * *": hour "25" is outside 0-23');
    expect(bad('0 2 * JAN *')).toThrow('month "JAN" is not *, a number');
  });
});

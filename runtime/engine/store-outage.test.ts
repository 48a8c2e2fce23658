/**
 * The store goes away while a worker records an outcome (a PostgreSQL restart, a cut session).
 * Before this was handled, the rejection ended the worker's loop and, unhandled, the flowd process
 * (found by the PostgreSQL fault suite: two of three flowd exited after the restart). Now the
 * engine tries the write again for up to half the lease, and past that leaves the job to its lease
 * and goes on with the next one. The outage is injected into the real SQLite store: a restart of a
 * database mid-write is the one fault this unit test cannot cause (the e2e fault suite causes it for
 * real, on PostgreSQL).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowModule } from '../contract.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { StoreError } from '../store/store.js';
import { tempDir } from '../store/test-support/helpers.js';
import { Engine } from './engine.js';
import type { LoadedFlow } from './flows.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

const module: FlowModule = {
  meta: {
    name: 'Echo', description: '', version: 'v1', contractVersion: 1, source: 'echo.flow',
    trigger: { system: 'xcart', event: 'order.created' } as never, policies: [], operations: [], sites: [],
  },
  run: async () => ({ outcome: 'done' }),
} as unknown as FlowModule;
const flows = new Map<string, LoadedFlow>([['Echo', { name: 'Echo', version: 'v1', module }]]);

/** The real store, whose `complete` fails as a lost connection does while `failing()` says so. */
function outageStore(failing: (call: number) => boolean | 'store-error'): { store: Store; calls: () => number } {
  const tmp = tempDir('engine-outage-');
  const real = SqliteStore.open(tmp.file('flowd.db'));
  cleanups.push(() => tmp.cleanup(), () => real.close());
  let n = 0;
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'complete') {
        return async (...args: Parameters<Store['complete']>) => {
          const f = failing(++n);
          if (f === 'store-error') throw new StoreError('complete: refused');
          if (f) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
          return target.complete(...args);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store, calls: () => n };
}

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${String(cond)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the engine when the store fails during a run', () => {
  it('an idempotency-key check the store cannot answer is a transient failure (retried), not a dead letter', async () => {
    // Found by the PostgreSQL fault suite: during the restart 8 of 2,000 orders were dead-lettered
    // as `invalid: internal error: connect ECONNREFUSED`.
    const tmp = tempDir('engine-outage-claim-');
    const real = SqliteStore.open(tmp.file('flowd.db'));
    cleanups.push(() => tmp.cleanup(), () => real.close());
    let down = true;
    const store = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'isKeyDone') return async (...a: Parameters<Store['isKeyDone']>) => {
          if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
          return target.isKeyDone(...a);
        };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Store;
    const claiming = { ...module, run: async (_e: unknown, ctx: { claim(k: string, ms: number): Promise<boolean> }) => ((await ctx.claim('SO-1', 60_000)) ? { outcome: 'done' } : { outcome: 'duplicate' }) } as unknown as FlowModule;
    const engine = new Engine({ store, flows: new Map([['Echo', { name: 'Echo', version: 'v1', module: claiming }]]), connectors: {} });
    await store.enqueue({ flow: 'Echo', source: 'xcart', eventType: 'order.created', entityId: '1', updatedAt: '2026-12-01T10:00:01Z', payload: {} });
    const [job] = await store.lease('w1', { leaseMs: 60_000 });
    await engine.runJob(job!, 'w1');
    expect(await store.getJob(1)).toMatchObject({ state: 'queued', lastErrorClass: 'transient' });
    expect(await store.listDeadLetters({ state: 'all' })).toEqual([]);
  });
});

describe('the engine when the store fails while recording an outcome', () => {
  it('tries again while the store is down and records the outcome once it is back', async () => {
    const { store, calls } = outageStore((n) => n <= 3);
    const engine = new Engine({ store, flows, connectors: {}, workers: 1, leaseMs: 20_000 });
    await store.enqueue({ flow: 'Echo', source: 'xcart', eventType: 'order.created', entityId: '1', updatedAt: '2026-12-01T10:00:01Z', payload: {} });
    engine.start();
    cleanups.push(() => engine.stop());
    await until(async () => (await store.getJob(1))?.state === 'done');
    expect(calls()).toBe(4);
    expect((await store.listRuns({ jobId: 1, limit: 10 })).map((r) => r.outcome)).toEqual(['done']);
  });

  it('keeps its worker when the store stays down past the deadline: the job waits for its lease, the next one runs', async () => {
    // complete fails for job 1 for good (its first calls, past half of a 400 ms lease), then works.
    let down = true;
    const { store } = outageStore(() => down);
    const engine = new Engine({ store, flows, connectors: {}, workers: 1, leaseMs: 400 });
    await store.enqueue({ flow: 'Echo', source: 'xcart', eventType: 'order.created', entityId: '1', updatedAt: '2026-12-01T10:00:01Z', payload: {} });
    engine.start();
    cleanups.push(() => engine.stop());
    await new Promise((r) => setTimeout(r, 600)); // past the 200 ms deadline: the worker gave up on job 1
    down = false;
    await store.enqueue({ flow: 'Echo', source: 'xcart', eventType: 'order.created', entityId: '2', updatedAt: '2026-12-01T10:00:02Z', payload: {} });
    engine.wake();
    // The same worker loop goes on: job 2 is done, and job 1 runs again once its lease expired.
    await until(async () => (await store.getJob(2))?.state === 'done' && (await store.getJob(1))?.state === 'done');
    expect((await store.getJob(1))!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('does not retry a refusal by the store itself', async () => {
    const { store, calls } = outageStore((n) => (n === 1 ? 'store-error' : false));
    const engine = new Engine({ store, flows, connectors: {}, workers: 1, leaseMs: 300 });
    await store.enqueue({ flow: 'Echo', source: 'xcart', eventType: 'order.created', entityId: '1', updatedAt: '2026-12-01T10:00:01Z', payload: {} });
    engine.start();
    cleanups.push(() => engine.stop());
    // The refused write is not tried again at once; the job runs a second time after its lease.
    await until(async () => (await store.getJob(1))?.state === 'done');
    expect(calls()).toBe(2);
    expect((await store.getJob(1))!.attempts).toBe(2);
  });
});

/**
 * `retry for D`: a write keeps retrying through an outage until D has passed since the job's first
 * failed attempt, then the policy's `then` action. The flow is compiled by flowc, loaded from its
 * build folder and run by the engine against the real SQLite store; time is the store's injected
 * clock. The X-Cart connection is a stub that fails `transient` until its outage ends: an outage of
 * hours is the one fault a test cannot wait for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { Clock, tempDir } from '../store/test-support/helpers.js';
import { Engine } from './engine.js';
import type { LoadedFlow } from './flows.js';
import { decide } from './policy.js';
import type { FlowMeta, FlowModule } from '../contract.js';

const HOUR = 3_600_000;
const cleanups: (() => void)[] = [];
afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

const POLICIES = {
  Budget24h: 'on transient retry for 24h backoff exponential 2s..10m then dead_letter',
  Count6: 'on transient retry 6 backoff exponential 2s..10m then dead_letter',
  Budget2h: 'on transient retry for 2h backoff exponential 1s..10m then dead_letter',
} as const;

/** One build of one flow per policy (compiling is the slow part). */
let built: Promise<{ flows: Map<string, LoadedFlow>; dir: string }> | undefined;
function compileAll() {
  return built ??= (async () => {
    const tmp = tempDir('retry-budget-');
    for (const [name, policy] of Object.entries(POLICIES)) {
      fs.writeFileSync(path.join(tmp.dir, `${name}.flow`), [
        `flow ${name}`, '  on xcart.order.created',
        '  write xcart.orders.set_payment_status(order_id: event.data.order_id, code: "P")', `  ${policy}`, ''].join('\n'));
    }
    const program = createProgram([tmp.dir], { schemasDir: path.resolve('mappings/schemas') });
    expect(program.diagnostics.filter((d) => d.category === 'error')).toEqual([]);
    const out = path.join(tmp.dir, 'flows');
    // TypeScript only (emitting JavaScript is slow): vitest imports the generated modules directly.
    writeBuild(buildProgram(program, { typeCheck: false, emitJs: false }), out);
    const flows = new Map<string, LoadedFlow>();
    for (const name of Object.keys(POLICIES)) {
      const module = (await import(pathToFileURL(path.join(out, `${name}.ts`)).href)) as FlowModule;
      flows.set(name, { name, version: module.meta.version, module });
    }
    return { flows, dir: tmp.dir };
  })();
}
afterAll(async () => { if (built) fs.rmSync((await built).dir, { recursive: true, force: true }); });

/** Runs the job until it leaves the queue; X-Cart is down for `outageMs` from the first attempt. */
async function runThroughOutage(flow: keyof typeof POLICIES, outageMs: number) {
  const { flows } = await compileAll();
  const tmp = tempDir('retry-budget-store-');
  cleanups.push(tmp.cleanup);
  const clock = new Clock();
  const store = SqliteStore.open(tmp.file(), { now: clock.now });
  cleanups.unshift(() => { void store.close(); });
  const start = clock.now();
  let calls = 0;
  const xcart = { call: async () => {
    calls++;
    if (clock.now() - start < outageMs) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8089'), { errorClass: 'transient' });
    return { id: 1 };
  } };
  const engine = new Engine({ store, flows: new Map([[flow, flows.get(flow)!]]), connectors: { xcart }, now: clock.now });
  await store.enqueue({ flow, source: 'xcart', eventType: 'order.created', entityId: '1', updatedAt: '2025-01-01T10:00:00Z', payload: { order_id: 1 } });
  for (let i = 0; i < 10_000; i++) {
    const [job] = await store.lease('w1', { leaseMs: 60_000, flows: [flow] });
    if (job) { await engine.runJob(job, 'w1'); continue; }
    const j = await store.getJob(1);
    if (j!.state !== 'queued') break;
    clock.t = Math.max(clock.t + 1, j!.nextAttemptAt);
  }
  const job = (await store.getJob(1))!;
  const dead = await store.listDeadLetters();
  return { job, calls, dead, elapsed: clock.now() - start };
}

describe('retry for <duration>', () => {
  it('survives a 3-hour X-Cart outage with the shipped budget (24h), where retry 6 dead-letters it', async () => {
    const budget = await runThroughOutage('Budget24h', 3 * HOUR);
    expect(budget.dead).toEqual([]);
    expect(budget.job.state).toBe('done');
    expect(budget.calls).toBeGreaterThan(7);

    const count = await runThroughOutage('Count6', 3 * HOUR);
    expect(count.dead).toHaveLength(1);
    expect(count.calls).toBe(7);
    console.log(`3 h outage: retry for 24h -> done after ${budget.calls} attempts; retry 6 -> dead-lettered after ${count.calls} attempts (${Math.round(count.elapsed / 1000)} s)`);
  });

  it('dead-letters once the budget since the first failed attempt is spent, not before', async () => {
    const r = await runThroughOutage('Budget2h', 100 * HOUR);
    expect(r.dead).toHaveLength(1);
    expect(r.job.state).toBe('dead_letter');
    // The last attempt started at or after 2 h, and less than one capped delay later.
    expect(r.elapsed).toBeGreaterThanOrEqual(2 * HOUR);
    expect(r.elapsed).toBeLessThan(2 * HOUR + 10 * 60_000);
    // Far more than the `max` recorded for runtimes that predate forMs would be (about 2h / 10m).
    expect(r.calls).toBeGreaterThan(12);
  });
});

describe('decide', () => {
  const meta = (forMs?: number) => ({
    policies: [{ on: 'transient', retry: { max: 2, ...(forMs !== undefined ? { forMs } : {}), backoff: 'fixed', initialMs: 1000, maxMs: 1000 }, then: 'skip' }],
    operations: [],
  } as unknown as FlowMeta);
  it('retry N counts attempts; retry for D looks only at the time since the first failure', () => {
    expect(decide(meta(), 'transient', 3).action).toBe('skip');
    expect(decide(meta(HOUR), 'transient', 3, undefined, undefined, undefined, HOUR - 1).action).toBe('retry');
    expect(decide(meta(HOUR), 'transient', 50, undefined, undefined, undefined, 0).action).toBe('retry');
    expect(decide(meta(HOUR), 'transient', 2, undefined, undefined, undefined, HOUR).action).toBe('skip');
  });
});

/**
 * Anomaly detection in the engine (runtime/anomaly/): after a warm-up history, an order whose total
 * is 40 times the usual is a run-log warning naming the field, the value and the usual range, a
 * log line and an alert; a flow with `hold when anomaly` (FlowMeta.holdOnAnomaly) does not write
 * it but holds the run as a dead letter of class `anomaly`, and a replay of that dead letter
 * releases it: written once, the anomaly accepted. The profile is in the real SQLite store, so a
 * new engine (a restart) has it. The Sage Pro connection is a recorder of the writes it is given:
 * what is under test is what the engine passes on, not the ERP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import type { FlowContext, FlowMeta, FlowModule, TriggerEvent } from '../contract.js';
import { AnomalyMonitor } from '../anomaly/monitor.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { Clock, tempDir } from '../store/test-support/helpers.js';
import { Engine } from './engine.js';
import type { LoadedFlow } from './flows.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

function orderModule(name: string, hold: boolean): FlowModule {
  const meta: FlowMeta = {
    name, description: 'test', version: 'v1', contractVersion: 1, source: `${name}.flow`,
    trigger: { kind: 'event', system: 'xcart', event: 'order.created' },
    policies: [{ on: 'invalid', then: 'dead_letter' }],
    ...(hold ? { holdOnAnomaly: { site: 1 } } : {}),
    operations: [{ system: 'sagepro', operation: 'sales_orders.create', kind: 'write', idempotent: true, site: 0, policies: [] }],
    sites: [
      { file: `${name}.flow`, line: 5, column: 3, endLine: 5, endColumn: 40 },
      { file: `${name}.flow`, line: 9, column: 3, endLine: 9, endColumn: 22 },
    ],
  };
  return {
    meta,
    async run(event: TriggerEvent, ctx: FlowContext) {
      const d = event.data as { id: number; lines: { sku: string; qty: number; price: number }[] };
      await ctx.call('sagepro', 'sales_orders.create', { order: { external_ref: `XC-${d.id}`, notes: `order ${d.id}`,
        lines: d.lines.map((l) => ({ item: l.sku, quantity: l.qty, price: l.price })) } }, 0);
      return { outcome: 'done' };
    },
  };
}

/** An ordinary order: 1-3 lines of 1-2 units at 20-60: totals of about 20-360. */
function usualOrder(i: number) {
  const lines = Array.from({ length: 1 + (i % 3) }, (_, k) => ({ sku: `SKU-${k}`, qty: 1 + ((i + k) % 2), price: 20 + ((i * 7 + k * 13) % 41) }));
  return { id: 1000 + i, lines };
}

describe('engine: anomalies', () => {
  it('warns and alerts on a 40× order total, holds it when the flow says so, and a replay of the held run releases it once', async () => {
    const tmp = tempDir('anomaly-engine-');
    cleanups.push(tmp.cleanup);
    const clock = new Clock();
    const file = tmp.file();
    let store = SqliteStore.open(file, { now: clock.now });
    cleanups.push(() => store.close());
    const flows = new Map<string, LoadedFlow>();
    for (const [name, hold] of [['Plain', false], ['Held', true]] as const) flows.set(name, { name, version: 'v1', module: orderModule(name, hold) });
    const written: { flow: string; ref: string; lines: number }[] = [];
    let current = '';
    const sagepro = { call: async (_op: string, args: Record<string, unknown>) => {
      const o = args.order as { external_ref: string; lines: unknown[] };
      written.push({ flow: current, ref: o.external_ref, lines: o.lines.length });
      return { number: o.external_ref };
    } };
    const alerts: { message: string; details: Record<string, unknown> }[] = [];
    const warnings: string[] = [];
    const logger = { info() {}, error() {}, warn(_o: object, msg?: string) { if (msg) warnings.push(msg); } };
    const make = (s: SqliteStore) => {
      const anomaly = new AnomalyMonitor(s.anomaly, { params: { warmupRuns: 30 }, now: clock.now });
      return { anomaly, engine: new Engine({ store: s, flows, connectors: { sagepro }, logger, anomaly, alert: (message, details) => alerts.push({ message, details }), now: clock.now }) };
    };
    let { engine, anomaly } = make(store);
    const runAll = async () => {
      for (;;) {
        const [job] = await store.lease('w1', { leaseMs: 30_000 });
        if (!job) return;
        current = job.flow;
        await engine.runJob(job, 'w1');
      }
    };
    let seq = 0;
    const enqueue = async (flow: string, data: unknown) => store.enqueue({ flow, source: 'xcart', eventType: 'order.created', entityId: String(++seq), updatedAt: '2026-12-01T00:00:00Z', payload: data });

    // Warm-up: 40 usual orders per flow; nothing flags (even the first runs, which have no history).
    for (let i = 0; i < 40; i++) for (const f of flows.keys()) { await enqueue(f, usualOrder(i)); clock.advance(1); }
    await runAll();
    expect(written).toHaveLength(80);
    expect(alerts).toEqual([]);
    expect(warnings.filter((w) => w.startsWith('anomaly'))).toEqual([]);
    await anomaly.flush();

    // A restart: a new engine and monitor on the reopened store have the profile.
    await store.close();
    store = SqliteStore.open(file, { now: clock.now });
    ({ engine, anomaly } = make(store));
    expect((await anomaly.profile('Plain')).runs).toBe(40);

    // 40 times the usual total (about 150): 3 lines of 20 units at 100.
    const big = { id: 9001, lines: [0, 1, 2].map((k) => ({ sku: `SKU-${k}`, qty: 20, price: 100 })) };
    await enqueue('Plain', big);
    await runAll();
    expect(written.filter((w) => w.ref === 'XC-9001')).toHaveLength(1); // not held: written, and flagged
    const [plainRun] = await store.listRuns({ flow: 'Plain', limit: 1 });
    expect(plainRun!.outcome).toBe('done');
    expect(plainRun!.error).toMatch(/anomaly: sagepro\.sales_orders\.create order\.lines total \(Σ quantity × price\) is 6000, \d+ times the usual \(usual range [\d.]+–[\d.]+, median [\d.]+, 0\.5 %–99\.5 % of 40 earlier values\)/);
    // the quantity of each line is also far from usual (1-2 units): named by its path
    expect(plainRun!.error).toMatch(/order\.lines\[\]\.quantity is 20/);
    expect(alerts.map((a) => a.message)).toContainEqual(expect.stringMatching(/^Plain: anomaly: sagepro\.sales_orders\.create order\.lines total .* is 6000/));
    expect(alerts.every((a) => a.details.held === false)).toBe(true);

    // The same order on the flow that holds: not written, held as a dead letter with the reason.
    alerts.length = 0;
    await enqueue('Held', big);
    await runAll();
    expect(written.filter((w) => w.flow === 'Held' && w.ref === 'XC-9001')).toEqual([]);
    const [dl] = await store.listDeadLetters({ flow: 'Held' });
    expect(dl).toMatchObject({ errorClass: 'anomaly', site: 'Held.flow:9:3' });
    expect(dl!.reason).toMatch(/^held: anomaly: sagepro\.sales_orders\.create order\.lines total .* is 6000/);
    expect((await store.getDeadLetter(dl!.id))!.error).toMatch(/replay this dead letter/);
    expect(alerts.map((a) => a.message)).toContainEqual(expect.stringMatching(/^Held: anomaly \(run held\): .*order\.lines total/));
    expect(warnings).toContain('run held for a person (hold when anomaly)');

    // Release: the replay writes it once, the anomaly accepted (no new alert, the run log says so).
    alerts.length = 0;
    const replay = await store.replay(dl!.id);
    await runAll();
    expect(written.filter((w) => w.flow === 'Held' && w.ref === 'XC-9001')).toHaveLength(1);
    expect((await store.getJob(replay!.jobId))!.state).toBe('done');
    const [released] = await store.listRuns({ jobId: replay!.jobId });
    expect(released!.error).toMatch(new RegExp(`accepted: released from dead letter ${dl!.id}`));
    expect(alerts).toEqual([]);
    // A second usual order on the held flow still flows (the profile did not learn the held one).
    await enqueue('Held', usualOrder(3));
    await runAll();
    expect(written.filter((w) => w.flow === 'Held')).toHaveLength(42);
    expect(await store.listDeadLetters({ flow: 'Held' })).toEqual([]);
    await anomaly.stop();
  });

  it('a flow compiled by flowc with `hold when anomaly` holds a stock level 100 times the usual, and its release writes it', async () => {
    const tmp = tempDir('anomaly-flowc-');
    cleanups.push(tmp.cleanup);
    fs.writeFileSync(path.join(tmp.dir, 'stock.flow'), [
      'flow StockHeld', '  on every 5m poll sagepro.InventoryLevel changed key item, location',
      '  write xcart.products.set_stock(product_id: 7, amount: int(max(0, floor(event.data.available ?? 0))) ?? 0)',
      '  on transient retry for 24h backoff exponential 2s..10m then dead_letter', '  hold when anomaly', ''].join('\n'));
    const program = createProgram([tmp.dir], { schemasDir: path.resolve('mappings/schemas') });
    expect(program.diagnostics.filter((d) => d.category === 'error')).toEqual([]);
    writeBuild(buildProgram(program, { typeCheck: false, emitJs: false }), path.join(tmp.dir, 'flows'));
    const module = (await import(pathToFileURL(path.join(tmp.dir, 'flows', 'StockHeld.ts')).href)) as FlowModule;
    const holdSite = module.meta.sites[module.meta.holdOnAnomaly!.site]!;
    expect(holdSite.line).toBe(5);
    const clock = new Clock();
    const store = SqliteStore.open(tmp.file(), { now: clock.now });
    cleanups.push(() => store.close());
    const amounts: number[] = [];
    const xcart = { call: async (_op: string, args: Record<string, unknown>) => { amounts.push(args.amount as number); return {}; } };
    const anomaly = new AnomalyMonitor(store.anomaly, { params: { warmupRuns: 30 }, now: clock.now });
    const engine = new Engine({ store, flows: new Map([['StockHeld', { name: 'StockHeld', version: module.meta.version, module }]]), connectors: { xcart }, anomaly, now: clock.now });
    const runAll = async () => { for (let job; (job = (await store.lease('w', { leaseMs: 30_000 }))[0]);) await engine.runJob(job, 'w'); };
    for (let i = 0; i < 40; i++) {
      await store.enqueue({ flow: 'StockHeld', source: 'sagepro', eventType: 'InventoryLevel.changed', entityId: `I${i}`, updatedAt: 'h', payload: { item: `I${i}`, location: 'MAIN', available: 10 + (i % 30) } });
      clock.advance(1);
    }
    await runAll();
    await store.enqueue({ flow: 'StockHeld', source: 'sagepro', eventType: 'InventoryLevel.changed', entityId: 'BIG', updatedAt: 'h', payload: { item: 'BIG', location: 'MAIN', available: 2500 } });
    await runAll();
    expect(amounts).toHaveLength(40);
    const [dl] = await store.listDeadLetters({ flow: 'StockHeld' });
    expect(dl).toMatchObject({ errorClass: 'anomaly', site: `${holdSite.file}:5:3` });
    expect(dl!.reason).toMatch(/^held: anomaly: xcart\.products\.set_stock amount is 2500, \d+ times the usual/);
    await store.replay(dl!.id);
    await runAll();
    expect(amounts).toEqual([...amounts.slice(0, 40), 2500]);
  });
});

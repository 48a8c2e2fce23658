/**
 * The detector's rules, one kind at a time, on profiles built by the monitor from runs (the real
 * observation path: write arguments → observations → bin counts): warm-up, a value far from the
 * history (and one that is merely unusual), a field that was always filled arriving empty, many
 * items of one poll dropping to zero at once, a rise of dead letters. Seeded, deterministic.
 */
import { describe, expect, it } from 'vitest';
import { binHigh, binLow, binOf, summarise } from './histogram.js';
import { AnomalyMonitor, type AnomalyProfileStore } from './monitor.js';
import type { ProfileCount } from './profile.js';

/** A store that keeps the counts in memory, to test the rules without a database (the store's own part is in the contract suite). */
function memoryStore(): AnomalyProfileStore & { rows: Map<string, number> } {
  const rows = new Map<string, number>();
  return {
    rows,
    async loadProfile(flow) {
      const out: ProfileCount[] = [];
      for (const [k, n] of rows) { const [f, metric, bin] = JSON.parse(k) as [string, string, number]; if (f === flow) out.push({ metric, bin, n }); }
      return out;
    },
    async addProfileCounts(add) { for (const r of add) { const k = JSON.stringify([r.flow, r.metric, r.bin]); rows.set(k, (rows.get(k) ?? 0) + r.n); } },
  };
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const order = (r: () => number) => ({ order: { external_ref: 'XC-1', notes: 'web order', customer: 'WEB01',
  lines: Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({ item: 'SKU', quantity: 1 + Math.floor(r() * 3), price: Math.round(20 + r() * 80) })) } });

async function warm(runs: number, params = {}) {
  const m = new AnomalyMonitor(memoryStore(), { params: { warmupRuns: 50, ...params }, now: () => 0 });
  const r = rng(7);
  for (let i = 0; i < runs; i++) {
    const w = await m.watch('Orders', `b${i}`);
    expect(w.beforeWrite('sagepro', 'sales_orders.create', order(r))).toEqual([]);
    w.finish('final');
  }
  return m;
}

describe('histogram', () => {
  it('bins by sign and 0.05 decade; zero alone; quantiles from the bins', () => {
    expect(binOf(0)).toBe(0);
    expect(binOf(100)).toBe(1040);
    expect(binOf(-100)).toBe(-1040);
    expect(binLow(1040)).toBeCloseTo(100);
    expect(binHigh(1040)).toBeCloseTo(112.2, 1);
    const bins = new Map<number, number>([[binOf(10), 50], [binOf(100), 50], [binOf(1000), 1]]);
    const s = summarise(bins, 1, 0.01, 0.99)!;
    expect(s.n).toBe(101);
    expect(10 ** s.lowLog).toBeCloseTo(10);
    expect(10 ** s.highLog).toBeCloseTo(112.2, 1);
  });
});

describe('detector', () => {
  it('flags nothing before the warm-up, whatever the value', async () => {
    const m = await warm(49);
    const w = await m.watch('Orders', 'x');
    expect(w.beforeWrite('sagepro', 'sales_orders.create', { order: { external_ref: 'XC-2', notes: '', customer: 'WEB01', lines: [{ item: 'SKU', quantity: 5000, price: 9000 }] } })).toEqual([]);
  });

  it('value: a total 40 times the usual is flagged with the field, the value and the usual range; twice the usual is not', async () => {
    const m = await warm(200);
    const w = await m.watch('Orders', 'x');
    const flags = w.beforeWrite('sagepro', 'sales_orders.create', { order: { external_ref: 'XC-2', notes: 'web order', customer: 'WEB01', lines: [{ item: 'SKU', quantity: 2, price: 4000 }] } });
    expect(flags.map((f) => [f.kind, f.field, f.value])).toEqual([
      ['value', 'sagepro.sales_orders.create order.lines total (Σ quantity × price)', '8000'],
      ['value', 'sagepro.sales_orders.create order.lines[].price', '4000'],
    ]);
    expect(flags[0]!.message).toMatch(/^sagepro\.sales_orders\.create order\.lines total \(Σ quantity × price\) is 8000, \d+ times the usual \(usual range [\d.]+–[\d.]+, median [\d.]+, 0\.5 %–99\.5 % of 200 earlier values\)$/);
    const ok = await m.watch('Orders', 'y');
    expect(ok.beforeWrite('sagepro', 'sales_orders.create', { order: { external_ref: 'XC-3', notes: 'web order', customer: 'WEB01', lines: [{ item: 'SKU', quantity: 3, price: 100 }, { item: 'SKU', quantity: 3, price: 100 }] } })).toEqual([]);
    // far below is flagged too, and a negative total where there was never one
    const low = await m.watch('Orders', 'z');
    expect(low.beforeWrite('sagepro', 'sales_orders.create', { order: { external_ref: 'XC-4', notes: 'web order', customer: 'WEB01', lines: [{ item: 'SKU', quantity: 1, price: 0.5 }] } }).map((f) => f.message))
      .toContainEqual(expect.stringMatching(/order\.lines total .* is 0\.5, \d+ times below the usual/));
    const neg = await m.watch('Orders', 'n');
    expect(neg.beforeWrite('sagepro', 'sales_orders.create', { order: { external_ref: 'XC-5', notes: 'web order', customer: 'WEB01', lines: [{ item: 'SKU', quantity: -1, price: 50 }] } }).map((f) => f.message))
      .toContainEqual(expect.stringMatching(/order\.lines total .* is -50, negative for the first time/));
  });

  it('value: identifiers and numbers are not values (a product id of any size is never flagged)', async () => {
    const m = new AnomalyMonitor(memoryStore(), { params: { warmupRuns: 20 }, now: () => 0 });
    for (let i = 0; i < 30; i++) { const w = await m.watch('Stock', `b${i}`); w.beforeWrite('xcart', 'products.set_stock', { product_id: 10 + i, amount: 10 + (i % 5) }); w.finish('final'); }
    const w = await m.watch('Stock', 'x');
    expect(w.beforeWrite('xcart', 'products.set_stock', { product_id: 9_000_000, amount: 12 })).toEqual([]);
  });

  it('empty: a field filled in every earlier write arriving empty or missing is flagged; one often empty is not', async () => {
    const m = await warm(100);
    const w = await m.watch('Orders', 'x');
    const flags = w.beforeWrite('sagepro', 'sales_orders.create', { order: { external_ref: 'XC-2', notes: '  ', lines: [{ quantity: 1, price: 50 }] } });
    expect(flags.map((f) => f.message)).toEqual([
      'sagepro.sales_orders.create order.notes is empty (usually filled in 100 of 100 earlier writes)',
      'sagepro.sales_orders.create order.lines[].item is empty (usually filled in 185 of 185 earlier writes)',
      'sagepro.sales_orders.create order.customer is empty (usually filled in 100 of 100 earlier writes)',
    ]);
    // a field empty in 10 % of the history is not "always filled"
    const m2 = new AnomalyMonitor(memoryStore(), { params: { warmupRuns: 20 }, now: () => 0 });
    for (let i = 0; i < 100; i++) { const w2 = await m2.watch('C', `b${i}`); w2.beforeWrite('sagepro', 'customers.update', { phone: i % 10 === 0 ? null : '555' }); w2.finish('final'); }
    expect((await m2.watch('C', 'x')).beforeWrite('sagepro', 'customers.update', { phone: null })).toEqual([]);
  });

  it('zero_batch: a poll in which 30 of 100 items drop to zero stock is flagged (alert once); the usual 2 % is not', async () => {
    const m = new AnomalyMonitor(memoryStore(), { params: { warmupRuns: 50 }, now: () => 0 });
    const r = rng(11);
    const poll = async (batch: string, rows: number, zeroShare: number) => {
      const flags = [];
      for (let i = 0; i < rows; i++) {
        const w = await m.watch('Stock', batch);
        flags.push(...w.beforeWrite('xcart', 'products.set_stock', { product_id: i, amount: r() < zeroShare ? 0 : 1 + Math.floor(r() * 50) }));
        w.finish('final');
      }
      return flags;
    };
    for (let p = 0; p < 20; p++) expect(await poll(`poll-${p}`, 100, 0.02)).toEqual([]);
    const flags = await poll('bad', 100, 0.3);
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.every((f) => f.kind === 'zero_batch')).toBe(true);
    expect(flags.filter((f) => f.alert)).toHaveLength(1);
    expect(flags[0]!.message).toMatch(/^xcart\.products\.set_stock amount: \d+ of the poll's \d+ writes so far are zero at once \(usually [\d.]+ % of writes are zero/);
    // the same share of zeros spread over separate polls (one row each) is not a batch
    for (let p = 0; p < 30; p++) expect(await poll(`single-${p}`, 1, 1)).toEqual([]);
  });

  it('dead_letters: 12 dead letters among 50 runs of a flow that dead-letters 1 % is flagged once per window', async () => {
    const m = await warm(500);
    const r = rng(3);
    const flags = [];
    for (let i = 0; i < 100; i++) {
      const w = await m.watch('Orders', `d${i}`);
      const f = w.finish(i >= 50 && r() < 0.25 ? 'dead_letter' : 'final');
      if (f) flags.push(f);
    }
    expect(flags).toHaveLength(1);
    expect(flags[0]!.kind).toBe('dead_letters');
    expect(flags[0]!.message).toMatch(/^dead letters rising: \d+ of the last 50 runs were dead-lettered \(usually [\d.]+ % of \d+ earlier runs/);
    // the usual rate does not flag
    const calm = await warm(500);
    const out = [];
    for (let i = 0; i < 300; i++) { const f = (await calm.watch('Orders', `c${i}`)).finish(i % 100 === 7 ? 'dead_letter' : 'final'); if (f) out.push(f); }
    expect(out).toEqual([]);
  });

  it('held and retried runs teach the profile nothing; flush writes the counts once and a failed write keeps them', async () => {
    const store = memoryStore();
    const m = new AnomalyMonitor(store, { now: () => 0 });
    const w = await m.watch('Orders', 'a');
    w.beforeWrite('sagepro', 'sales_orders.create', { order: { notes: 'x' } });
    w.finish('held');
    const w2 = await m.watch('Orders', 'b');
    w2.beforeWrite('sagepro', 'sales_orders.create', { order: { notes: 'x' } });
    w2.finish('retry');
    await m.flush();
    expect(store.rows.size).toBe(0);
    const w3 = await m.watch('Orders', 'c');
    w3.beforeWrite('sagepro', 'sales_orders.create', { order: { notes: 'x' } });
    w3.finish('final');
    const add = store.addProfileCounts;
    let calls = 0;
    store.addProfileCounts = async () => { calls++; throw new Error('store down'); };
    await m.flush();
    store.addProfileCounts = add;
    await m.flush();
    expect(calls).toBe(1);
    expect(Object.fromEntries(store.rows)).toEqual({
      '["Orders","runs",0]': 1, '["Orders","f|sagepro.sales_orders.create|order",1]': 1, '["Orders","f|sagepro.sales_orders.create|order.notes",1]': 1,
    });
  });
});

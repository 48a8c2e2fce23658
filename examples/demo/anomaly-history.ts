/**
 * The demo's warm-up history for anomaly detection: flowd flags nothing before a flow has 50 runs
 * (runtime/anomaly/README.md), and the demo places only a handful of orders. So it seeds the
 * OrderToSalesOrder profile in the store with `runs` ordinary orders made from a sales order the
 * flow really wrote in step 1 (its recorded call arguments): lines picked and quantities and
 * prices varied around it, seeded and deterministic. What is seeded is counted exactly as flowd
 * counts its own runs (the same observations, added to the same store rows).
 */
import { observeWrite } from '../../runtime/anomaly/observe.js';
import { RUNS_METRIC } from '../../runtime/anomaly/profile.js';
import type { Store } from '../../runtime/store/store.js';

export async function seedOrderHistory(store: Store, flow: string, op: string, written: unknown, runs: number, seed = 5): Promise<number> {
  let s = seed >>> 0;
  const rand = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
  const counts = new Map<string, number>();
  const base = written as { order?: { lines?: Record<string, unknown>[] } };
  const lines = base.order?.lines ?? [];
  for (let i = 0; i < runs; i++) {
    const pick = lines.filter(() => rand() < 0.7);
    const order = { ...base.order, lines: (pick.length ? pick : lines.slice(0, 1)).map((l) => ({
      ...l,
      ...(typeof l.quantity === 'number' ? { quantity: Math.max(1, Math.round(l.quantity * (0.5 + rand()))) } : {}),
      ...(typeof l.price === 'number' ? { price: Math.round(l.price * (0.8 + 0.4 * rand()) * 100) / 100 } : {}),
    })) };
    for (const o of observeWrite(op, { ...base, order })) counts.set(JSON.stringify([o.metric, o.bin]), (counts.get(JSON.stringify([o.metric, o.bin])) ?? 0) + 1);
  }
  counts.set(JSON.stringify([RUNS_METRIC, 0]), runs);
  await store.anomaly.addProfileCounts([...counts].map(([k, n]) => { const [metric, bin] = JSON.parse(k) as [string, number]; return { flow, metric, bin, n }; }));
  return runs;
}

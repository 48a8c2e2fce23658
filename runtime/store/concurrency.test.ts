import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { orderEvent, tempDir } from './test-support/helpers.js';
import { spawnScript } from './test-support/spawn.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

async function enqueueMany(file: string, n: number): Promise<number[]> {
  const store = SqliteStore.open(file);
  const results = await store.enqueueBatch(Array.from({ length: n }, (_, i) => orderEvent(i + 1)));
  await store.close();
  return results.map((r) => r.jobId);
}

describe('several stores on one file', () => {
  it('two SqliteStore instances never lease the same job', async () => {
    const ids = await enqueueMany(tmp.file(), 400);
    const a = SqliteStore.open(tmp.file());
    const b = SqliteStore.open(tmp.file());
    const leasedBy = new Map<number, string[]>();
    const loop = async (store: SqliteStore, worker: string) => {
      for (;;) {
        const jobs = await store.lease(worker, { leaseMs: 600_000, limit: 1 + (leasedBy.size % 3) });
        if (jobs.length === 0) return;
        for (const j of jobs) leasedBy.set(j.id, [...(leasedBy.get(j.id) ?? []), worker]);
        // Yield between lease and complete so the other instance's lease runs in between.
        await new Promise((r) => setImmediate(r));
        for (const j of jobs) expect(await store.complete(j.id, worker, { outcome: 'done', durationMs: 0 })).toBe(true);
      }
    };
    await Promise.all([loop(a, 'a'), loop(b, 'b'), loop(a, 'a2'), loop(b, 'b2')]);
    expect([...leasedBy.keys()].sort((x, y) => x - y)).toEqual(ids);
    for (const [id, workers] of leasedBy) expect(workers, `job ${id}`).toHaveLength(1);
    const workers = new Set([...leasedBy.values()].flat());
    expect(workers.size).toBeGreaterThan(1);
    const status = await a.status();
    expect(status.queueDepth).toBe(0);
    await a.close();
    await b.close();
  });

  it('separate processes leasing concurrently never lease the same job', async () => {
    const ids = await enqueueMany(tmp.file(), 300);
    const children = ['p1', 'p2', 'p3'].map((w) => spawnScript('lease-child.ts', [tmp.file(), w]));
    const exits = await Promise.all(children.map((c) => c.exited));
    for (const [i, e] of exits.entries()) expect(e, children[i]!.stderr()).toEqual({ code: 0, signal: null });
    const leasedBy = new Map<number, string[]>();
    for (const c of children) {
      for (const line of c.lines) {
        const { worker, ids: leased } = JSON.parse(line) as { worker: string; ids: number[] };
        for (const id of leased) leasedBy.set(id, [...(leasedBy.get(id) ?? []), worker]);
      }
    }
    expect([...leasedBy.keys()].sort((x, y) => x - y)).toEqual(ids);
    for (const [id, workers] of leasedBy) expect(workers, `job ${id}`).toHaveLength(1);
    const store = SqliteStore.open(tmp.file());
    for (const id of ids) expect((await store.getJob(id))!).toMatchObject({ state: 'done', attempts: 1 });
    expect(store.checkIntegrity()).toEqual([]);
    await store.close();
  }, 120_000);

  it('two processes opening a fresh file at once both migrate it safely', async () => {
    const children = ['m1', 'm2'].map((w) => spawnScript('lease-child.ts', [tmp.file('fresh.db'), w]));
    const exits = await Promise.all(children.map((c) => c.exited));
    for (const [i, e] of exits.entries()) expect(e, children[i]!.stderr()).toEqual({ code: 0, signal: null });
    const store = SqliteStore.open(tmp.file('fresh.db'));
    expect(store.checkIntegrity()).toEqual([]);
    await store.close();
  }, 60_000);
});

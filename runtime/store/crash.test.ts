import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { tempDir } from './test-support/helpers.js';
import { spawnScript } from './test-support/spawn.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('crash safety', () => {
  it('a process SIGKILLed mid-work leaves a consistent store: no acknowledged change lost, leased jobs come back', async () => {
    const file = tmp.file();
    const enqueued = new Map<number, string>();
    const leased = new Set<number>();
    const completed = new Set<number>();
    const deadLettered = new Map<number, number>();
    let lastW = 0;
    for (let round = 1; round <= 3; round++) {
      const child = spawnScript('crash-child.ts', [file, String(round)]);
      await child.waitFor((l) => l.startsWith('READY'));
      // Let it run a little (different amounts per round), then kill it mid-loop.
      const target = 40 + round * 37;
      await child.waitFor((_, i) => i >= target);
      child.proc.kill('SIGKILL');
      const exit = await child.exited;
      expect(exit.signal, child.stderr()).toBe('SIGKILL');
      for (const line of child.lines) {
        const [tag, a, b] = line.split(' ');
        if (tag === 'E') enqueued.set(Number(a), b!);
        else if (tag === 'L') leased.add(Number(a));
        else if (tag === 'C') completed.add(Number(a));
        else if (tag === 'D') deadLettered.set(Number(a), Number(b));
        else if (tag === 'W') lastW = Math.max(lastW, Number(a));
      }
    }
    expect(enqueued.size).toBeGreaterThan(30);
    expect(leased.size).toBeGreaterThan(10);

    // Reopen two minutes later: every lease the victims held has expired.
    const later = Date.now() + 120_000;
    const store = SqliteStore.open(file, { now: () => later });
    expect(store.checkIntegrity()).toEqual([]);

    for (const [id, entity] of enqueued) {
      const job = await store.getJob(id);
      expect(job, `acknowledged job ${id}`).toBeDefined();
      expect(job!.entityId).toBe(entity);
      expect((job!.payload as { entity: string; lines: unknown[] }).entity).toBe(entity);
      expect((job!.payload as { lines: unknown[] }).lines).toHaveLength(20);
    }
    for (const id of completed) {
      expect((await store.getJob(id))!.state, `completed job ${id}`).toBe('done');
      expect(await store.isKeyDone('Crash', `k-${id}`)).toBe(true);
    }
    for (const [id, dl] of deadLettered) {
      expect((await store.getJob(id))!.state).toBe('dead_letter');
      expect(await store.getDeadLetter(dl)).toMatchObject({ jobId: id, flowVersion: 'v1' });
    }

    // The watermark and the 100 row hashes were written in one transaction with their event.
    const w = Number(await store.getWatermark('crash'));
    expect(w).toBeGreaterThanOrEqual(lastW);
    const hashes = await store.getRowHashes('crash');
    if (w > 0) {
      expect(hashes.size).toBe(100);
      expect(new Set(hashes.values())).toEqual(new Set([`v${w}`]));
    }

    // Every unfinished job (including those a dead worker held) can be leased again, exactly once.
    const unfinished = new Set<number>();
    for (const id of enqueued.keys()) {
      const state = (await store.getJob(id))!.state;
      if (state === 'queued' || state === 'running') unfinished.add(id);
    }
    // Leased and not acknowledged as finished: still running under a dead worker's lease, or finished
    // just before the kill (committed, but the victim died before printing the acknowledgement).
    const heldByDeadWorkers: number[] = [];
    for (const id of leased) {
      if (completed.has(id) || deadLettered.has(id)) continue;
      const job = (await store.getJob(id))!;
      if (job.state === 'running') {
        expect(job.leaseOwner).toMatch(/^crash-/);
        heldByDeadWorkers.push(id);
      } else expect(['done', 'dead_letter'], `job ${id}`).toContain(job.state);
    }
    expect(heldByDeadWorkers.length).toBeGreaterThan(0);
    const recovered = await store.lease('recovery', { leaseMs: 1000, limit: 100_000, flows: ['Crash'] });
    const recoveredIds = new Set(recovered.map((j) => j.id));
    for (const id of unfinished) expect(recoveredIds.has(id), `job ${id} comes back`).toBe(true);
    for (const id of heldByDeadWorkers) {
      const job = recovered.find((j) => j.id === id);
      expect(job, `job ${id} held by a killed worker comes back`).toBeDefined();
      expect(job!.attempts).toBeGreaterThanOrEqual(2);
    }
    expect(recovered.every((j) => j.state === 'running' && j.leaseOwner === 'recovery')).toBe(true);
    await store.close();
  }, 120_000);
});

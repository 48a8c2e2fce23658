/**
 * What PostgresStore adds to the Store contract (which postgres-store.contract.test.ts runs):
 * fencing tokens, migrations started by several processes at once, several stores leasing from
 * one database, poll leadership with a leader that is closed, killed (SIGKILL) or paused (SIGSTOP),
 * and open errors that name the server but never the password. One PostgreSQL server for the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { postgresServerAvailable, startPostgres, type StartedPostgres } from '../../test/support/postgres.js';
import { PostgresStore } from './postgres-store.js';
import { Clock, orderEvent } from './test-support/helpers.js';
import { spawnScript, type Child } from './test-support/spawn.js';

let server: StartedPostgres;
let n = 0;
const schema = () => `pgtest_${++n}`;

async function sql(text: string, params: unknown[] = []): Promise<pg.QueryResultRow[]> {
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  try { return (await c.query(text, params)).rows; } finally { await c.end(); }
}

describe.skipIf(!postgresServerAvailable())('PostgresStore', () => {
  beforeAll(async () => { server = await startPostgres(); });
  afterAll(async () => { await server?.stop(); });

  describe('fencing tokens', () => {
    it('a worker whose lease was taken over (same worker id, e.g. a restarted process) can no longer write anything for the job', async () => {
      const clock = new Clock();
      const s = schema();
      const a = await PostgresStore.open(server.url, { now: clock.now, schema: s });
      const b = await PostgresStore.open(server.url, { now: clock.now, schema: s });
      try {
        await a.enqueue(orderEvent(1));
        const [first] = await a.lease('flowd-1', { leaseMs: 1000 });
        expect(first!.fence).toEqual(expect.any(Number));
        // a is paused past its lease; b (a restarted process with the same worker id) takes the job.
        clock.advance(1000);
        const [second] = await b.lease('flowd-1', { leaseMs: 60_000 });
        expect(second).toMatchObject({ id: first!.id, attempts: 2, leaseOwner: 'flowd-1' });
        expect(second!.fence!).toBeGreaterThan(first!.fence!);

        // a wakes up: every write for its old lease is refused, owner id notwithstanding.
        const run = { jobId: first!.id, flow: 'OrderToSalesOrder', flowVersion: 'v1', trigger: 'xcart:order.created', outcome: 'done' as const, startedAt: clock.now(), durationMs: 1, correlationId: 'c' };
        expect(await a.heartbeat(first!.id, 'flowd-1', 1000)).toBe(false);
        expect(await a.complete(first!.id, 'flowd-1', { outcome: 'done', durationMs: 1, idempotencyKey: { key: 'SO-1', keepMs: 60_000 }, run })).toBe(false);
        expect(await a.retry(first!.id, 'flowd-1', { error: 'x', errorClass: 'transient', nextAttemptAt: clock.now(), run: { ...run, outcome: 'retry' } })).toBe(false);
        expect(await a.deadLetter(first!.id, 'flowd-1', { error: 'x', errorClass: 'invalid', flowVersion: 'v1', run: { ...run, outcome: 'dead_letter' } })).toBeNull();
        expect(await a.release(first!.id, 'flowd-1')).toBe(false);
        // An explicit token from elsewhere: the old one is refused too.
        expect(await b.complete(first!.id, 'flowd-1', { outcome: 'done', durationMs: 1, fence: first!.fence! })).toBe(false);
        // Nothing was written: b's lease intact, no run, key or dead letter.
        expect(await b.getJob(first!.id)).toMatchObject({ state: 'running', leaseOwner: 'flowd-1', fence: second!.fence, leaseExpiresAt: clock.now() + 60_000 });
        expect(await b.listRuns()).toEqual([]);
        expect(await b.isKeyDone('OrderToSalesOrder', 'SO-1')).toBe(false);
        expect(await b.listDeadLetters({ state: 'all' })).toEqual([]);

        expect(await b.heartbeat(second!.id, 'flowd-1', 60_000)).toBe(true);
        expect(await b.complete(second!.id, 'flowd-1', { outcome: 'done', durationMs: 1, idempotencyKey: { key: 'SO-1', keepMs: 60_000 }, run })).toBe(true);
        expect(await b.getJob(first!.id)).toMatchObject({ state: 'done', fence: null, leaseOwner: null });
        expect(await b.isKeyDone('OrderToSalesOrder', 'SO-1')).toBe(true);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

  describe('clock', () => {
    it('a process whose clock runs an hour ahead keeps the database time: it cannot take a live lease', async () => {
      const s = schema();
      const a = await PostgresStore.open(server.url, { schema: s });
      const ahead = await PostgresStore.open(server.url, { schema: s, processClock: () => Date.now() + 3_600_000 });
      try {
        expect(Math.abs(a.clockOffset)).toBeLessThan(60_000);
        expect(ahead.clockOffset).toBeLessThan(-3_500_000);
        await a.enqueue(orderEvent(1));
        const [job] = await a.lease('a', { leaseMs: 60_000 });
        expect(job).toBeDefined();
        expect(await ahead.lease('ahead', { leaseMs: 60_000 })).toEqual([]);
        expect(await a.complete(job!.id, 'a', { outcome: 'done', durationMs: 1 })).toBe(true);
        // Both stamp the same times.
        await ahead.enqueue(orderEvent(2));
        const j2 = await a.getJob(2);
        expect(Math.abs(j2!.createdAt - Date.now())).toBeLessThan(60_000);
      } finally {
        await a.close();
        await ahead.close();
      }
    });
  });

  describe('migrations', () => {
    it('six stores opening a fresh database at once migrate it once', async () => {
      const s = schema();
      const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresStore.open(server.url, { schema: s, poolSize: 1 })));
      try {
        const rows = await sql(`SELECT version, name FROM ${s}.schema_migrations ORDER BY version`);
        expect(rows).toEqual([{ version: 1, name: 'initial' }, { version: 2, name: 'console' }, { version: 3, name: 'anomaly profiles' }]);
        // All six work on the one schema.
        const results = await Promise.all(stores.map((st) => st.enqueue(orderEvent(1))));
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
        expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
      } finally {
        await Promise.all(stores.map((st) => st.close()));
      }
    });

    it('refuses a database written by a newer schema, naming both versions', async () => {
      const s = schema();
      await (await PostgresStore.open(server.url, { schema: s })).close();
      await sql(`INSERT INTO ${s}.schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)`);
      await expect(PostgresStore.open(server.url, { schema: s })).rejects.toThrow(/schema version 99; this flowd knows up to 3/);
    });

    it('a wrong password or database is a clear error that never shows the password', async () => {
      const bad = server.url.replace(`:${encodeURIComponent(server.password)}@`, ':not-the-password@');
      const err = await PostgresStore.open(bad, { schema: schema() }).then(() => undefined, (e: Error) => e);
      expect(err?.message).toMatch(/cannot open the PostgreSQL store postgres:\/\/connect:\*\*\*@127\.0\.0\.1:\d+\/connect_test .*28P01.*password/);
      expect(err?.message).not.toContain('not-the-password');
      const noDb = await PostgresStore.open(server.url.replace(/\/connect_test$/, '/nope'), { schema: schema() }).then(() => undefined, (e: Error) => e);
      expect(noDb?.message).toMatch(/3D000.*create the database first/);
      expect(noDb?.message).not.toContain(server.password);
      // Nothing listening: the server is named, with what to check.
      const closed = server.url.replace(`:${server.port}/`, ':1/');
      const down = await PostgresStore.open(closed, { schema: schema() }).then(() => undefined, (e: Error) => e);
      expect(down?.message).toMatch(/cannot open the PostgreSQL store postgres:\/\/connect:\*\*\*@127\.0\.0\.1:1\/connect_test \(ECONNREFUSED.*is PostgreSQL running/);
    });
  });

  describe('several stores on one database', () => {
    it('two stores, four workers, 400 jobs: each job leased once and completed by its worker', async () => {
      const s = schema();
      const a = await PostgresStore.open(server.url, { schema: s });
      const b = await PostgresStore.open(server.url, { schema: s });
      try {
        const ids = (await a.enqueueBatch(Array.from({ length: 400 }, (_, i) => orderEvent(i + 1)))).map((r) => r.jobId);
        const leasedBy = new Map<number, string[]>();
        const loop = async (store: PostgresStore, worker: string) => {
          for (;;) {
            const jobs = await store.lease(worker, { leaseMs: 600_000, limit: 1 + (leasedBy.size % 3) });
            if (jobs.length === 0) return;
            for (const j of jobs) leasedBy.set(j.id, [...(leasedBy.get(j.id) ?? []), worker]);
            await new Promise((r) => setImmediate(r));
            for (const j of jobs) expect(await store.complete(j.id, worker, { outcome: 'done', durationMs: 0 })).toBe(true);
          }
        };
        await Promise.all([loop(a, 'a1'), loop(b, 'b1'), loop(a, 'a2'), loop(b, 'b2')]);
        expect([...leasedBy.keys()].sort((x, y) => x - y)).toEqual(ids);
        for (const [id, workers] of leasedBy) expect(workers, `job ${id}`).toHaveLength(1);
        expect(new Set([...leasedBy.values()].flat()).size).toBeGreaterThan(1);
        expect((await b.status()).queueDepth).toBe(0);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

  describe('poll leadership', () => {
    const TTL = 1000;
    /** Asks `store` every 50 ms until it leads `source`; resolves to how long that took. */
    async function untilLeader(store: PostgresStore, source: string, maxMs: number): Promise<number> {
      const t0 = Date.now();
      while (!(await store.leader(source))) {
        if (Date.now() - t0 > maxMs) throw new Error(`${store.leaderId} did not take over ${source} within ${maxMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return Date.now() - t0;
    }
    const leadsLine = (child: Child, pred: (leads: string[]) => boolean, after = 0) =>
      child.waitFor((l, i) => i >= after && pred((JSON.parse(l) as { leads: string[] }).leads));

    it('one leader per source; a closed leader hands over at once', async () => {
      const s = schema();
      const a = await PostgresStore.open(server.url, { schema: s, leaderId: 'A', leaderTtlMs: TTL });
      const b = await PostgresStore.open(server.url, { schema: s, leaderId: 'B', leaderTtlMs: TTL });
      try {
        expect(await a.leader('xcart.orders')).toBe(true);
        expect(await b.leader('xcart.orders')).toBe(false);
        expect(await b.leader('sagepro:InventoryToXCart:InventoryLevel')).toBe(true);
        expect(await a.leader('sagepro:InventoryToXCart:InventoryLevel')).toBe(false);
        // Asked at once by both, a free source gets exactly one leader.
        const both = await Promise.all([a.leader('schedule:Nightly'), b.leader('schedule:Nightly')]);
        expect(both.filter(Boolean)).toHaveLength(1);
        // Holding is renewed in the background: still the leader after several TTLs of silence.
        await new Promise((r) => setTimeout(r, 2.5 * TTL));
        expect(await b.leader('xcart.orders')).toBe(false);
        expect((await b.leaders()).find((l) => l.source === 'xcart.orders')).toMatchObject({ owner: 'A' });
        await a.close();
        expect(await b.leader('xcart.orders')).toBe(true);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('a batch polled under a leadership that was taken over meanwhile writes nothing: no events, watermark or hashes', async () => {
      const s = schema();
      const a = await PostgresStore.open(server.url, { schema: s, leaderId: 'A', leaderTtlMs: TTL });
      const b = await PostgresStore.open(server.url, { schema: s, leaderId: 'B', leaderTtlMs: TTL });
      try {
        expect(await a.leader('xcart.orders')).toBe(true);
        // A's batch while it leads: stored.
        await a.enqueueBatch([orderEvent(1)], { watermark: { name: 'xcart.orders', value: 'w1' }, rowHashes: { scope: 'sc', changes: [{ key: 'k', hash: 'h1' }] }, leader: 'xcart.orders' });
        expect(await a.getWatermark('xcart.orders')).toBe('w1');
        // A stalls: its leadership row expires (as after a pause past the TTL) and B takes over and moves on.
        await sql(`UPDATE ${s}.poll_leaders SET expires_at = 0 WHERE source = 'xcart.orders'`);
        expect(await b.leader('xcart.orders')).toBe(true);
        await b.enqueueBatch([orderEvent(2)], { watermark: { name: 'xcart.orders', value: 'w2' }, leader: 'xcart.orders' });
        // A resumes with the batch it polled before the stall: refused, and nothing of it is written.
        await expect(a.enqueueBatch([orderEvent(3)], { watermark: { name: 'xcart.orders', value: 'w1-stale' }, rowHashes: { scope: 'sc', changes: [{ key: 'k', hash: 'stale' }] }, leader: 'xcart.orders' }))
          .rejects.toThrow(/poll leadership of xcart\.orders lost/);
        expect(await b.getWatermark('xcart.orders')).toBe('w2');
        expect(await b.getRowHash('sc', 'k')).toBe('h1');
        expect((await b.status()).queueDepth).toBe(2);
        // Without `leader` (a push, a replay) a batch is stored whoever leads.
        await a.enqueueBatch([orderEvent(4)]);
        expect((await b.status()).queueDepth).toBe(3);
      } finally { await a.close(); await b.close(); }
    });

    it('is timed by the database clock: a process whose clock runs an hour ahead cannot take a live leadership', async () => {
      const s = schema();
      const a = await PostgresStore.open(server.url, { schema: s, leaderId: 'A', leaderTtlMs: TTL });
      const ahead = await PostgresStore.open(server.url, { schema: s, leaderId: 'AHEAD', leaderTtlMs: TTL, now: () => Date.now() + 3_600_000 });
      try {
        expect(await a.leader('xcart.orders')).toBe(true);
        expect(await ahead.leader('xcart.orders')).toBe(false);
        expect(await a.leader('xcart.orders')).toBe(true);
      } finally {
        await a.close();
        await ahead.close();
      }
    });

    it('a leader killed (SIGKILL) is replaced within the TTL; a paused one (SIGSTOP) is replaced and, resumed, leads nothing', async () => {
      const s = schema();
      await (await PostgresStore.open(server.url, { schema: s })).close();
      const b = await PostgresStore.open(server.url, { schema: s, leaderId: 'B', leaderTtlMs: TTL });
      const children: Child[] = [];
      try {
        const killed = spawnScript('pg-leader-child.ts', [server.url, s, 'A', String(TTL), 'xcart.orders']);
        children.push(killed);
        await leadsLine(killed, (leads) => leads.includes('xcart.orders'));
        expect(await b.leader('xcart.orders')).toBe(false);
        killed.proc.kill('SIGKILL');
        await killed.exited;
        const tookKill = await untilLeader(b, 'xcart.orders', TTL + 3000);
        console.log(`poll leadership: SIGKILLed leader replaced after ${tookKill} ms (TTL ${TTL} ms)`);
        await b.close();

        // A paused leader: C leads, is stopped, D takes over; C resumes and learns it lost.
        const c = spawnScript('pg-leader-child.ts', [server.url, s, 'C', String(TTL), 'sagepro:F:Entity']);
        children.push(c);
        await leadsLine(c, (leads) => leads.includes('sagepro:F:Entity'));
        const d = await PostgresStore.open(server.url, { schema: s, leaderId: 'D', leaderTtlMs: TTL });
        try {
          expect(await d.leader('sagepro:F:Entity')).toBe(false);
          c.proc.kill('SIGSTOP');
          const tookPause = await untilLeader(d, 'sagepro:F:Entity', TTL + 3000);
          console.log(`poll leadership: paused leader replaced after ${tookPause} ms (TTL ${TTL} ms)`);
          const seen = c.lines.length;
          c.proc.kill('SIGCONT');
          await leadsLine(c, (leads) => leads.length === 0, seen);
          expect(await d.leader('sagepro:F:Entity')).toBe(true);
        } finally {
          await d.close();
        }
      } finally {
        for (const ch of children) {
          if (ch.proc.exitCode === null && ch.proc.signalCode === null) { ch.proc.kill('SIGCONT'); ch.proc.kill('SIGKILL'); }
          await ch.exited;
        }
        await b.close();
      }
    });
  });
});

/**
 * E2E 4: the Sage Pro database unavailable for a while, then back; orders placed meanwhile arrive
 * once, after retries. Real faults of the SQLite3 ODBC driver, found by trying (see the report in
 * bench/README.md, "e2e"):
 *   - an open connection does not notice its file being renamed or removed (it keeps the inode), so
 *     a rename alone is no outage for a running flowd;
 *   - a new connection to a missing file silently CREATES an empty database unless the DSN says
 *     `NoCreat=1` (then queries fail with "no such table"); with NoCreat=1 the connect fails with
 *     [HY000] "connect failed" (SQLite code 14, CANTOPEN);
 *   - chmod 000 does not stop root (CI runs as root);
 *   - another process's write transaction makes every writer wait (DSN Timeout) and then fail with
 *     [HY000] "database is locked" (SQLite code 5), which the connector classifies transient.
 *
 * (a) the database locked by another connection for a while (what Sage Pro's own maintenance does
 *     to its files): writes fail "database is locked" → retries → every order once;
 * (b) the database file gone (renamed away, its pooled connections broken by the lock) and back:
 *     connects fail → classified transient → retries → every order once after it returns. (This
 *     test found two connector bugs, now fixed in runtime/connectors/sagepro/odbc.ts: a failed
 *     connect was classified `invalid`, and a failed reconnect leaked its pool slot.)
 *
 * The flows are compiled with a faster retry policy for OrderToSalesOrder (12 tries, 200 ms..2 s).
 */
import fs from 'node:fs';
import path from 'node:path';
import odbc from 'odbc';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, waitFor, type XOrder } from './harness.js';

describe('e2e: Sage Pro database unavailable, then back', () => {
  let flowsDir: string;
  let env: E2E | undefined;
  beforeAll(() => { flowsDir = buildFlows({ fastRetry: true }); });
  afterEach(async () => { await env?.close(); env = undefined; });

  /** Holds the database's write lock from another connection (BEGIN + a write, no commit). */
  const lockDatabase = async (dsn: string) => {
    const locker = await odbc.connect(dsn);
    await locker.beginTransaction();
    await locker.query("UPDATE SYSDATA SET NEXTNO = NEXTNO WHERE NUMKEY LIKE 'SONO%'");
    return { release: async () => { await locker.commit(); await locker.close(); } };
  };

  const settle = async (e: E2E, orders: XOrder[], name: string, expectDone: boolean) => {
    await waitFor('OrderToSalesOrder finished every job (done or dead-lettered)', () => e.openJobs('OrderToSalesOrder') === 0, 150_000, 250);
    const t = await e.tally(orders);
    const runs = await e.runs('OrderToSalesOrder');
    const retries = runs.filter((r) => r.outcome === 'retry');
    const dead = await e.deadLetters('OrderToSalesOrder');
    figures(name, { events: orders.length, sales_orders: t.salesOrders, duplicates: t.duplicates, lost: t.lost, retries: retries.length, dead_letters: dead.length });
    if (expectDone) {
      expect(dead.map((d) => `${d.errorClass}: ${d.reason}`)).toEqual([]);
      expect(t).toMatchObject({ salesOrders: orders.length, duplicates: 0, lost: 0 });
    }
    return { t, retries, dead };
  };

  it('(a) locked by another connection for a while: retries, then every order once', async () => {
    env = await E2E.start({ flowsDir });
    await env.startFlowd();
    const warm = await env.placeOrders(3);
    await waitFor('warm-up orders', async () => (await env!.tally(warm)).lost === 0, 45_000);

    const lock = await lockDatabase(env.dsn);
    let orders: XOrder[];
    try {
      orders = await env.placeOrders(12, { start: 100 });
      // Hold the lock until several attempts have failed on it.
      await waitFor('retries on the locked database', async () =>
        (await env!.runs('OrderToSalesOrder')).filter((r) => r.outcome === 'retry' && /database is locked/.test(r.error ?? '')).length >= 3, 90_000, 250);
      expect((await env.tally(orders)).salesOrders).toBe(0);
    } finally {
      await lock.release();
    }
    const { retries } = await settle(env, [...warm, ...orders], 'e2e-sagepro-locked', true);
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(retries.every((r) => r.errorClass === 'transient')).toBe(true);
  }, 180_000);

  it('(b) database file gone, then back: retries, then every order once', async () => {
    // NoCreat=1: without it the driver would create an empty database at the path (→ "no such table").
    // flowd runs as a child process: with the pool-slot leak it hangs for good, and is killed at the end.
    env = await E2E.start({ flowsDir, dsnExtra: ';NoCreat=1' });
    await env.startFlowd({ child: true });
    const e = env;
    const warm = await e.placeOrders(2);
    await waitFor('warm-up orders', async () => (await e.tally(warm)).lost === 0, 45_000);

    const file = path.join(e.dir, 'sagepro.db');
    const away = path.join(e.dir, 'sagepro.db.away');
    const lock = await lockDatabase(e.dsn);   // breaks the pooled connections (they fail and are dropped)
    fs.renameSync(file, away);                // ... and new ones cannot open the file
    let orders: XOrder[] = [];
    const notDone = async () => (await e.runs('OrderToSalesOrder')).filter((r) => r.outcome !== 'done');
    try {
      orders = await e.placeOrders(6, { start: 200 });
      await waitFor('failed attempts while the database is gone', async () => (await notDone()).length >= 3, 40_000, 250).catch(() => undefined);
    } finally {
      fs.renameSync(away, file);
      await lock.release();
    }
    const all = [...warm, ...orders];
    // Fail fast: stop waiting at the first dead letter (the classification bug) or after 60 s (the hang).
    await waitFor('every order, or a dead letter', async () => (await e.tally(all)).lost === 0 || (await e.deadLetters('OrderToSalesOrder')).length > 0, 60_000, 250).catch(() => undefined);
    const t = await e.tally(all);
    const runs = await e.runs('OrderToSalesOrder');
    const dead = await e.deadLetters('OrderToSalesOrder');
    const retries = runs.filter((r) => r.outcome === 'retry');
    figures('e2e-sagepro-file-gone', { events: all.length, sales_orders: t.salesOrders, duplicates: t.duplicates, lost: t.lost, retries: retries.length, dead_letters: dead.length });
    if (dead.length) console.log(`e2e-sagepro-file-gone: dead-lettered: ${dead.map((d) => `${d.errorClass}: ${d.reason}`).join(' | ')}`);
    expect(dead.map((d) => `${d.errorClass}: ${d.reason}`)).toEqual([]);
    expect(t).toMatchObject({ salesOrders: all.length, duplicates: 0, lost: 0 });
  }, 180_000);
});

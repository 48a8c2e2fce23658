/**
 * The store's WAL on an idle flowd (issue 11): a poll that finds nothing new writes nothing (the
 * X-Cart poller hands the same watermark back every second), and the -wal file is cut back after
 * a checkpoint, so a burst does not leave it large. Real files, the real SQLite.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROBE_COMMIT_MS, SqliteStore, WAL_SIZE_LIMIT_BYTES } from './sqlite-store.js';
import { Clock, orderEvent, tempDir } from './test-support/helpers.js';

describe('SqliteStore WAL', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteStore;
  const clock = new Clock();
  const wal = () => fs.statSync(`${tmp.file()}-wal`).size;

  beforeEach(() => { tmp = tempDir('flowd-wal-'); store = SqliteStore.open(tmp.file(), { now: clock.now }); });
  afterEach(async () => { await store.close(); tmp.cleanup(); });

  it('an empty poll handing back the same watermark writes nothing; a new value is written', async () => {
    const value = JSON.stringify({ since: '2026-12-01T00:00:00Z', seen: [100013, 100014] });
    await store.enqueueBatch([], { watermark: { name: 'xcart.orders', value } });
    const before = wal();
    for (let i = 0; i < 30; i++) await store.enqueueBatch([], { watermark: { name: 'xcart.orders', value } });
    for (let i = 0; i < 30; i++) await store.setWatermark('xcart.orders', value);
    expect(wal()).toBe(before);
    const next = JSON.stringify({ since: '2026-12-01T00:00:05Z', seen: [] });
    await store.enqueueBatch([], { watermark: { name: 'xcart.orders', value: next } });
    expect(await store.getWatermark('xcart.orders')).toBe(next);
    expect(wal()).toBeGreaterThan(before);
  });

  it('the health probe flowd runs every second commits once a minute, not every second', async () => {
    expect(store.probeWrite()).toBeUndefined();
    const start = clock.t;
    const before = wal();
    // Two minutes of probes, one a second.
    for (let i = 0; i < 120; i++) { clock.advance(1000); expect(store.probeWrite()).toBeUndefined(); }
    const grown = wal() - before;
    console.log(`store WAL: ${grown} bytes for 120 health probes (commits every ${PROBE_COMMIT_MS / 1000} s)`);
    // At most two commits of one page each (4 KiB page + 24-byte frame header), not 120.
    expect(grown).toBeLessThanOrEqual(2 * (4096 + 24));
    // The committed probes are the ones at 60 s and 120 s.
    expect(await store.getMeta('health.probe')).toBe(String(start + 2 * PROBE_COMMIT_MS));
  });

  it('after a burst larger than the limit, the next checkpoint cuts the -wal file back to the limit', async () => {
    const payload = { note: 'x'.repeat(4000) };
    // One transaction of about 12 MB of WAL.
    await store.enqueueBatch(Array.from({ length: 3000 }, (_, i) => ({ ...orderEvent(i), payload })));
    const peak = wal();
    expect(peak).toBeGreaterThan(2 * WAL_SIZE_LIMIT_BYTES);
    // Ordinary small writes afterwards: the autocheckpoint completes and the log restarts.
    for (let i = 0; i < 5; i++) await store.setWatermark('w', String(i));
    console.log(`store WAL: ${(peak / 1048576).toFixed(1)} MB after the burst, ${(wal() / 1048576).toFixed(2)} MB after the next writes (limit ${WAL_SIZE_LIMIT_BYTES / 1048576} MB)`);
    expect(wal()).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
  });
});

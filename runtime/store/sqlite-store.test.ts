/**
 * What only SqliteStore does: its file, pragmas and schema version, the synchronous row-hash
 * lookup, integrity_check. The Store contract itself runs in sqlite-store.contract.test.ts (the
 * same suite as PostgreSQL's, store.contract.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './sqlite-driver.js';
import { SqliteStore } from './sqlite-store.js';
import { Clock, orderEvent, tempDir } from './test-support/helpers.js';

let tmp: ReturnType<typeof tempDir>;
let clock: Clock;
let store: SqliteStore;

beforeEach(() => {
  tmp = tempDir();
  clock = new Clock();
  store = SqliteStore.open(tmp.file(), { now: clock.now });
});

afterEach(async () => {
  await store.close();
  tmp.cleanup();
});

describe('open', () => {
  it('creates the schema with a migrations table, WAL and synchronous=NORMAL (FULL for enqueues)', async () => {
    const db = openDatabase(tmp.file(), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const versions = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      expect(versions).toEqual([{ version: 1, name: 'initial' }, { version: 2, name: 'console' }, { version: 3, name: 'anomaly profiles' }]);
      expect(SqliteStore.schemaVersion).toBe(3);
    } finally {
      db.close();
    }
    // synchronous and busy_timeout are per connection.
    expect(store.settings()).toEqual({ journalMode: 'wal', synchronous: 'NORMAL', busyTimeoutMs: 5000, schemaVersion: 3 });
    const again = SqliteStore.open(tmp.file(), { now: clock.now, busyTimeoutMs: 1234 });
    expect(again.settings()).toMatchObject({ synchronous: 'NORMAL', busyTimeoutMs: 1234 });
    expect(again.checkIntegrity()).toEqual([]);
    await again.close();
  });

  it('refuses a database written by a newer schema', async () => {
    await store.close();
    const db = openDatabase(tmp.file());
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, 0)').run('future');
    db.close();
    expect(() => SqliteStore.open(tmp.file())).toThrow(/schema version 99/);
    store = SqliteStore.open(tmp.file('other.db'), { now: clock.now });
  });
});

describe('SQLite extras', () => {
  it('getRowHashSync reads what applyRowHashes wrote', async () => {
    await store.applyRowHashes('sagepro.ICITEM', [{ key: 'A', hash: 'h1' }, { key: 'B', hash: 'h2' }, { key: 'A', hash: null }]);
    expect(store.getRowHashSync('sagepro.ICITEM', 'B')).toBe('h2');
    expect(store.getRowHashSync('sagepro.ICITEM', 'A')).toBeUndefined();
  });

  it('is consistent (integrity_check, foreign keys, invariants) after dead letters and a reopen', async () => {
    await store.enqueue(orderEvent(1));
    const [j] = await store.lease('w', { leaseMs: 5000 });
    await store.deadLetter(j!.id, 'w', { error: 'bad', errorClass: 'invalid', flowVersion: 'v1' });
    await store.close();
    expect(store.isOpen).toBe(false);
    store = SqliteStore.open(tmp.file(), { now: clock.now });
    expect(store.checkIntegrity()).toEqual([]);
  });
});

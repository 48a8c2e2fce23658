/**
 * The store refuses to acknowledge into a file that is no longer the one at its path (README §11):
 * deleted, or replaced by another file, while open. Real files; the other file is a real store.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { StoreError } from './store.js';
import { orderEvent, tempDir } from './test-support/helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir('flowd-identity-'); });
afterEach(() => tmp.cleanup());

describe('SqliteStore: the file at the path is the file written', () => {
  it('deleted while open: fileProblem and probeWrite say so, enqueue and enqueueBatch reject and nothing is acknowledged', async () => {
    const file = tmp.file('flowd.db');
    const store = SqliteStore.open(file);
    try {
      expect(store.fileProblem()).toBeUndefined();
      expect(store.probeWrite()).toBeUndefined();
      await store.enqueue(orderEvent(1));
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
      expect(store.fileProblem()).toBe(`store file ${file} was deleted while open`);
      expect(store.probeWrite()).toContain('was deleted while open');
      await expect(store.enqueue(orderEvent(2))).rejects.toThrow(StoreError);
      await expect(store.enqueueBatch([orderEvent(3)])).rejects.toThrow(/was deleted while open: not accepting events/);
    } finally { await store.close(); }
  });

  it('replaced by another store file: refused, and the other file is left alone', async () => {
    const file = tmp.file('flowd.db');
    const store = SqliteStore.open(file);
    try {
      await store.enqueue(orderEvent(1));
      fs.renameSync(file, tmp.file('moved-away.db'));
      await SqliteStore.open(file).close();
      expect(store.fileProblem()).toMatch(/was replaced by another file while open \(inode \d+ open, \d+ at the path\)/);
      await expect(store.enqueue(orderEvent(2))).rejects.toThrow(/replaced by another file/);
      const other = SqliteStore.open(file);
      try { expect((await other.status()).queueDepth).toBe(0); } finally { await other.close(); }
    } finally { await store.close(); }
  });
});

/** The Store contract (store.contract.ts) on SqliteStore: one temp file per test. */
import { SqliteStore } from './sqlite-store.js';
import { storeContract } from './store.contract.js';
import { tempDir } from './test-support/helpers.js';

let tmp: ReturnType<typeof tempDir> | undefined;

storeContract('sqlite', {
  async fresh(clock) {
    tmp = tempDir();
    return SqliteStore.open(tmp.file(), { now: clock.now });
  },
  async reopen(store, clock) {
    await store.close();
    return SqliteStore.open((store as SqliteStore).file, { now: clock.now });
  },
  async checkConsistent(store) {
    const problems = (store as SqliteStore).checkIntegrity();
    if (problems.length) throw new Error(`store not consistent: ${problems.join('; ')}`);
  },
  async cleanup() {
    tmp?.cleanup();
    tmp = undefined;
  },
});

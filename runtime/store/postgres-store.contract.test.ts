/**
 * The Store contract (store.contract.ts) on PostgresStore: one throwaway PostgreSQL server for the
 * file (test/support/postgres.ts), one fresh schema per test (so ids start at 1 in each).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { postgresServerAvailable, startPostgres, type StartedPostgres } from '../../test/support/postgres.js';
import { PostgresStore } from './postgres-store.js';
import { storeContract } from './store.contract.js';

let server: StartedPostgres;
let n = 0;

describe.skipIf(!postgresServerAvailable())('PostgresStore', () => {
  beforeAll(async () => { server = await startPostgres(); });
  afterAll(async () => { await server?.stop(); });

  storeContract('postgres', {
    async fresh(clock) {
      return PostgresStore.open(server.url, { now: clock.now, schema: `contract_${++n}` });
    },
    async reopen(store, clock) {
      await store.close();
      return PostgresStore.open(server.url, { now: clock.now, schema: (store as PostgresStore).schema });
    },
  });
});

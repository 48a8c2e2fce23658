/**
 * The anomaly detector's part of the store (runtime/anomaly/): each flow's profile as additive bin
 * counts, one row per (flow, metric, bin). `addProfileCounts` is one statement whatever the number
 * of rows (SQLite: a JSON array through json_each; PostgreSQL: arrays through unnest) and adds to
 * what is there, so several flowd processes on one database merge their counts without reading
 * them first and no process overwrites another's.
 */
import type { SqlExec } from './console-tables.js';
import { StoreError, type AnomalyCount, type AnomalyStore } from './store.js';

export type Dialect = 'sqlite' | 'postgres';

export function anomalyTablesSql(real: string, time: string, withoutRowid = ''): string {
  return `
CREATE TABLE anomaly_profile (
  flow       TEXT    NOT NULL,
  metric     TEXT    NOT NULL,
  bin        INTEGER NOT NULL,
  n          ${real} NOT NULL,
  changed_at ${time} NOT NULL,
  PRIMARY KEY (flow, metric, bin)
)${withoutRowid};
`;
}

const UPSERT = 'ON CONFLICT (flow, metric, bin) DO UPDATE SET n = anomaly_profile.n + excluded.n, changed_at = excluded.changed_at';
const ADD_SQL: Record<Dialect, string> = {
  sqlite: `INSERT INTO anomaly_profile (flow, metric, bin, n, changed_at)
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), ? FROM json_each(?) WHERE true ${UPSERT}`,
  postgres: `INSERT INTO anomaly_profile (flow, metric, bin, n, changed_at)
    SELECT f, m, b, n, ? FROM unnest(?::text[], ?::text[], ?::int[], ?::float8[]) AS t (f, m, b, n) ${UPSERT}`,
};

export class AnomalyTables implements AnomalyStore {
  constructor(private readonly x: SqlExec, private readonly now: () => number, private readonly dialect: Dialect) {}

  async loadProfile(flow: string): Promise<{ metric: string; bin: number; n: number }[]> {
    const rows = await this.x.all<{ metric: string; bin: number; n: number }>('SELECT metric, bin, n FROM anomaly_profile WHERE flow = ?', [flow]);
    return rows.map((r) => ({ metric: r.metric, bin: Number(r.bin), n: Number(r.n) }));
  }

  async addProfileCounts(rows: readonly AnomalyCount[]): Promise<void> {
    // One row per key (PostgreSQL refuses to update a row twice in one statement).
    const sum = new Map<string, [string, string, number, number]>();
    rows.forEach((r, i) => {
      if (typeof r.flow !== 'string' || !r.flow) throw new StoreError(`addProfileCounts: row ${i}: flow must be a non-empty string`);
      if (typeof r.metric !== 'string' || !r.metric || r.metric.length > 1000) throw new StoreError(`addProfileCounts: row ${i}: metric must be a string of 1-1000 characters`);
      if (!Number.isInteger(r.bin) || Math.abs(r.bin) > 2 ** 31 - 1) throw new StoreError(`addProfileCounts: row ${i}: bin must be a 32-bit integer, not ${String(r.bin)}`);
      if (typeof r.n !== 'number' || !Number.isFinite(r.n)) throw new StoreError(`addProfileCounts: row ${i}: n must be a finite number, not ${String(r.n)}`);
      const k = JSON.stringify([r.flow, r.metric, r.bin]);
      const had = sum.get(k);
      if (had) had[3] += r.n; else sum.set(k, [r.flow, r.metric, r.bin, r.n]);
    });
    if (sum.size === 0) return;
    const all = [...sum.values()];
    if (this.dialect === 'sqlite') await this.x.run(ADD_SQL.sqlite, [this.now(), JSON.stringify(all)]);
    else await this.x.run(ADD_SQL.postgres, [this.now(), all.map((r) => r[0]), all.map((r) => r[1]), all.map((r) => r[2]), all.map((r) => r[3])]);
  }
}

/**
 * The raw ceiling of the Sage Pro write (bench/e2e.bench.ts, issue 11 item 2): record the exact
 * statements the connector sends for each order (runtime/connectors/sagepro/odbc.ts
 * `recordStatements`), then send the same statements, same parameters, same transaction
 * boundaries, straight through the same ODBC driver on a fresh copy of the database, one
 * transaction per order. What is left between the two is the connector's own work.
 */
import odbc from 'odbc';
import { recordStatements, type Param, type StatementEvent } from '../runtime/connectors/sagepro/odbc.js';

/** One step of an order as the driver saw it. */
export type Step = { kind: 'statement'; sql: string; params: Param[] } | { kind: 'begin' | 'commit' | 'rollback' };

/** The steps of one call (e.g. one createSalesOrder), in order. */
export interface Recording { steps: Step[] }

/**
 * Runs `fn` with statements recorded; returns its result and what it sent. Only one recorder
 * exists per process, so `fn` must be the only database user meanwhile (run it alone).
 */
export async function recorded<T>(fn: () => Promise<T>): Promise<{ result: T; recording: Recording }> {
  const steps: Step[] = [];
  const stop = recordStatements((e: StatementEvent) => {
    steps.push(e.kind === 'statement' ? { kind: 'statement', sql: e.sql, params: [...e.params] } : { kind: e.kind });
  });
  try {
    const result = await fn();
    return { result, recording: { steps } };
  } finally { stop(); }
}

export function statementCount(r: Recording): number {
  return r.steps.filter((s) => s.kind === 'statement').length;
}

/** Counts of one recording, for the bench's line: statements by verb, transactions. */
export function describeRecording(r: Recording): string {
  const verbs = new Map<string, number>();
  for (const s of r.steps) if (s.kind === 'statement') { const v = /^\s*(\w+)/.exec(s.sql)?.[1]?.toUpperCase() ?? '?'; verbs.set(v, (verbs.get(v) ?? 0) + 1); }
  const tx = r.steps.filter((s) => s.kind === 'begin').length;
  return `${statementCount(r)} statements (${[...verbs].map(([v, n]) => `${n} ${v}`).join(', ')}) in ${tx} transaction${tx === 1 ? '' : 's'}`;
}

/**
 * Sends one recording through `conn`: the statements between a begin and its commit in one
 * transaction (a recorded rollback rolls back), statements outside any in autocommit. A statement
 * that fails rolls its transaction back and throws, naming the step and the statement.
 */
export async function replay(conn: odbc.Connection, r: Recording): Promise<void> {
  let inTx = false;
  for (let i = 0; i < r.steps.length; i++) {
    const s = r.steps[i]!;
    if (s.kind !== 'statement') {
      if (s.kind === 'begin') await conn.beginTransaction(); else if (s.kind === 'commit') await conn.commit(); else await conn.rollback();
      inTx = s.kind === 'begin';
      continue;
    }
    try {
      if (s.params.length) await conn.query(s.sql, s.params as (string | number)[]); else await conn.query(s.sql);
    } catch (e) {
      if (inTx) await conn.rollback().catch(() => undefined);
      const detail = (e as { odbcErrors?: { message?: string }[] }).odbcErrors?.map((x) => x.message).join('; ') ?? (e as Error).message;
      throw new Error(`replay step ${i + 1} of ${r.steps.length} failed (${s.sql.slice(0, 80)}): ${detail}`);
    }
  }
  if (inTx) await conn.commit();
}

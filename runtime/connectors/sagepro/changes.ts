/**
 * Change detection by row hashes: stream a table (or query) through an ODBC cursor, hash each row
 * per key, and yield only keys whose hash differs from the caller's previous hash (new or changed),
 * then the keys the caller knew that are gone (deleted). Rows are never all in memory: they are
 * fetched `fetchSize` at a time; only the set of keys seen is kept, to find deleted ones.
 * The caller (the runtime's store) persists the hashes it gets back.
 */
import { createHash } from 'node:crypto';
import type { Param, Row, Session } from './odbc.js';

export type ChangeKind = 'added' | 'changed' | 'deleted';

export interface RowChange<T = Record<string, unknown>> {
  key: string;
  change: ChangeKind;
  /** New hash to store; null for a deleted key. */
  hash: string | null;
  /** The row in logical form; null for a deleted key. */
  row: T | null;
}

/** What the caller knows from the previous pass. A bare function is enough when deletions do not matter. */
export type PreviousHashes =
  | ((key: string) => string | undefined)
  | { get(key: string): string | undefined; keys?(): Iterable<string> | AsyncIterable<string> };

export interface ChangeQuery<T> {
  sql: string;
  params?: Param[];
  /** The row's key, as a string (e.g. trimmed key columns joined with '|'). */
  key(row: Row): string;
  /** The logical row that is hashed and returned (default: the raw row). */
  project?(row: Row): T;
}

/** Stable JSON (sorted object keys) so equal rows hash equally. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
}

export function rowHash(v: unknown): string {
  return createHash('sha256').update(stableJson(v)).digest('hex').slice(0, 32);
}

export async function* changedRows<T = Row>(
  session: Session,
  query: ChangeQuery<T>,
  previous: PreviousHashes,
  opts: { fetchSize?: number } = {},
): AsyncGenerator<RowChange<T>> {
  const get = typeof previous === 'function' ? previous : (k: string) => previous.get(k);
  const seen = new Set<string>();
  for await (const batch of session.stream(query.sql, query.params ?? [], opts.fetchSize ?? 1000)) {
    for (const raw of batch) {
      const key = query.key(raw);
      seen.add(key);
      const row = query.project ? query.project(raw) : (raw as unknown as T);
      const hash = rowHash(row);
      const before = get(key);
      if (before === hash) continue;
      yield { key, change: before === undefined ? 'added' : 'changed', hash, row };
    }
  }
  if (typeof previous !== 'function' && previous.keys) {
    for await (const key of previous.keys() as AsyncIterable<string>) {
      if (!seen.has(key)) yield { key, change: 'deleted', hash: null, row: null };
    }
  }
}

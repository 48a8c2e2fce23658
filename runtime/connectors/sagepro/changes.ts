/**
 * Change detection by row hashes: stream a table (or query) through an ODBC cursor, hash each row
 * per key, and yield only keys whose hash differs from the caller's previous hash (new or changed),
 * then the keys the caller knew that are gone (deleted). Rows are never all in memory: they are
 * fetched `fetchSize` at a time.
 *
 * Two ways to say what was there before:
 * - a `RowHashIndex` (what flowd's poller keeps per scope): besides the stored hash it remembers a
 *   cheap fingerprint of each row's raw column values, so an unchanged row costs a key, a
 *   fingerprint and a map look-up (no decoding, no JSON, no SHA-256), and deleted keys are found by
 *   marking the entries seen (no set of every key);
 * - a bare function or `{ get, keys? }` (tests, one-off scans): every row is decoded and hashed,
 *   and the keys seen are kept to find deleted ones.
 * The caller (the runtime's store) persists the hashes it gets back; the index is updated by the
 * caller only after that commit (`RowHashIndex.apply`).
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
  /** Fingerprint of the raw row (`rowFingerprint`), for `RowHashIndex.apply`; absent for a deleted key. */
  fingerprint?: number;
}

/** What the caller knows from the previous pass. A bare function is enough when deletions do not matter. */
export type PreviousHashes =
  | ((key: string) => string | undefined)
  | { get(key: string): string | undefined; keys?(): Iterable<string> | AsyncIterable<string> }
  | RowHashIndex;

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

/** The stored hash of a logical row (unchanged format: hashes kept by earlier versions stay valid). */
export function rowHash(v: unknown): string {
  return createHash('sha256').update(stableJson(v)).digest('hex').slice(0, 32);
}

/**
 * A 53-bit fingerprint of a raw row's values in column order (cyrb53 over the values' text, each
 * followed by a separator, null distinct from ''). Equal raw values give equal fingerprints; it only
 * decides whether a row needs decoding and hashing, the stored hash stays the SHA-256 of `rowHash`.
 */
export function rowFingerprint(raw: Row): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const k in raw) {
    const v = raw[k];
    const s = v === null || v === undefined ? '\u0000' : typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ 1, 2654435761);
    h2 = Math.imul(h2 ^ 1, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** No fingerprint known yet (an entry loaded from the store): the row is hashed once to learn it. */
const NO_FINGERPRINT = -1;

/**
 * The hashes of one scope as the store holds them, kept in memory between polls so a poll does not
 * re-read the whole scope from the store, plus each row's raw fingerprint. Built once from the
 * store (`from`), then kept in step with what the caller commits (`apply`). If another process
 * commits to the same scope the index may lag: a row it already delivered is then found changed
 * once more here, and its event dedupes in the store (the dedupe key is the row's hash).
 *
 * Compact: a key maps to a slot; fingerprints and scan marks are typed arrays, and a stored hash is
 * kept only until the row's fingerprint is learnt (afterwards the fingerprint decides; a row whose
 * fingerprint changed while its logical row did not yields an event with the hash it already had,
 * which dedupes in the store).
 */
export class RowHashIndex {
  private readonly slots = new Map<string, number>();
  private hashes: (string | undefined)[] = [];
  private fps = new Float64Array(1024);
  private gens = new Uint32Array(1024);
  private free: number[] = [];
  private next = 0;
  private gen = 0;

  static from(hashes: Iterable<readonly [string, string]>): RowHashIndex {
    const ix = new RowHashIndex();
    for (const [k, h] of hashes) ix.set(k, h, NO_FINGERPRINT);
    return ix;
  }

  get size(): number { return this.slots.size; }
  /** The stored hash while the fingerprint is not known yet; '' (known, not kept) afterwards. */
  get(key: string): string | undefined {
    const s = this.slots.get(key);
    return s === undefined ? undefined : this.hashes[s] ?? '';
  }
  keys(): IterableIterator<string> { return this.slots.keys(); }

  /** Applies committed changes (`hash: null` removes the key). */
  apply(changes: readonly { key: string; hash: string | null; fingerprint?: number }[]): void {
    for (const c of changes) {
      if (c.hash === null) { this.remove(c.key); continue; }
      this.set(c.key, c.hash, c.fingerprint ?? NO_FINGERPRINT);
    }
  }

  private set(key: string, hash: string, fp: number): void {
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.free.pop() ?? this.next++;
      if (s >= this.fps.length) this.grow();
      this.slots.set(key, s);
    }
    this.fps[s] = fp;
    this.gens[s] = this.gen;
    this.hashes[s] = fp === NO_FINGERPRINT ? hash : undefined;
  }

  private remove(key: string): void {
    const s = this.slots.get(key);
    if (s === undefined) return;
    this.slots.delete(key);
    this.hashes[s] = undefined;
    this.free.push(s);
  }

  private grow(): void {
    const fps = new Float64Array(this.fps.length * 2); fps.set(this.fps); this.fps = fps;
    const gens = new Uint32Array(this.gens.length * 2); gens.set(this.gens); this.gens = gens;
  }

  /** @internal changedRows: starts a scan; slots not marked with the returned generation were not seen. */
  beginScan(): number { this.gen = (this.gen + 1) >>> 0 || 1; return this.gen; }
  /** @internal */
  slot(key: string): number | undefined { return this.slots.get(key); }
  /** @internal marks a slot seen in `gen`; true when it was not marked yet. */
  mark(s: number, gen: number): boolean { if (this.gens[s] === gen) return false; this.gens[s] = gen; return true; }
  /** @internal */
  fingerprint(s: number): number { return this.fps[s]!; }
  /** @internal the stored hash of a slot whose fingerprint is not known yet. */
  storedHash(s: number): string | undefined { return this.hashes[s]; }
  /** @internal the row is unchanged: keep its fingerprint, drop the stored hash. */
  learn(s: number, fp: number): void { this.fps[s] = fp; this.hashes[s] = undefined; }
  /** @internal keys not seen in scan `gen`. */
  unseen(gen: number): string[] {
    const out: string[] = [];
    for (const [k, s] of this.slots) if (this.gens[s] !== gen) out.push(k);
    return out;
  }
}

/** Rows with upper-cased keys, copied only when the driver did not answer in upper case already. */
function upperRow(r: Row): Row {
  const o: Row = {};
  for (const k in r) o[k.toUpperCase()] = r[k];
  return o;
}

/** Streams raw batches from the session's connection (the session's own stream copies every row). */
async function* rawBatches(session: Session, sql: string, params: Param[], fetchSize: number): AsyncGenerator<Row[]> {
  const conn = session.conn;
  const cursor = params.length
    ? await conn.query(sql, params, { cursor: true, fetchSize })
    : await conn.query(sql, { cursor: true, fetchSize });
  try {
    while (!cursor.noData) {
      const batch = await cursor.fetch<Row>();
      if (batch.length) yield batch as unknown as Row[];
    }
  } finally {
    await cursor.close();
  }
}

export async function* changedRows<T = Row>(
  session: Session,
  query: ChangeQuery<T>,
  previous: PreviousHashes,
  opts: { fetchSize?: number } = {},
): AsyncGenerator<RowChange<T>> {
  if (previous instanceof RowHashIndex) {
    yield* changedRowsIndexed(session, query, previous, opts.fetchSize ?? 1000);
    return;
  }
  const get = typeof previous === 'function' ? previous : (k: string) => previous.get(k);
  const keys = typeof previous === 'function' ? undefined : previous.keys?.bind(previous);
  const seen = keys ? new Set<string>() : undefined;
  for await (const batch of session.stream(query.sql, query.params ?? [], opts.fetchSize ?? 1000)) {
    for (const raw of batch) {
      const key = query.key(raw);
      seen?.add(key);
      const row = query.project ? query.project(raw) : (raw as unknown as T);
      const hash = rowHash(row);
      const before = get(key);
      if (before === hash) continue;
      yield { key, change: before === undefined ? 'added' : 'changed', hash, row };
    }
  }
  if (keys && seen) {
    for await (const key of keys() as AsyncIterable<string>) {
      if (!seen.has(key)) yield { key, change: 'deleted', hash: null, row: null };
    }
  }
}

async function* changedRowsIndexed<T>(session: Session, query: ChangeQuery<T>, index: RowHashIndex, fetchSize: number): AsyncGenerator<RowChange<T>> {
  const gen = index.beginScan();
  let matched = 0;
  let upper: boolean | undefined;
  for await (const batch of rawBatches(session, query.sql, query.params ?? [], fetchSize)) {
    if (upper === undefined) upper = Object.keys(batch[0]!).every((k) => k === k.toUpperCase());
    for (const raw of batch) {
      const r = upper ? raw : upperRow(raw);
      const key = query.key(r);
      const fp = rowFingerprint(raw);
      const s = index.slot(key);
      if (s !== undefined) {
        if (index.mark(s, gen)) matched++;
        if (index.fingerprint(s) === fp) continue;
      }
      const row = query.project ? query.project(r) : (r as unknown as T);
      const hash = rowHash(row);
      if (s !== undefined && index.storedHash(s) === hash) { index.learn(s, fp); continue; } // unchanged
      yield { key, change: s !== undefined ? 'changed' : 'added', hash, row, fingerprint: fp };
    }
  }
  // Every known key was seen: nothing was deleted (no pass over the index).
  if (matched === index.size) return;
  for (const key of index.unseen(gen)) yield { key, change: 'deleted', hash: null, row: null };
}

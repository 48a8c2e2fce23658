/**
 * The schema cache: the checker types that `loadSchemas` (load-schemas.ts) made from a set of schema
 * files, kept in a file so that the next `flowc check` skips YAML with positions and ajv (meta-schema
 * validation and the compile of every schema, ~1 s of a 0.4 s budget) when nothing changed.
 *
 * - Key: SHA-256 of the cache format, the loader's own code (load-schemas, this file, types), the
 *   error classes of the vocabulary (the catalogs are checked against them), the folder the file
 *   names are shown relative to, and the path and bytes of every schema file read. Any edit to a
 *   schema, a new or removed file, or a new compiler misses.
 * - Only a clean load is stored (no diagnostics): a schema with errors is loaded, validated and
 *   reported in full every time, with its positions.
 * - Where: flowc's cache folder (grammar/cache-dir.ts: `$CONNECT_CACHE_DIR`, else
 *   `<os tmpdir>/connect-cache-<uid>`; `CONNECT_CACHE=0` turns it off), one file per key,
 *   `schemas-<key>.json`. A cache that cannot be read or written is ignored (the load is only
 *   slower); it never changes a result.
 * - Format: JSON. Entity types are a table by key (`xcart.Order`) and are referenced from other
 *   types as `{ "$e": key }`, so cyclic `$ref`s survive; Maps are arrays of pairs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readCacheEntry, writeCacheEntry } from '../../grammar/cache-dir.js';
import { ANY, prim, type EntityType, type Field, type Type } from './types.js';

/** Bump when the cached format changes in a way the code hash would not show. */
const FORMAT = 'connect-schema-cache/1';

let codeHash: string | undefined;
/** Hash of the code that makes a SchemaSet: a changed loader never reads an older loader's cache. */
function loaderCodeHash(): string {
  if (codeHash) return codeHash;
  const h = createHash('sha256').update(FORMAT);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const ext = path.extname(fileURLToPath(import.meta.url));
  for (const f of ['load-schemas', 'schema-cache', 'types']) {
    try { h.update(fs.readFileSync(path.join(here, f + ext))); } catch { h.update(`(no ${f})`); }
  }
  return (codeHash = h.digest('hex'));
}

/** The cache key of one load: the files' paths and bytes (`files`, in reading order) and what else shapes the result. */
export function cacheKey(files: readonly { file: string; text: string }[], displayBase: string, errorClasses: readonly string[]): string {
  const h = createHash('sha256').update(loaderCodeHash()).update('\0').update(path.resolve(displayBase)).update('\0').update(errorClasses.join(',')).update('\0');
  for (const f of files) h.update(f.file).update('\0').update(f.text).update('\0');
  return h.digest('hex');
}

/** What is cached: everything of a SchemaSet except the sources (read anyway to make the key). */
export interface CachedSchemas {
  readonly entities: ReadonlyMap<string, EntityType>;
  readonly operations: ReadonlyMap<string, unknown>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The table key of an entity type (or of the entity a nullable copy was made from). */
type EntityKey = (e: EntityType) => string | undefined;

function encodeType(t: Type, entities: EntityKey): Json {
  if (t.kind === 'entity') {
    const key = entities(t);
    if (key === undefined) throw new Error(`schema cache: entity ${t.system}.${t.name} is not in the entity table`);
    // An entity made nullable by `withNullable` is a copy: keep the flag beside the reference.
    return { $e: key, n: t.nullable };
  }
  const o: Record<string, Json> = {};
  for (const [k, v] of Object.entries(t)) {
    if (v === undefined) continue;
    if (k === 'fields') o[k] = encodeFields(v as Map<string, Field>, entities);
    else if (k === 'element' || k === 'param' || k === 'result') o[k] = encodeType(v as Type, entities);
    else o[k] = v as Json;
  }
  return o;
}

function encodeFields(fields: ReadonlyMap<string, Field>, entities: EntityKey): Json {
  return [...fields.values()].map((f) => {
    const o: Record<string, Json> = {};
    for (const [k, v] of Object.entries(f)) {
      if (v === undefined) continue;
      o[k] = k === 'type' ? encodeType(v as Type, entities) : (v as Json);
    }
    return o;
  });
}

export function encodeSchemas(s: CachedSchemas): string {
  const byObject = new Map<EntityType, string>();
  for (const [key, e] of s.entities) byObject.set(e, key);
  // Copies made by withNullable(entity, true) are not in the table: find them by system and name.
  const byName = new Map<string, string>();
  for (const [key, e] of s.entities) byName.set(`${e.system}.${e.name}`, key);
  const lookup: EntityKey = (e) => byObject.get(e) ?? byName.get(`${e.system}.${e.name}`);
  const entities: Json[] = [];
  for (const [key, e] of s.entities) {
    const o: Record<string, Json> = {};
    for (const [k, v] of Object.entries(e)) {
      if (v === undefined) continue;
      o[k] = k === 'fields' ? encodeFields(v as Map<string, Field>, lookup) : (v as Json);
    }
    entities.push([key, o]);
  }
  const operations: Json[] = [];
  for (const [key, op] of s.operations) {
    const o: Record<string, Json> = {};
    for (const [k, v] of Object.entries(op as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (k === 'params') o[k] = (v as { name: string; type: Type }[]).map((p) => ({ name: p.name, type: encodeType(p.type, lookup) }));
      else if (k === 'returns') o[k] = encodeType(v as Type, lookup);
      else o[k] = v as Json;
    }
    operations.push([key, o]);
  }
  return JSON.stringify({ format: FORMAT, entities, operations });
}

export function decodeSchemas(text: string): CachedSchemas {
  const j = JSON.parse(text) as { format: string; entities: [string, Record<string, unknown>][]; operations: [string, Record<string, unknown>][] };
  if (j.format !== FORMAT) throw new Error(`schema cache: format '${j.format}', expected '${FORMAT}'`);
  const entities = new Map<string, EntityType>();
  // First every entity (empty fields), then the fields: references may point forward or in a cycle.
  for (const [key, o] of j.entities) entities.set(key, { ...(o as object), fields: new Map() } as EntityType);
  const nullableCopies = new Map<string, EntityType>();
  const decodeType = (o: Record<string, unknown>): Type => {
    if (typeof o.$e === 'string') {
      const e = entities.get(o.$e);
      if (!e) throw new Error(`schema cache: unknown entity '${o.$e}'`);
      if (o.n === e.nullable) return e;
      let copy = nullableCopies.get(o.$e);
      if (!copy) nullableCopies.set(o.$e, (copy = { ...e, nullable: o.n as boolean }));
      return copy;
    }
    const kind = o.kind as Type['kind'];
    // The loader's shared constants: ANY (every nullable `any`) and interned primitives.
    if (kind === 'any' && o.nullable === true) return ANY;
    if (kind === 'prim' && o.maxLength === undefined && o.codes === undefined) return prim(o.name as never, o.nullable as boolean);
    const t: Record<string, unknown> = { ...o };
    if (o.fields) t.fields = decodeFields(o.fields as Record<string, unknown>[]);
    for (const k of ['element', 'param', 'result']) if (o[k]) t[k] = decodeType(o[k] as Record<string, unknown>);
    return t as Type;
  };
  const decodeFields = (list: Record<string, unknown>[]): Map<string, Field> =>
    new Map(list.map((f) => [f.name as string, { ...f, type: decodeType(f.type as Record<string, unknown>) } as Field]));
  for (const [key, o] of j.entities) {
    const e = entities.get(key)!;
    for (const [n, f] of decodeFields(o.fields as Record<string, unknown>[])) e.fields.set(n, f);
  }
  const operations = new Map<string, unknown>();
  for (const [key, o] of j.operations) {
    operations.set(key, {
      ...o,
      params: (o.params as { name: string; type: Record<string, unknown> }[]).map((p) => ({ name: p.name, type: decodeType(p.type) })),
      returns: o.returns === undefined ? undefined : decodeType(o.returns as Record<string, unknown>),
    });
  }
  return { entities, operations };
}

/** The cached load for `key`, or undefined (no cache, no entry, unreadable entry). */
export function readCache(key: string): CachedSchemas | undefined {
  const text = readCacheEntry(`schemas-${key}.json`);
  if (text === undefined) return undefined;
  try { return decodeSchemas(text); } catch { return undefined; }
}

/** Stores a clean load under `key`; true when stored. Failures are ignored (the next load is only slower). */
export function writeCache(key: string, s: CachedSchemas): boolean {
  return writeCacheEntry(`schemas-${key}.json`, encodeSchemas(s));
}

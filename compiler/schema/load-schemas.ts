/**
 * Loads the entity schemas (`<dir>/xcart/*.yaml`, `<dir>/sagepro/*.yaml`) and the two operation
 * catalogs (`<dir>/<system>/operations.yaml`), validates them with ajv (JSON Schema 2020-12 meta-schema;
 * every `$ref` must resolve) and turns them into checker types. Problems become 5xxx diagnostics
 * pointing into the YAML file, never exceptions.
 *
 * A clean load is cached (schema-cache.ts: keyed by the files' paths and bytes and the loader's code):
 * when no schema file changed, the types come from the cache and neither YAML with positions nor ajv
 * runs (ajv is then not even loaded). A load with problems is never cached, so they are always reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import YAML, { isMap, isScalar, type Document, type Node as YamlNode } from 'yaml';
import { createRequire } from 'node:module';
import type { Ajv2020 as Ajv2020Class } from 'ajv/dist/2020.js';
import { LineMap, type Span } from '../../grammar/span.js';
import { createDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { Diagnostics } from '../diagnostics/messages.js';
import { loadVocabulary } from '../../runtime/vocabulary/vocabulary.js';
import { cacheKey, readCache, writeCache } from './schema-cache.js';
import {
  ANY, listOf, prim, withNullable, type EntityType, type Field, type PrimName, type SageStorage, type Type,
} from './types.js';

/** ajv (CommonJS), loaded only when schemas are validated: not on a cache hit. */
function newAjv(): Ajv2020Class {
  const Ajv2020 = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof Ajv2020Class;
  return new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
}

export type SystemName = 'xcart' | 'sagepro';
export const SYSTEMS: readonly SystemName[] = ['xcart', 'sagepro'];
/** The error classes: mappings/schemas/policy.yaml (the vocabulary the runtime reads too). */
export const ERROR_CLASSES: readonly string[] = loadVocabulary().errorClasses;

export interface Operation {
  readonly system: SystemName;
  /** `orders.get` */
  readonly name: string;
  readonly kind: 'read' | 'write';
  readonly params: readonly { readonly name: string; readonly type: Type }[];
  /** undefined for `void` */
  readonly returns: Type | undefined;
  readonly idempotent: boolean;
  readonly errors: readonly string[];
  readonly description?: string;
  readonly span?: Span;
}

export interface SchemaSet {
  readonly entities: ReadonlyMap<string, EntityType>;   // key: `xcart.Order`, `sagepro.SalesOrder.Line`
  readonly operations: ReadonlyMap<string, Operation>;  // key: `xcart.orders.get`
  readonly diagnostics: readonly Diagnostic[];
  /** Hash of every file read, for flow versions. */
  readonly hash: string;
  /** Source text per file, for code frames of related locations. */
  readonly sources: ReadonlyMap<string, string>;
  /** Whether the types came from the schema cache (`hit`), were made and stored (`miss`), or the cache was not used (`off`: cache off or unusable, or the load had problems). */
  readonly cache?: 'hit' | 'miss' | 'off';
}

export interface LoadSchemasOptions {
  /** Use the schema cache (schema-cache.ts; default true, `CONNECT_CACHE=0` turns it off everywhere). */
  readonly cache?: boolean;
}

const SCHEMA_ID_BASE = 'https://connect.dev/schemas/';

interface Loaded { file: string; system: SystemName; name: string; json: Record<string, unknown>; doc: Document; lines: LineMap }

function spanOfYamlNode(file: string, lines: LineMap, node: YamlNode | null | undefined): Span {
  const r = node?.range;
  return r ? lines.span(file, r[0], Math.max(r[0], r[1])) : lines.span(file, 0, 0);
}

/** Span of the key `a.b.c` (property names) in a YAML document. */
function spanOfPath(l: Loaded, keys: readonly (string | number)[]): Span {
  let node: unknown = l.doc.contents;
  let keyNode: YamlNode | undefined;
  for (const k of keys) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === k);
    if (!pair) break;
    keyNode = pair.key as YamlNode;
    node = pair.value;
  }
  return spanOfYamlNode(l.file, l.lines, keyNode ?? (l.doc.contents as YamlNode));
}

export function loadSchemas(dir: string, displayBase = process.cwd(), options: LoadSchemasOptions = {}): SchemaSet {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const hash = createHash('sha256');
  const loaded: Loaded[] = [];
  const catalogs: { file: string; system: SystemName; json: unknown; doc: Document; lines: LineMap }[] = [];

  const read: { file: string; system: SystemName; f: string; text: string }[] = [];
  for (const system of SYSTEMS) {
    const sysDir = path.join(dir, system);
    if (!fs.existsSync(sysDir)) continue;
    for (const f of fs.readdirSync(sysDir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      // The events (the vocabulary, runtime/vocabulary/vocabulary.ts) are no entity schema.
      if (/^events\.ya?ml$/.test(f)) continue;
      const abs = path.join(sysDir, f);
      const file = path.relative(displayBase, abs) || abs;
      const text = fs.readFileSync(abs, 'utf8');
      sources.set(file, text);
      hash.update(file).update('\0').update(text).update('\0');
      read.push({ file, system, f, text });
    }
  }
  const useCache = options.cache !== false;
  const key = useCache ? cacheKey(read, displayBase, ERROR_CLASSES) : '';
  const cached = useCache ? readCache(key) : undefined;
  if (cached) {
    return { entities: cached.entities, operations: cached.operations as ReadonlyMap<string, Operation>, diagnostics, hash: hash.digest('hex'), sources, cache: 'hit' };
  }

  for (const { file, system, f, text } of read) {
    const lines = new LineMap(text);
    const doc = YAML.parseDocument(text, { prettyErrors: false });
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      const isCatalog = /^operations\.ya?ml$/.test(f);
      diagnostics.push(createDiagnostic(isCatalog ? Diagnostics.Catalog_0_is_invalid_1 : Diagnostics.Schema_0_is_invalid_1,
        lines.span(file, e.pos[0], e.pos[1]), [file, e.message.split('\n')[0]!.replace(/\.$/, '')]));
      continue;
    }
    const json = doc.toJS() as unknown;
    if (/^operations\.ya?ml$/.test(f)) { catalogs.push({ file, system, json, doc, lines }); continue; }
    if (!json || typeof json !== 'object') {
      diagnostics.push(createDiagnostic(Diagnostics.Schema_0_is_invalid_1, lines.span(file, 0, 0), [file, 'expected a mapping']));
      continue;
    }
    const j = json as Record<string, unknown>;
    const name = typeof j.title === 'string' ? j.title : path.basename(f, path.extname(f));
    loaded.push({ file, system, name, json: j, doc, lines });
  }

  // ajv: meta-validate each schema, then compile each with all others registered (refs must resolve).
  const ajv = newAjv();
  const usable: Loaded[] = [];
  for (const l of loaded) {
    const expectedId = `${SCHEMA_ID_BASE}${l.system}/${l.name}`;
    if (l.json.$id !== expectedId) {
      diagnostics.push(createDiagnostic(Diagnostics.Schema_0_is_invalid_1, spanOfPath(l, ['$id']), [l.file, `expected $id '${expectedId}', found '${String(l.json.$id)}'`]));
      continue;
    }
    if (!ajv.validateSchema(l.json)) {
      const err = ajv.errors?.[0];
      const where = (err?.instancePath ?? '').split('/').filter(Boolean);
      diagnostics.push(createDiagnostic(Diagnostics.Schema_0_is_invalid_1, spanOfPath(l, where), [l.file, `${err?.instancePath || '/'} ${err?.message ?? 'does not match the JSON Schema 2020-12 meta-schema'}`]));
      continue;
    }
    try { ajv.addSchema(l.json); usable.push(l); }
    catch (e) { diagnostics.push(createDiagnostic(Diagnostics.Schema_0_is_invalid_1, spanOfPath(l, []), [l.file, (e as Error).message])); }
  }
  const valid: Loaded[] = [];
  for (const l of usable) {
    try { ajv.getSchema(l.json.$id as string); valid.push(l); }
    catch (e) { diagnostics.push(createDiagnostic(Diagnostics.Schema_0_is_invalid_1, spanOfPath(l, []), [l.file, (e as Error).message])); }
  }

  // Types: create every entity (and $defs entry) first, then fill fields, so refs can be cyclic.
  const entities = new Map<string, EntityType>();
  const pending: { entity: EntityType; schema: Record<string, unknown>; l: Loaded; pathKeys: (string | number)[] }[] = [];
  for (const l of valid) {
    const top = makeEntity(l.system, l.name, l.json, spanOfPath(l, ['title']));
    entities.set(`${l.system}.${l.name}`, top);
    pending.push({ entity: top, schema: l.json, l, pathKeys: [] });
    const defs = (l.json.$defs ?? {}) as Record<string, Record<string, unknown>>;
    for (const [dn, ds] of Object.entries(defs)) {
      const e = makeEntity(l.system, `${l.name}.${dn}`, ds, spanOfPath(l, ['$defs', dn]));
      entities.set(`${l.system}.${l.name}.${dn}`, e);
      pending.push({ entity: e, schema: ds, l, pathKeys: ['$defs', dn] });
    }
  }
  for (const p of pending) fillFields(p.entity, p.schema, p.l, p.pathKeys, entities);

  const operations = new Map<string, Operation>();
  for (const c of catalogs) loadCatalog(c, entities, operations, diagnostics);

  let cache: SchemaSet['cache'] = 'off';
  if (useCache && diagnostics.length === 0 && writeCache(key, { entities, operations })) cache = 'miss';
  return { entities, operations, diagnostics, hash: hash.digest('hex'), sources, cache };
}

function makeEntity(system: SystemName, name: string, schema: Record<string, unknown>, span: Span): EntityType {
  return { kind: 'entity', system, name, fields: new Map(), description: typeof schema.description === 'string' ? schema.description : undefined, span, nullable: false };
}

function fillFields(entity: EntityType, schema: Record<string, unknown>, l: Loaded, pathKeys: (string | number)[], entities: Map<string, EntityType>): void {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [name, ps] of Object.entries(props)) {
    const type = schemaToType(ps, l, entities);
    const sage = ps['x-sagepro'] as Record<string, unknown> | undefined;
    const storage = sage ? parseStorage(sage) : undefined;
    const field: Field = {
      name, type, required: required.has(name), readOnly: ps.readOnly === true || Boolean(storage?.computed),
      description: typeof ps.description === 'string' ? ps.description : undefined,
      storage, span: spanOfPath(l, [...pathKeys, 'properties', name]),
    };
    entity.fields.set(name, field);
  }
}

export function parseStorage(sage: Record<string, unknown>): SageStorage {
  const type = typeof sage.type === 'string' ? sage.type : undefined;
  const m = type ? /^C\((\d+)\)$/i.exec(type.trim()) : null;
  return {
    table: typeof sage.table === 'string' ? sage.table : undefined,
    column: typeof sage.column === 'string' ? sage.column : undefined,
    type,
    width: m ? Number(m[1]) : undefined,
    justify: sage.justify === 'right' ? 'right' : 'left',
    computed: typeof sage.computed === 'string' ? sage.computed : undefined,
    references: typeof sage.references === 'string' ? sage.references.toUpperCase() : undefined,
  };
}

function resolveRef(ref: string, l: Loaded, entities: Map<string, EntityType>): Type {
  const local = /^#\/\$defs\/(\w+)$/.exec(ref);
  if (local) return entities.get(`${l.system}.${l.name}.${local[1]}`) ?? ANY;
  const m = /^(?:\.\/)?(?:\.\.\/(xcart|sagepro)\/)?([A-Za-z_]\w*)(?:\.ya?ml)?(?:#\/\$defs\/(\w+))?$/.exec(ref.replace(SCHEMA_ID_BASE, '../'));
  if (m) return entities.get(`${m[1] ?? l.system}.${m[2]}${m[3] ? '.' + m[3] : ''}`) ?? ANY;
  return ANY;
}

function schemaToType(s: Record<string, unknown>, l: Loaded, entities: Map<string, EntityType>): Type {
  if (typeof s.$ref === 'string') return resolveRef(s.$ref, l, entities);
  const variants = (s.anyOf ?? s.oneOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(variants)) {
    const nonNullVariants = variants.filter((v) => v.type !== 'null');
    const nullable = nonNullVariants.length < variants.length;
    const inner = nonNullVariants.length === 1 ? schemaToType(nonNullVariants[0]!, l, entities) : ANY;
    return withNullable(inner, nullable || inner.nullable);
  }
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  const nullable = types.includes('null');
  const t = types.find((x) => x !== 'null');
  const codes = Array.isArray(s['x-codes']) ? (s['x-codes'] as unknown[]).map(String) : Array.isArray(s.enum) ? (s.enum as unknown[]).filter((x) => x !== null).map(String) : undefined;
  switch (t) {
    case 'string': {
      let name: PrimName = 'string';
      if (s.format === 'date') name = 'date';
      else if (s.format === 'date-time') name = 'datetime';
      const sage = s['x-sagepro'] as Record<string, unknown> | undefined;
      const width = sage ? parseStorage(sage).width : undefined;
      const maxLength = typeof s.maxLength === 'number' ? s.maxLength : width;
      return { kind: 'prim', name, nullable, ...(maxLength !== undefined && name === 'string' ? { maxLength } : {}), ...(codes ? { codes } : {}) };
    }
    case 'integer': return prim('int', nullable);
    case 'number': return prim('decimal', nullable);
    case 'boolean': return prim('bool', nullable);
    case 'array': return listOf(s.items ? schemaToType(s.items as Record<string, unknown>, l, entities) : ANY, nullable);
    case 'object': {
      if (s.properties) {
        const anon: Type = { kind: 'object', fields: new Map(), nullable };
        const req = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
        for (const [n, ps] of Object.entries(s.properties as Record<string, Record<string, unknown>>)) {
          (anon as { fields: Map<string, Field> }).fields.set(n, { name: n, type: schemaToType(ps, l, entities), required: req.has(n), readOnly: ps.readOnly === true });
        }
        return anon;
      }
      return withNullable(ANY, nullable);
    }
    default: return withNullable(ANY, true);
  }
}

/** Parses a catalog type: `int`, `Order`, `Order?`, `Product[]`, `SalesOrder.Line[]?`. */
export function parseCatalogType(text: string, system: SystemName, entities: ReadonlyMap<string, EntityType>): Type | undefined {
  let s = text.trim();
  let nullable = false; let list = false;
  for (;;) {
    if (s.endsWith('?')) { nullable = true; s = s.slice(0, -1); continue; }
    if (s.endsWith('[]')) { list = true; s = s.slice(0, -2); continue; }
    break;
  }
  let base: Type | undefined;
  if (['string', 'int', 'decimal', 'bool', 'date', 'datetime'].includes(s)) base = prim(s as PrimName);
  else base = entities.get(`${system}.${s}`) ?? entities.get(s);
  if (!base) return undefined;
  return list ? listOf(base, nullable) : withNullable(base, nullable);
}

function loadCatalog(
  c: { file: string; system: SystemName; json: unknown; doc: Document; lines: LineMap },
  entities: Map<string, EntityType>, out: Map<string, Operation>, diagnostics: Diagnostic[],
): void {
  const l: Loaded = { file: c.file, system: c.system, name: 'operations', json: {}, doc: c.doc, lines: c.lines };
  const bad = (keys: (string | number)[], why: string) =>
    diagnostics.push(createDiagnostic(Diagnostics.Catalog_0_is_invalid_1, spanOfPath(l, keys), [c.file, why]));
  const j = c.json as { system?: unknown; operations?: Record<string, Record<string, unknown>> } | null;
  if (!j || typeof j !== 'object' || !j.operations || typeof j.operations !== 'object') { bad([], "expected 'system' and 'operations'"); return; }
  if (j.system !== c.system) bad(['system'], `expected system '${c.system}', found '${String(j.system)}'`);
  for (const [name, op] of Object.entries(j.operations)) {
    const at = ['operations', name];
    if (!/^[a-z_]+\.[a-z_]+$/.test(name)) { bad(at, `operation name '${name}' must look like 'orders.get'`); continue; }
    if (op.kind !== 'read' && op.kind !== 'write') { bad([...at, 'kind'], `operation '${name}': kind must be read or write`); continue; }
    const params: { name: string; type: Type }[] = [];
    let ok = true;
    for (const [i, p] of ((op.params ?? []) as { name?: string; type?: string }[]).entries()) {
      const t = typeof p.type === 'string' ? parseCatalogType(p.type, c.system, entities) : undefined;
      if (!p.name || !t) { bad([...at, 'params'], `operation '${name}': parameter ${i + 1} has an unknown type '${String(p.type)}'`); ok = false; continue; }
      params.push({ name: p.name, type: t });
    }
    let returns: Type | undefined;
    if (op.returns !== 'void') {
      returns = typeof op.returns === 'string' ? parseCatalogType(op.returns, c.system, entities) : undefined;
      if (!returns) { bad([...at, 'returns'], `operation '${name}': unknown return type '${String(op.returns)}'`); ok = false; }
    }
    const errors = Array.isArray(op.errors) ? (op.errors as string[]) : [];
    for (const e of errors) if (!(ERROR_CLASSES as readonly string[]).includes(e)) { bad([...at, 'errors'], `operation '${name}': unknown error class '${e}'`); ok = false; }
    if (typeof op.idempotent !== 'boolean') { bad(at, `operation '${name}': idempotent must be true or false`); ok = false; }
    if (!ok) continue;
    out.set(`${c.system}.${name}`, {
      system: c.system, name, kind: op.kind, params, returns, idempotent: op.idempotent as boolean, errors,
      description: typeof op.description === 'string' ? op.description : undefined, span: spanOfPath(l, at),
    });
  }
}

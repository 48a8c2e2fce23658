/**
 * Introspection: reads a Sage Pro install's real columns through ODBC catalog functions
 * (SQLColumns, `connection.columns()` of the odbc package) and brings the entity schema YAML files
 * in `outDir` up to date, keeping hand-written names, descriptions and comments (yaml Document API):
 *
 * - a column mapped by an existing property keeps that property (and its friendly name);
 * - a new column becomes a new property named after the column in lower case, with its
 *   `x-sagepro` type (only on the entity whose main table it is; read models marked
 *   `x-sagepro.view: true` are left alone);
 * - a mapped column the install does not have is reported and marked `x-sagepro.removed: true`
 *   (never deleted silently); it is unmarked when the column comes back;
 * - a changed width / type is reported and updated (`x-sagepro.type`, `maxLength`);
 * - `tables` names extra tables: one that no schema maps gets a new `<Table>.yaml`;
 * - an empty or new `outDir` first gets the standard entities of this install (STANDARD_SCHEMAS);
 *   a folder with other files but no schemas, or a database with none of the mapped tables, is an
 *   IntrospectUsageError that says what to pass (never "0 table(s) read, schemas match").
 *
 * Self-contained on purpose (the compiler does not import runtime internals): the small mapping
 * from ODBC catalog rows to VFP-notation types lives here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import odbc from 'odbc';
import YAML, { isMap, type Document, type YAMLMap } from 'yaml';

export type IntrospectDialect = 'sqlite' | 'postgres' | 'mssql' | 'vfp';

export interface IntrospectOptions {
  /** ODBC connection string of the install (never printed). */
  dsn: string;
  /** Folder of the Sage Pro entity schemas (mappings/schemas/sagepro). */
  outDir: string;
  dialect?: IntrospectDialect;
  /** VFP company suffix (default '01'). */
  company?: string;
  /** Catalog schema to search (e.g. 'dbo' on SQL Server); default any. */
  schema?: string;
  /** Only these tables (logical names such as SOMAST); default every table the schemas map. */
  tables?: string[];
  /** Report only, write nothing. */
  dryRun?: boolean;
  /** Where the standard entities come from when `outDir` is empty or new (default STANDARD_SCHEMAS). */
  standardDir?: string;
}

export interface ColumnChange {
  file: string;
  entity: string;
  table: string;
  column: string;
  property: string;
  /** Type on the install (added) or in the schema (removed). */
  type?: string;
  from?: string;
  to?: string;
  /** removed: already marked by an earlier run. */
  alreadyMarked?: boolean;
}

export interface IntrospectResult {
  added: ColumnChange[];
  removed: ColumnChange[];
  changed: ColumnChange[];
  /** Schema files created for tables no schema mapped. */
  created: string[];
  /** Tables the install does not have. */
  missingTables: string[];
  /** Files written. */
  written: string[];
  report: string;
}

// ------------------------------------------------------------------ types

type VfpType = { kind: 'C'; width: number } | { kind: 'N'; p: number; s: number } | { kind: 'Y' | 'D' | 'T' | 'L' | 'M' | 'I' };

function fmt(t: VfpType): string {
  return t.kind === 'C' ? `C(${t.width})` : t.kind === 'N' ? `N(${t.p},${t.s})` : t.kind;
}

function parse(text: string): VfpType | undefined {
  const t = text.trim().toUpperCase();
  let m = /^C\((\d+)\)$/.exec(t);
  if (m) return { kind: 'C', width: Number(m[1]) };
  m = /^N\((\d+)(?:,(\d+))?\)$/.exec(t.replace(/\s+/g, ''));
  if (m) return { kind: 'N', p: Number(m[1]), s: Number(m[2] ?? 0) };
  if (/^[YDTLMI]$/.test(t)) return { kind: t as 'Y' };
  return undefined;
}

/** Declared and actual store the same thing (Y is NUMERIC(15,4) outside VFP). */
function same(declared: VfpType, actual: VfpType): boolean {
  if (fmt(declared) === fmt(actual)) return true;
  return declared.kind === 'Y' && actual.kind === 'N' && actual.s === 4;
}

interface CatalogRow { COLUMN_NAME: string; TYPE_NAME: string; DATA_TYPE: number; COLUMN_SIZE: number | null; DECIMAL_DIGITS: number | null; ORDINAL_POSITION?: number }

/** VFP-notation type of an SQLColumns row. */
export function catalogType(r: CatalogRow, dialect: IntrospectDialect): VfpType | undefined {
  const tn = String(r.TYPE_NAME ?? '').trim().toUpperCase().replace(/\s+IDENTITY$/, '');
  const size = r.COLUMN_SIZE ?? 0; const digits = r.DECIMAL_DIGITS ?? 0;
  if (/^[CNYDTLMI]$/.test(tn)) return tn === 'C' ? { kind: 'C', width: size } : tn === 'N' ? { kind: 'N', p: size, s: digits } : { kind: tn as 'Y' };
  let m = /^(?:N?CHAR|CHARACTER|N?VARCHAR|BPCHAR)\s*\(\s*(\d+)\s*\)$/.exec(tn); // SQLite keeps the declaration
  if (m) return { kind: 'C', width: Number(m[1]) };
  m = /^(?:NUMERIC|DECIMAL)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(tn);
  if (m) return { kind: 'N', p: Number(m[1]), s: Number(m[2] ?? 0) };
  if (['CHAR', 'BPCHAR', 'VARCHAR', 'NCHAR', 'NVARCHAR', 'CHARACTER'].includes(tn)) return size > 0 && size < 8000 ? { kind: 'C', width: size } : { kind: 'M' };
  if (tn === 'NUMERIC' || tn === 'DECIMAL') return { kind: 'N', p: size, s: digits };
  if (['MONEY', 'SMALLMONEY', 'CURRENCY'].includes(tn)) return { kind: 'Y' };
  if (['BOOL', 'BOOLEAN', 'BIT', 'LOGICAL'].includes(tn)) return { kind: 'L' };
  if (['TEXT', 'NTEXT', 'MEMO', 'CLOB'].includes(tn)) return { kind: 'M' };
  if (tn === 'DATE') return { kind: 'D' };
  // The SQL edition keeps VFP dates as datetime.
  if (['DATETIME', 'SMALLDATETIME'].includes(tn)) return dialect === 'mssql' ? { kind: 'D' } : { kind: 'T' };
  if (['TIMESTAMP', 'DATETIME2', 'TIMESTAMP WITHOUT TIME ZONE'].includes(tn)) return { kind: 'T' };
  if (['INT', 'INT2', 'INT4', 'INT8', 'INTEGER', 'SMALLINT', 'BIGINT', 'TINYINT'].includes(tn)) return { kind: 'I' };
  switch (r.DATA_TYPE) {
    case 1: case 12: case -8: case -9: return size > 0 && size < 8000 ? { kind: 'C', width: size } : { kind: 'M' };
    case -1: case -10: return { kind: 'M' };
    case 2: case 3: return { kind: 'N', p: size, s: digits };
    case 4: case 5: case -5: case -6: return { kind: 'I' };
    case -7: return { kind: 'L' };
    case 91: return { kind: 'D' };
    case 93: return { kind: 'T' };
    default: return undefined;
  }
}

function dialectOf(opts: IntrospectOptions): IntrospectDialect {
  if (opts.dialect) return opts.dialect;
  const d = opts.dsn.toLowerCase();
  if (/driver\s*=\s*\{?sqlite/.test(d)) return 'sqlite';
  if (/driver\s*=\s*\{?postgres/.test(d)) return 'postgres';
  if (/driver\s*=\s*\{?[^;}]*(sql server|tds)/.test(d)) return 'mssql';
  if (/driver\s*=\s*\{?[^;}]*(foxpro|vfp)/.test(d) || /sourcetype\s*=\s*(dbc|dbf)/.test(d)) return 'vfp';
  throw new Error('introspect: cannot tell the dialect from the connection string; pass `dialect`');
}

function physical(table: string, dialect: IntrospectDialect, company: string): string {
  return dialect === 'vfp' ? `${table.toLowerCase()}${company}` : table.toLowerCase();
}

/** JSON Schema keywords for a new property of a storage type. */
function jsonSchemaFor(t: VfpType): Record<string, unknown> {
  switch (t.kind) {
    case 'C': return { type: 'string', maxLength: t.width };
    case 'N': return t.s === 0 ? { type: 'integer' } : { type: 'number' };
    case 'Y': return { type: 'number' };
    case 'I': return { type: 'integer' };
    case 'D': return { type: ['string', 'null'], format: 'date' };
    case 'T': return { type: ['string', 'null'], format: 'date-time' };
    case 'L': return { type: 'boolean' };
    case 'M': return { type: 'string' };
  }
}

// ------------------------------------------------------------------ schema files

interface Level {
  file: string;
  doc: Document;
  entity: string;
  path: (string | number)[];
  table: string;
  view: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function levelsOf(file: string, doc: Document): Level[] {
  const out: Level[] = [];
  const title = str(doc.get('title')) ?? path.basename(file, '.yaml');
  const top = doc.get('x-sagepro', true);
  if (isMap(top) && str(top.get('table'))) {
    out.push({ file, doc, entity: title, path: [], table: str(top.get('table'))!.toUpperCase(), view: top.get('view') === true });
  }
  const defs = doc.get('$defs', true);
  if (isMap(defs)) {
    for (const item of (defs as YAMLMap).items) {
      const name = String((item.key as { value?: unknown })?.value ?? item.key);
      const x = doc.getIn(['$defs', name, 'x-sagepro'], true);
      if (isMap(x) && str(x.get('table'))) {
        out.push({ file, doc, entity: `${title}.${name}`, path: ['$defs', name], table: str(x.get('table'))!.toUpperCase(), view: x.get('view') === true });
      }
    }
  }
  return out;
}

interface Prop { name: string; table: string; column: string; type: string; removed: boolean }

function propsOf(level: Level): Prop[] {
  const props = level.doc.getIn([...level.path, 'properties'], true);
  if (!isMap(props)) return [];
  const out: Prop[] = [];
  for (const item of (props as YAMLMap).items) {
    const name = String((item.key as { value?: unknown })?.value ?? item.key);
    const x = level.doc.getIn([...level.path, 'properties', name, 'x-sagepro'], true);
    if (!isMap(x)) continue;
    const column = str(x.get('column'));
    const type = str(x.get('type'));
    if (!column || !type) continue; // computed or unmapped
    out.push({ name, table: (str(x.get('table')) ?? level.table).toUpperCase(), column: column.toUpperCase(), type, removed: x.get('removed') === true });
  }
  return out;
}

function entityFileName(table: string): string {
  return `${table.charAt(0).toUpperCase()}${table.slice(1).toLowerCase()}.yaml`;
}

// ------------------------------------------------------------------ main

/** The standard Sage Pro entity schemas shipped with this install of flowc. */
export const STANDARD_SCHEMAS = path.join(PACKAGE_ROOT, 'mappings/schemas/sagepro');

/** A problem with what was asked (not with the install): the message says what to pass instead. */
export class IntrospectUsageError extends Error {}

/** YAML files of a schemas folder that are no entity: the catalog and the vocabulary (runtime/vocabulary/). */
const NOT_ENTITIES = ['operations.yaml', 'events.yaml', 'policy.yaml'];

function schemaFiles(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && !NOT_ENTITIES.includes(f)).sort() : [];
}

/**
 * A folder without entity schemas: an empty or new folder is seeded with the standard entities
 * (and the operation catalog) of this install, which introspection then brings up to date; any
 * other folder is an error that names the folder to pass instead.
 */
function prepareOutDir(opts: IntrospectOptions): string[] {
  const standard = opts.standardDir ?? STANDARD_SCHEMAS;
  const entries = fs.existsSync(opts.outDir) ? fs.readdirSync(opts.outDir) : [];
  if (fs.existsSync(opts.outDir) && !fs.statSync(opts.outDir).isDirectory()) throw new IntrospectUsageError(`--out ${opts.outDir} is a file; pass the folder of the Sage Pro entity schemas (e.g. mappings/schemas/sagepro)`);
  const sub = path.join(opts.outDir, 'sagepro');
  if (schemaFiles(sub).length) throw new IntrospectUsageError(`--out ${opts.outDir} holds no Sage Pro entity schemas, but ${sub} does: pass --out ${sub}`);
  if (entries.some((e) => !e.startsWith('.'))) {
    throw new IntrospectUsageError(`--out ${opts.outDir} holds no Sage Pro entity schemas (*.yaml with x-sagepro); pass the folder that has them (e.g. mappings/schemas/sagepro), or an empty or new folder to get the standard entities of this install`);
  }
  const files = fs.readdirSync(standard).filter((f) => f.endsWith('.yaml')).sort();
  if (!opts.dryRun) {
    fs.mkdirSync(opts.outDir, { recursive: true });
    for (const f of files) fs.copyFileSync(path.join(standard, f), path.join(opts.outDir, f));
  }
  return files;
}

export async function introspect(opts: IntrospectOptions): Promise<IntrospectResult> {
  const dialect = dialectOf(opts);
  const company = opts.company ?? '01';
  let seeded: string[] = [];
  if (schemaFiles(opts.outDir).length === 0 && !opts.tables?.length) seeded = prepareOutDir(opts);
  const source = opts.dryRun && seeded.length ? opts.standardDir ?? STANDARD_SCHEMAS : opts.outDir;
  const files = schemaFiles(source);
  const docs = new Map<string, Document>();
  const levels: Level[] = [];
  for (const f of files) {
    const doc = YAML.parseDocument(fs.readFileSync(path.join(source, f), 'utf8'));
    if (doc.errors.length) throw new Error(`introspect: ${f}: ${doc.errors[0]!.message}`);
    docs.set(f, doc);
    levels.push(...levelsOf(f, doc));
  }
  const only = opts.tables?.map((t) => t.toUpperCase());
  const wanted = new Set<string>(only ?? []);
  if (!only) {
    for (const l of levels) {
      wanted.add(l.table);
      for (const p of propsOf(l)) wanted.add(p.table);
    }
  }

  const conn = await odbc.connect(opts.dsn);
  const install = new Map<string, Map<string, VfpType>>();
  const missingTables: string[] = [];
  try {
    for (const t of [...wanted].sort()) {
      const rows = Array.from(await conn.columns(null, opts.schema ?? null, physical(t, dialect, company), null)) as unknown as Record<string, unknown>[];
      const cols = new Map<string, VfpType>();
      const norm = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toUpperCase(), v])) as unknown as CatalogRow)
        .sort((a, b) => (a.ORDINAL_POSITION ?? 0) - (b.ORDINAL_POSITION ?? 0));
      for (const r of norm) {
        const name = String(r.COLUMN_NAME).toUpperCase();
        if (dialect === 'mssql' && name === 'ID_COL') continue; // surrogate identity, never mapped
        const type = catalogType(r, dialect);
        if (type) cols.set(name, type);
      }
      if (cols.size === 0) missingTables.push(t); else install.set(t, cols);
    }
  } finally {
    await conn.close();
  }
  if (install.size === 0 && wanted.size > 0) {
    throw new IntrospectUsageError(`none of the ${wanted.size} table(s) the schemas map (${[...wanted].sort().join(', ')}) exist in the database the DSN opens${dialect === 'vfp' ? ` (company ${company})` : ''}; check the DSN's database${opts.schema ? ` and schema '${opts.schema}'` : ''}`);
  }

  const added: ColumnChange[] = [];
  const removed: ColumnChange[] = [];
  const changed: ColumnChange[] = [];
  const created: string[] = [];
  const dirty = new Set<string>();

  for (const level of levels) {
    const { doc } = level;
    const props = propsOf(level);
    for (const p of props) {
      if (only && !only.includes(p.table)) continue;
      const cols = install.get(p.table);
      if (!cols) continue; // table missing: reported once in missingTables
      const base = [...level.path, 'properties', p.name];
      const actual = cols.get(p.column);
      if (!actual) {
        removed.push({ file: level.file, entity: level.entity, table: p.table, column: p.column, property: p.name, type: p.type, ...(p.removed ? { alreadyMarked: true } : {}) });
        if (!p.removed) { doc.setIn([...base, 'x-sagepro', 'removed'], true); dirty.add(level.file); }
        continue;
      }
      if (p.removed) { doc.deleteIn([...base, 'x-sagepro', 'removed']); dirty.add(level.file); }
      const declared = parse(p.type);
      if (!declared || !same(declared, actual)) {
        changed.push({ file: level.file, entity: level.entity, table: p.table, column: p.column, property: p.name, from: p.type, to: fmt(actual) });
        doc.setIn([...base, 'x-sagepro', 'type'], fmt(actual));
        if (actual.kind === 'C') doc.setIn([...base, 'maxLength'], actual.width);
        else if (doc.hasIn([...base, 'maxLength'])) doc.deleteIn([...base, 'maxLength']);
        dirty.add(level.file);
      }
    }
    if (level.view) continue;
    const cols = install.get(level.table);
    if (!cols || (only && !only.includes(level.table))) continue;
    const mapped = new Set(props.filter((p) => p.table === level.table).map((p) => p.column));
    const names = new Set(props.map((p) => p.name));
    const propsNode = doc.getIn([...level.path, 'properties'], true);
    for (const [col, type] of cols) {
      if (mapped.has(col)) continue;
      let name = col.toLowerCase();
      if (names.has(name) || (isMap(propsNode) && (propsNode as YAMLMap).has(name))) name = `${level.table.toLowerCase()}_${name}`;
      names.add(name);
      const x = doc.createNode({ table: level.table, column: col, type: fmt(type) });
      x.flow = true;
      const node = doc.createNode({ ...jsonSchemaFor(type), description: `${level.table}.${col} (found by introspection; rename and describe me).` }) as YAMLMap;
      node.set('x-sagepro', x);
      doc.setIn([...level.path, 'properties', name], node);
      added.push({ file: level.file, entity: level.entity, table: level.table, column: col, property: name, type: fmt(type) });
      dirty.add(level.file);
    }
  }

  // Tables asked for that no schema maps: a new schema file each.
  for (const t of only ?? []) {
    if (levels.some((l) => l.table === t) || !install.has(t)) continue;
    const file = entityFileName(t);
    const title = path.basename(file, '.yaml');
    const properties: Record<string, unknown> = {};
    for (const [col, type] of install.get(t)!) {
      properties[col.toLowerCase()] = { ...jsonSchemaFor(type), description: `${t}.${col} (found by introspection).`, 'x-sagepro': { table: t, column: col, type: fmt(type) } };
      added.push({ file, entity: title, table: t, column: col, property: col.toLowerCase(), type: fmt(type) });
    }
    const doc = new YAML.Document({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `https://connect.dev/schemas/sagepro/${title}`,
      title,
      description: `Table ${t}, generated by introspection.`,
      type: 'object',
      'x-sagepro': { table: t },
      properties,
      required: [],
    });
    YAML.visit(doc, { Map(key, node) { if (key === 'value' && node.has('column') && node.has('type')) node.flow = true; } });
    docs.set(file, doc);
    created.push(file);
    dirty.add(file);
  }

  const written: string[] = [];
  if (!opts.dryRun) {
    fs.mkdirSync(opts.outDir, { recursive: true });
    for (const f of [...dirty].sort()) {
      fs.writeFileSync(path.join(opts.outDir, f), String(docs.get(f)));
      written.push(f);
    }
  }

  const lines: string[] = [];
  if (seeded.length) {
    lines.push(`introspect: ${opts.outDir} held no entity schemas; ${opts.dryRun ? 'would write' : 'wrote'} the ${seeded.filter((f) => !NOT_ENTITIES.includes(f)).length} standard Sage Pro entities${seeded.includes('operations.yaml') ? ' and operations.yaml' : ''} of this install, then read their tables`);
    for (const f of seeded) if (!written.includes(f) && !opts.dryRun) written.push(f);
  }
  lines.push(`introspect (${dialect}): ${install.size} table(s) read${missingTables.length ? `, missing: ${missingTables.join(', ')}` : ''}`);
  for (const a of added) lines.push(`  + ${a.table}.${a.column} ${a.type} → ${a.entity}.${a.property} (${a.file})`);
  for (const c of changed) lines.push(`  ~ ${c.table}.${c.column} ${c.from} → ${c.to} (${c.entity}.${c.property}, ${c.file})`);
  for (const r of removed) lines.push(`  - ${r.table}.${r.column} not on the install (${r.entity}.${r.property}${r.alreadyMarked ? ', already marked' : ', marked removed'}, ${r.file})`);
  for (const c of created) lines.push(`  new schema file ${c}`);
  if (!added.length && !changed.length && !removed.length) lines.push('  schemas match the install');
  if (opts.dryRun && dirty.size) lines.push(`  (dry run: ${dirty.size} file(s) not written)`);
  return { added, removed, changed, created, missingTables, written, report: lines.join('\n') };
}

/**
 * The Sage Pro entity schemas and operation catalog, read as data from the Sage Pro schema folder
 * (flowd: `<flows.dir>/schemas/sagepro`, written by flowc build; config key `flows.schemas`).
 * The connector maps logical properties to columns from `x-sagepro` (table, column, type, justify).
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseStorageType, type StorageType } from './types.js';

/** The folder used when none is given: `mappings/schemas/sagepro` of the working directory (the working copy). */
export const DEFAULT_SCHEMA_DIR = path.resolve('mappings/schemas/sagepro');

function schemaFolder(dir: string): string {
  if (!fs.existsSync(dir)) throw new Error(`Sage Pro entity schemas: folder ${dir} does not exist (flowc build writes it into the build folder as schemas/sagepro)`);
  return dir;
}

export interface ColumnMapping {
  property: string;
  table: string;
  column: string;
  type: StorageType;
  justify: 'left' | 'right';
  readOnly: boolean;
  /** `x-sagepro.optional`: a column no public source confirms for its table; installs may lack it. */
  optional?: boolean;
}

/** One object level of an entity (the entity itself, or a `$defs` member such as SalesOrder.Line). */
export interface EntityShape {
  name: string;
  table: string;
  history?: string;
  key: string[];
  /** Properties stored in `table` (in schema order). */
  columns: ColumnMapping[];
  /** Properties stored in other tables (read models such as SalesOrderStatus.invoice_number). */
  foreign: ColumnMapping[];
  computed: { property: string; expression: string }[];
  required: string[];
  raw: Record<string, unknown>;
}

export interface Catalog {
  system: string;
  operations: Record<string, CatalogOperation>;
}

export interface CatalogOperation {
  kind: 'read' | 'write';
  params: { name: string; type: string }[];
  returns: string;
  idempotent: boolean;
  errors: string[];
  description?: string;
}

function shapeOf(name: string, obj: Record<string, unknown>): EntityShape {
  const xs = (obj['x-sagepro'] ?? {}) as { table?: string; key?: string[]; history?: string };
  if (!xs.table) throw new Error(`schema ${name}: x-sagepro.table missing`);
  const shape: EntityShape = {
    name, table: xs.table.toUpperCase(), key: (xs.key ?? []).map((k) => k.toUpperCase()),
    columns: [], foreign: [], computed: [],
    required: (obj.required as string[] | undefined) ?? [], raw: obj,
  };
  if (xs.history) shape.history = xs.history.toUpperCase();
  const props = (obj.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [prop, def] of Object.entries(props)) {
    const x = def['x-sagepro'] as { table?: string; column?: string; type?: string; justify?: string; computed?: string; removed?: boolean; optional?: boolean } | undefined;
    if (!x || x.removed) continue;
    if (x.computed) { shape.computed.push({ property: prop, expression: x.computed }); continue; }
    if (!x.column || !x.type) continue;
    const m: ColumnMapping = {
      property: prop,
      table: (x.table ?? shape.table).toUpperCase(),
      column: x.column.toUpperCase(),
      type: parseStorageType(x.type),
      justify: x.justify === 'right' ? 'right' : 'left',
      readOnly: def.readOnly === true,
      ...(x.optional === true ? { optional: true } : {}),
    };
    (m.table === shape.table ? shape.columns : shape.foreign).push(m);
  }
  return shape;
}

export interface SchemaSet {
  dir: string;
  entities: Map<string, EntityShape>;
  /** `SalesOrder`, `SalesOrder.Line`, `SalesOrder.ShipTo`, ... */
  get(name: string): EntityShape;
}

export function loadSageProSchemas(dir: string = DEFAULT_SCHEMA_DIR): SchemaSet {
  const entities = new Map<string, EntityShape>();
  for (const f of fs.readdirSync(schemaFolder(dir)).filter((f) => f.endsWith('.yaml') && f !== 'operations.yaml' && f !== 'events.yaml').sort()) {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
    const name = String(doc.title ?? path.basename(f, '.yaml'));
    entities.set(name, shapeOf(name, doc));
    const defs = (doc.$defs ?? {}) as Record<string, Record<string, unknown>>;
    for (const [d, obj] of Object.entries(defs)) {
      if (obj['x-sagepro']) entities.set(`${name}.${d}`, shapeOf(`${name}.${d}`, obj));
    }
  }
  return {
    dir, entities,
    get(name) {
      const e = entities.get(name);
      if (!e) throw new Error(`no Sage Pro schema '${name}'`);
      return e;
    },
  };
}

export function loadSageProCatalog(dir: string = DEFAULT_SCHEMA_DIR): Catalog {
  const doc = YAML.parse(fs.readFileSync(path.join(schemaFolder(dir), 'operations.yaml'), 'utf8')) as Catalog;
  if (doc.system !== 'sagepro') throw new Error(`operations.yaml: system is '${doc.system}', expected 'sagepro'`);
  return doc;
}

/**
 * Response validation for the X-Cart connector: every YAML schema of the X-Cart schema folder goes into
 * one Ajv 2020-12 instance, and `validateEntity` turns the first violation into a ConnectorError of
 * class `invalid` that names the entity, its id and the field path.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConnectorError } from '../errors.js';

/**
 * The folder used when none is given: `mappings/schemas/xcart` of the working directory (the working
 * copy, for tests and tools run from it). flowd passes the build's own folder instead
 * (`<flows.dir>/schemas/xcart`, written by flowc build; config key `flows.schemas`).
 */
export const XCART_SCHEMA_DIR = path.resolve('mappings/schemas/xcart');

const SCHEMA_BASE = 'https://connect.dev/schemas/xcart/';

/** ISO 8601 as X-Cart writes it (`2024-05-02T10:11:12+0000`) and RFC 3339 (`...+00:00`, `Z`). */
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

export interface XcartSchemas {
  /** Entity names (file names without .yaml), e.g. Order, Product. */
  readonly entities: readonly string[];
  /** Throws ConnectorError(invalid) when `value` does not match the entity schema. */
  validate(entity: string, value: unknown, ctx?: { operation?: string }): void;
}

const shared = new Map<string, XcartSchemas>();

/** One shared validator set per folder and process (schemas are data; compiling them once is enough). */
export function loadXcartSchemas(dir: string = XCART_SCHEMA_DIR): XcartSchemas {
  dir = path.resolve(dir);
  const known = shared.get(dir);
  if (known) return known;
  if (!fs.existsSync(dir)) throw new Error(`X-Cart entity schemas: folder ${dir} does not exist (flowc build writes it into the build folder as schemas/xcart)`);
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  ajv.addFormat('date-time', DATE_TIME_RE);
  ajv.addFormat('date', DATE_RE);
  ajv.addFormat('email', EMAIL_RE);
  for (const kw of ['x-decimal', 'x-codes']) ajv.addKeyword({ keyword: kw, schemaType: kw === 'x-decimal' ? 'number' : 'array' });
  const entities: string[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith('.yaml') || file === 'operations.yaml' || file === 'events.yaml') continue; // catalog, vocabulary
    const schema = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    ajv.addSchema(schema);
    entities.push(file.slice(0, -'.yaml'.length));
  }
  const cache = new Map<string, ValidateFunction>();
  const get = (entity: string): ValidateFunction => {
    let fn = cache.get(entity);
    if (!fn) {
      fn = ajv.getSchema(SCHEMA_BASE + entity);
      if (!fn) throw new Error(`no X-Cart schema for entity '${entity}'`);
      cache.set(entity, fn);
    }
    return fn;
  };
  const result: XcartSchemas = {
    entities,
    validate(entity, value, ctx) {
      const fn = get(entity);
      if (fn(value)) return;
      const err = (fn.errors ?? [])[0];
      const id = value && typeof value === 'object' ? (value as Record<string, unknown>).id : undefined;
      const field = err ? fieldPath(err) : '';
      throw new ConnectorError(
        `X-Cart ${entity}${id !== undefined && id !== null ? ' ' + String(id) : ''}: ` +
          (err ? describe(err, value) : 'does not match its schema'),
        { errorClass: 'invalid', system: 'xcart', operation: ctx?.operation, field: field || undefined });
    },
  };
  shared.set(dir, result);
  return result;
}

function fieldPath(err: ErrorObject): string {
  if (err.keyword === 'required') return `${err.instancePath}/${String(err.params.missingProperty)}`;
  return err.instancePath;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function at(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function describe(err: ErrorObject, root: unknown): string {
  const field = fieldPath(err) || '/';
  switch (err.keyword) {
    case 'required':
      return `field ${field} is missing`;
    case 'type':
      return `field ${field} must be ${String(err.params.type).replace(',', ' or ')}, found ${typeName(at(root, err.instancePath))}`;
    default:
      return `field ${field} ${err.message ?? 'is invalid'}`;
  }
}

/**
 * The X-Cart operation catalog (`operations.yaml` of the X-Cart schema folder), read as data, and the
 * argument check that `XcartConnector.call` applies from it.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConnectorError, ERROR_CLASSES, type ErrorClass } from '../errors.js';
import { XCART_SCHEMA_DIR } from './schemas.js';

export interface CatalogParam { name: string; type: string }
export interface CatalogOperation {
  name: string;
  kind: 'read' | 'write';
  params: CatalogParam[];
  returns: string;
  idempotent: boolean;
  errors: ErrorClass[];
  description: string;
}
export interface OperationCatalog { system: string; operations: Map<string, CatalogOperation> }

const PRIMITIVES = new Set(['string', 'int', 'decimal', 'bool', 'date', 'datetime']);

const cached = new Map<string, OperationCatalog>();

/** The catalog file (default `operations.yaml` of XCART_SCHEMA_DIR), read once per file and process. */
export function loadXcartCatalog(file: string = path.join(XCART_SCHEMA_DIR, 'operations.yaml')): OperationCatalog {
  file = path.resolve(file);
  const known = cached.get(file);
  if (known) return known;
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { system?: string; operations?: Record<string, Omit<CatalogOperation, 'name'>> };
  if (doc.system !== 'xcart') throw new Error(`${file}: system must be 'xcart'`);
  const operations = new Map<string, CatalogOperation>();
  for (const [name, op] of Object.entries(doc.operations ?? {})) {
    if (op.kind !== 'read' && op.kind !== 'write') throw new Error(`${file}: ${name}: kind must be read or write`);
    for (const c of op.errors ?? []) if (!ERROR_CLASSES.includes(c)) throw new Error(`${file}: ${name}: unknown error class '${c}'`);
    operations.set(name, { name, kind: op.kind, params: op.params ?? [], returns: op.returns, idempotent: op.idempotent === true, errors: op.errors ?? [], description: op.description ?? '' });
  }
  const result = { system: 'xcart', operations };
  cached.set(file, result);
  return result;
}

/** Checks `args` against the catalog's parameter types; throws ConnectorError(invalid) naming the parameter. */
export function checkArgs(op: CatalogOperation, args: Record<string, unknown>): void {
  for (const p of op.params) {
    const v = args[p.name];
    const problem = typeProblem(p.type, v);
    if (problem) {
      throw new ConnectorError(`X-Cart ${op.name}: argument '${p.name}' ${problem}`, { errorClass: 'invalid', system: 'xcart', operation: op.name, field: p.name });
    }
  }
  for (const k of Object.keys(args)) {
    if (!op.params.some((p) => p.name === k)) {
      throw new ConnectorError(`X-Cart ${op.name}: unknown argument '${k}'`, { errorClass: 'invalid', system: 'xcart', operation: op.name, field: k });
    }
  }
}

function typeProblem(type: string, v: unknown): string | undefined {
  if (type.endsWith('?')) return v === null || v === undefined ? undefined : typeProblem(type.slice(0, -1), v);
  if (v === undefined || v === null) return 'is required';
  if (type.endsWith('[]')) {
    if (!Array.isArray(v)) return `must be a list`;
    for (const x of v) { const p = typeProblem(type.slice(0, -2), x); if (p) return p; }
    return undefined;
  }
  switch (type) {
    case 'string': return typeof v === 'string' ? undefined : 'must be a string';
    case 'int': return Number.isInteger(v) ? undefined : 'must be an integer';
    case 'decimal': return typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) ? undefined : 'must be a decimal';
    case 'bool': return typeof v === 'boolean' ? undefined : 'must be a boolean';
    case 'date': return (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) || v instanceof Date ? undefined : 'must be a date';
    case 'datetime': return (typeof v === 'string' && !Number.isNaN(Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')))) || (v instanceof Date && !Number.isNaN(v.getTime())) ? undefined : 'must be a date-time';
    default:
      if (PRIMITIVES.has(type)) return undefined;
      return typeof v === 'object' && !Array.isArray(v) ? undefined : `must be a ${type} object`;
  }
}

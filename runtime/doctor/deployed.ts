/**
 * The deployed flows as the doctor sees them: manifest.json (names, triggers) and requirements.json
 * (what each flow needs, written by `flowc build`, compiler/requirements.ts). Read as data: the
 * runtime never imports compiler/, so the shapes are restated here (format 1).
 */
import fs from 'node:fs';
import path from 'node:path';

export const REQUIREMENTS_FORMAT = 1;

export interface FieldRequirement {
  readonly path: string;
  readonly entity: string;
  readonly field: string;
  readonly table?: string;
  readonly column?: string;
  readonly type?: string;
  readonly references?: string;
  readonly maxLength?: number;
  readonly literals: readonly string[];
  readonly tables: readonly string[];
  readonly site: string;
}

export interface OperationRequirement {
  readonly operation: string;
  readonly system: 'xcart' | 'sagepro';
  readonly kind: 'read' | 'write';
  readonly site: string;
  readonly fields?: readonly FieldRequirement[];
}

export interface TableRequirement {
  readonly name: string;
  readonly file?: string;
  readonly values: readonly string[];
  readonly feeds: readonly { readonly operation: string; readonly path: string; readonly entity: string; readonly field: string; readonly references?: string }[];
}

export interface ComparisonRequirement {
  readonly entity: string;
  readonly field: string;
  readonly table: string;
  readonly column: string;
  readonly type?: string;
  readonly op: '==' | '!=';
  readonly literal: string;
  readonly step: 'skip' | 'require' | 'other';
  readonly site: string;
}

/** A lookup table indexed by a stored Sage Pro field (`web_warehouse[trim(event.data.location)]`). */
export interface KeyedLookupRequirement {
  readonly name: string;
  readonly file?: string;
  readonly entity: string;
  readonly field: string;
  readonly table: string;
  readonly column: string;
  readonly type?: string;
  /** Builtins applied to the stored value before the lookup, innermost first (trim, upper, lower). */
  readonly through: readonly string[];
  /** The keys whose value differs from the table's miss. */
  readonly keys: readonly string[];
  readonly onNoMatch: 'skip' | 'default' | 'reject' | 'null';
  readonly step: 'skip' | 'require' | 'other';
  readonly site: string;
}

export type Trigger =
  | { kind: 'event'; system: string; event: string }
  | { kind: 'poll'; system: string; entity: string; everyMs: number; changed: boolean; key: string[] }
  | { kind: 'schedule'; everyMs?: number; cron?: string };

export interface DeployedFlow {
  readonly name: string;
  readonly source: string;
  readonly trigger: Trigger;
  readonly operations: readonly OperationRequirement[];
  readonly tables: readonly TableRequirement[];
  readonly comparisons: readonly ComparisonRequirement[];
  readonly keyedLookups: readonly KeyedLookupRequirement[];
}

/** The flows folder cannot be read as a build with requirements (a usage/configuration problem). */
export class DeployedFlowsError extends Error {}

export function loadDeployedFlows(dir: string): DeployedFlow[] {
  const manifestPath = path.join(dir, 'manifest.json');
  const reqPath = path.join(dir, 'requirements.json');
  if (!fs.existsSync(manifestPath)) throw new DeployedFlowsError(`no compiled flows in ${dir} (manifest.json missing; run flowc build <flows> --out ${dir})`);
  if (!fs.existsSync(reqPath)) throw new DeployedFlowsError(`${reqPath} is missing: these flows were built by an older flowc; rebuild them (flowc build <flows> --out ${dir})`);
  const manifest = readJson(manifestPath) as { flows?: { name: string; source: string; trigger?: Trigger }[] };
  const req = readJson(reqPath) as { format?: number; flows?: Record<string, { source: string; operations: OperationRequirement[]; tables: TableRequirement[]; comparisons?: ComparisonRequirement[]; keyedLookups?: KeyedLookupRequirement[] }> };
  if (req.format !== REQUIREMENTS_FORMAT) throw new DeployedFlowsError(`${reqPath}: format ${String(req.format)}, this flowd reads format ${REQUIREMENTS_FORMAT}; rebuild the flows with this version's flowc`);
  if (!Array.isArray(manifest.flows)) throw new DeployedFlowsError(`${manifestPath}: no "flows" list`);
  return manifest.flows.map((f) => {
    const r = req.flows?.[f.name];
    if (!r) throw new DeployedFlowsError(`${reqPath} has no entry for flow '${f.name}' of manifest.json; rebuild the flows`);
    return { name: f.name, source: f.source, trigger: f.trigger ?? { kind: 'schedule' }, operations: r.operations, tables: r.tables, comparisons: r.comparisons ?? [], keyedLookups: r.keyedLookups ?? [] };
  });
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DeployedFlowsError(`${file}: ${(e as Error).message}`);
  }
}

/**
 * What each compiled flow needs from an install, as only the compiler knows it: the operations it
 * calls, and per write the entity fields it maps (with their Sage Pro table/column, the longest
 * value the checker proved and the string literals the value may be), and per lookup table the
 * values it can produce and the field they feed. `flowc build` writes this as `requirements.json`
 * beside manifest.json; `flowd doctor` (runtime/doctor/) reads it and checks it against a real
 * install. The format is an interface between the two (REQUIREMENTS_FORMAT), documented in
 * runtime/doctor/README.md.
 */
import type * as A from '../grammar/ast.js';
import type { FlowModel, Step } from './checker/model.js';
import type { Program } from './program.js';
import { fieldsOf, type Field, type Type } from './schema/types.js';

export const REQUIREMENTS_FORMAT = 1;

export interface FieldRequirement {
  /** Path inside the written value: `customer`, `lines[].item`, `distributions[].account`. */
  readonly path: string;
  /** The entity (level) the field belongs to: `SalesOrder`, `SalesOrder.Line`, `GLDistribution`. */
  readonly entity: string;
  readonly field: string;
  readonly table?: string;
  readonly column?: string;
  /** Storage type in the schema, e.g. `C(6)`. */
  readonly type?: string;
  /** `TABLE.COLUMN` the value must exist in (schema mark `x-sagepro.references`). */
  readonly references?: string;
  /** Longest string the checker proved for the value (absent: not a string or not known). */
  readonly maxLength?: number;
  /** String literals the value may be, when they are visible in the mapping (sorted). */
  readonly literals: readonly string[];
  /** Lookup tables whose values the field may receive directly. */
  readonly tables: readonly string[];
  /** `file.flow:line:col` of the assignment. */
  readonly site: string;
}

export interface OperationRequirement {
  /** `sagepro.sales_orders.create` */
  readonly operation: string;
  readonly system: 'xcart' | 'sagepro';
  readonly kind: 'read' | 'write';
  readonly site: string;
  /** Writes only: the fields the flow maps into the written entity (other fields are left to the connector). */
  readonly fields?: readonly FieldRequirement[];
}

export interface TableRequirement {
  readonly name: string;
  /** Lookup file (relative to the lookups folder), when the table comes from one. */
  readonly file?: string;
  /** Every value the table can produce, its `on missing default` included (sorted, unique). */
  readonly values: readonly string[];
  /** Where the values go: `sagepro.sales_orders.create customer` etc. */
  readonly feeds: readonly { readonly operation: string; readonly path: string; readonly entity: string; readonly field: string; readonly references?: string }[];
}

/** A stored field compared with a string literal (`skip when event.data.location != "MAIN"`). */
export interface ComparisonRequirement {
  readonly entity: string;
  readonly field: string;
  readonly table: string;
  readonly column: string;
  readonly type?: string;
  readonly op: '==' | '!=';
  readonly literal: string;
  /** The step the comparison is in. */
  readonly step: 'skip' | 'require' | 'other';
  readonly site: string;
}

/**
 * A lookup table indexed by a stored Sage Pro field, directly or through trim/upper/lower
 * (`web_warehouse[trim(event.data.location)]`): its keys are matched against the install's values.
 */
export interface KeyedLookupRequirement {
  /** The lookup table's name in the flow. */
  readonly name: string;
  /** Its lookup file (relative to the lookups folder), when it comes from one. */
  readonly file?: string;
  readonly entity: string;
  readonly field: string;
  readonly table: string;
  readonly column: string;
  readonly type?: string;
  /** Builtins applied to the stored value before the lookup, innermost first (`['trim']`). */
  readonly through: readonly string[];
  /** The keys that change the outcome: those whose value differs from the table's miss (sorted). */
  readonly keys: readonly string[];
  /**
   * What a row whose value matches no key gets: `skip` (the lookup is a `skip when !t[...]` whose
   * table defaults to false), else the table's `on missing`: `default`, `reject`, `null`.
   */
  readonly onNoMatch: 'skip' | 'default' | 'reject' | 'null';
  readonly step: 'skip' | 'require' | 'other';
  /** `file.flow:line:col` of the lookup (`t[...]`). */
  readonly site: string;
}

export interface FlowRequirements {
  readonly source: string;
  readonly operations: readonly OperationRequirement[];
  readonly tables: readonly TableRequirement[];
  readonly comparisons: readonly ComparisonRequirement[];
  readonly keyedLookups: readonly KeyedLookupRequirement[];
}

export interface Requirements {
  readonly format: number;
  readonly flows: Readonly<Record<string, FlowRequirements>>;
}

const siteOf = (file: string, span: { line: number; column: number }) => `${file}:${span.line}:${span.column}`;

/** Every AST node below `root` (itself included), parents before children, in source order. */
function eachNode(root: unknown, fn: (n: A.Node) => void): void {
  if (!root || typeof root !== 'object') return;
  if (Array.isArray(root)) { for (const x of root) eachNode(x, fn); return; }
  const n = root as A.Node;
  if (typeof (n as { kind?: unknown }).kind !== 'string') return;
  fn(n);
  for (const [k, v] of Object.entries(n)) if (k !== 'span' && k !== 'opSpan' && k !== 'elseSpan') eachNode(v, fn);
}

/** The requirements of every checked flow of a program (deterministic: sorted by flow name). */
export function collectRequirements(program: Program): Requirements {
  const out: Record<string, FlowRequirements> = {};
  const models = program.units.flatMap((u) => u.models).sort((a, b) => a.flow.name.text.localeCompare(b.flow.name.text));
  for (const m of models) out[m.flow.name.text] = flowRequirements(m);
  return { format: REQUIREMENTS_FORMAT, flows: out };
}

export function flowRequirements(model: FlowModel): FlowRequirements {
  const operations: OperationRequirement[] = [];
  const feeds = new Map<string, { operation: string; path: string; entity: string; field: string; references?: string }[]>();
  // Every operation call, in source order (fetch, lookup, write, and calls nested in expressions).
  const visit = (n: A.Node, write?: A.Write): void => {
    if (n.kind === 'Call') {
      const r = model.resolution.get(n);
      if (r?.kind === 'operation') {
        const name = `${r.op.system}.${r.op.name}`;
        const req: OperationRequirement = { operation: name, system: r.op.system, kind: r.op.kind, site: siteOf(model.file, n.span) };
        if (r.op.kind === 'write' && write?.call === n) {
          const fields: FieldRequirement[] = [];
          r.args.forEach((arg, i) => {
            if (!arg) return;
            const target = r.op.params[i]?.type;
            const obj = objectOf(model, arg);
            if (obj && target) walkObject(model, obj.expr, model.objectTarget.get(obj.expr) ?? target, obj.prefix, fields);
          });
          fields.sort((a, b) => a.path.localeCompare(b.path));
          for (const f of fields) for (const t of f.tables) {
            const list = feeds.get(t) ?? [];
            list.push({ operation: name, path: f.path, entity: f.entity, field: f.field, ...(f.references ? { references: f.references } : {}) });
            feeds.set(t, list);
          }
          operations.push({ ...req, fields });
        } else operations.push(req);
      }
    }
  };
  for (const step of model.steps) eachNode(step, (n) => visit(n, step.kind === 'Write' ? step : undefined));

  const tables: TableRequirement[] = [];
  for (const t of [...model.tables.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const values = new Set<string>();
    for (const [, v] of t.entries) if (typeof v === 'string') values.add(v);
    if (t.missing === 'default' && t.defaultValue) for (const l of literalsOf(model, t.defaultValue, new Set())) values.add(l);
    tables.push({ name: t.name, ...(t.file ? { file: t.file } : {}), values: [...values].sort(), feeds: feeds.get(t.name) ?? [] });
  }
  return { source: model.file, operations, tables, comparisons: comparisonsOf(model), keyedLookups: keyedLookupsOf(model) };
}

/** The stored Sage Pro field an expression reads (`event.data.location`), with its storage. */
function storedField(model: FlowModel, e: A.Expr): { entity: string; field: string; table: string; column: string; type?: string } | undefined {
  if (e.kind !== 'Member') return undefined;
  const ot = model.typeOf.get(e.object);
  const f = ot ? fieldsOf(ot)?.get(e.name.text) : undefined;
  if (ot?.kind !== 'entity' || ot.system !== 'sagepro' || !f?.storage?.table || !f.storage.column) return undefined;
  return { entity: ot.name, field: f.name, table: f.storage.table.toUpperCase(), column: f.storage.column.toUpperCase(), ...(f.storage.type ? { type: f.storage.type } : {}) };
}

/** Builtins through which a key still says which stored values it matches (one argument, string to string). */
const KEY_PRESERVING = new Set(['trim', 'upper', 'lower']);

/** Lookups `t[k]` whose key `k` is a stored Sage Pro field, directly or through KEY_PRESERVING builtins. */
function keyedLookupsOf(model: FlowModel): KeyedLookupRequirement[] {
  const out: KeyedLookupRequirement[] = [];
  const keyOf = (e: A.Expr): { through: string[]; stored: NonNullable<ReturnType<typeof storedField>> } | undefined => {
    const through: string[] = [];
    let x = e;
    while (x.kind === 'Call') {
      const r = model.resolution.get(x);
      if (r?.kind !== 'builtin' || !KEY_PRESERVING.has(r.name) || x.args.length !== 1 || x.args[0]!.name) return undefined;
      through.unshift(r.name);
      x = x.args[0]!.value;
    }
    const stored = storedField(model, x);
    return stored ? { through, stored } : undefined;
  };
  /** `skip when !t[k]` (also as one operand of `||`) with a table that defaults to false: a miss skips. */
  const skipsOnMiss = (cond: A.Expr, ix: A.Index): boolean => {
    if (cond.kind === 'Binary' && cond.op === '||') return skipsOnMiss(cond.left, ix) || skipsOnMiss(cond.right, ix);
    return cond.kind === 'Unary' && cond.op === '!' && cond.operand === ix;
  };
  const visit = (n: A.Node, step: Step): void => {
    if (n.kind === 'Index') {
      const r = model.resolution.get(n);
      const t = r?.kind === 'table' ? model.tables.get(r.name) : undefined;
      const k = t ? keyOf(n.index) : undefined;
      if (t && k) {
        const miss = t.missing === 'default' ? t.defaultValue : undefined;
        const missValue = miss?.kind === 'BoolLit' || miss?.kind === 'StringLit' ? miss.value : miss?.kind === 'NumberLit' ? Number(miss.text) : undefined;
        const keys = t.entries.filter(([, v]) => missValue === undefined || v !== missValue).map(([key]) => String(key));
        const skip = step.kind === 'SkipWhen' && missValue === false && skipsOnMiss(step.condition, n);
        out.push({
          name: t.name, ...(t.file ? { file: t.file } : {}), ...k.stored, through: k.through, keys: [...new Set(keys)].sort(),
          onNoMatch: skip ? 'skip' : t.missing, step: stepKind(step),
          site: siteOf(model.file, n.span),
        });
      }
    }
  };
  for (const s of model.steps) eachNode(s, (n) => visit(n, s));
  return out;
}

const stepKind = (s: Step): 'skip' | 'require' | 'other' => (s.kind === 'SkipWhen' ? 'skip' : s.kind === 'Require' ? 'require' : 'other');

/** Comparisons of a Sage Pro column with a string literal, anywhere in the flow's steps. */
function comparisonsOf(model: FlowModel): ComparisonRequirement[] {
  const out: ComparisonRequirement[] = [];
  for (const s of model.steps) {
    const step = stepKind(s);
    eachNode(s, (n) => {
      if (n.kind !== 'Binary' || (n.op !== '==' && n.op !== '!=')) return;
      const [m, lit] = n.right.kind === 'StringLit' ? [n.left, n.right] : n.left.kind === 'StringLit' ? [n.right, n.left] : [undefined, undefined];
      const stored = m && lit?.kind === 'StringLit' ? storedField(model, m) : undefined;
      if (stored && lit?.kind === 'StringLit') out.push({ ...stored, op: n.op, literal: lit.value, step, site: siteOf(model.file, n.span) });
    });
  }
  return out;
}

/** The object literal an operation argument is built from (the map it names, a let, or inline). */
function objectOf(model: FlowModel, arg: A.Expr): { expr: A.ObjectExpr; prefix: string } | undefined {
  if (arg.kind === 'ObjectExpr') return { expr: arg, prefix: '' };
  if (arg.kind === 'Ident') {
    const r = model.resolution.get(arg);
    if (r?.kind !== 'local') return undefined;
    for (const s of model.steps) {
      if (s.kind === 'MapDecl' && s.name.text === arg.name) return { expr: s.body, prefix: '' };
      if (s.kind === 'Let' && s.name.text === arg.name && s.value.kind === 'ObjectExpr') return { expr: s.value, prefix: '' };
    }
  }
  return undefined;
}

function elementOf(t: Type | undefined): Type | undefined {
  return t?.kind === 'list' ? t.element : t;
}

function walkObject(model: FlowModel, o: A.ObjectExpr, target: Type, prefix: string, out: FieldRequirement[]): void {
  const fields = fieldsOf(target);
  const entity = target.kind === 'entity' ? target.name : undefined;
  const members = (ms: readonly A.ObjectMember[]): void => {
    for (const m of ms) {
      if (m.kind === 'Missing') continue;
      if (m.kind === 'WhenBlock') { members(m.then.members); if (m.else) members(m.else.members); continue; }
      const f = fields?.get(m.name.text);
      const path = prefix + m.name.text;
      const v = m.value;
      if (v.kind === 'ObjectExpr') { walkObject(model, v, model.objectTarget.get(v) ?? f?.type ?? target, path + '.', out); continue; }
      if (v.kind === 'Each') { walkObject(model, v.body, model.objectTarget.get(v.body) ?? elementOf(f?.type) ?? target, path + '[].', out); continue; }
      if (v.kind === 'ListExpr' && v.items.length && v.items.every((i) => i.kind === 'ObjectExpr')) {
        for (const i of v.items as A.ObjectExpr[]) walkObject(model, i, model.objectTarget.get(i) ?? elementOf(f?.type) ?? target, path + '[].', out);
        continue;
      }
      if (v.kind === 'ListExpr' && v.items.length === 0) continue; // an empty list writes no rows
      if (entity && f) out.push(leaf(model, m, path, entity, f));
    }
  };
  members(o.members);
}

function leaf(model: FlowModel, m: A.Assignment, path: string, entity: string, f: Field): FieldRequirement {
  const t = model.typeOf.get(m.value);
  const s = f.storage;
  const tables = new Set<string>();
  const literals = literalsOf(model, m.value, new Set(), tables);
  return {
    path, entity, field: f.name,
    ...(s?.table ? { table: s.table.toUpperCase() } : {}),
    ...(s?.column ? { column: s.column.toUpperCase() } : {}),
    ...(s?.type ? { type: s.type } : {}),
    ...(s?.references ? { references: s.references } : {}),
    ...(t?.kind === 'prim' && t.name === 'string' && t.maxLength !== undefined ? { maxLength: t.maxLength } : {}),
    literals: [...literals].sort(),
    tables: [...tables].sort(),
    site: siteOf(model.file, m.value.span),
  };
}

/**
 * String literals an expression may evaluate to directly (the expression itself, either side of
 * `??`, if/match branches, through `let` names), and the lookup tables it may return a value of.
 */
function literalsOf(model: FlowModel, e: A.Expr, seen: Set<A.Node>, tables = new Set<string>()): Set<string> {
  const out = new Set<string>();
  const go = (x: A.Expr): void => {
    if (seen.has(x)) return;
    seen.add(x);
    switch (x.kind) {
      case 'StringLit': out.add(x.value); return;
      case 'Binary': if (x.op === '??') { go(x.left); go(x.right); } return;
      case 'If': go(x.then); go(x.else); return;
      case 'Match': for (const a of x.arms) go(a.value); if (x.otherwise) go(x.otherwise); return;
      case 'Index': {
        const r = model.resolution.get(x);
        if (r?.kind === 'table') tables.add(r.name);
        return;
      }
      case 'Ident': {
        const r = model.resolution.get(x);
        if (r?.kind !== 'local' || r.decl !== 'let') return;
        const decl = model.steps.find((s): s is A.Let => s.kind === 'Let' && s.name.text === x.name);
        if (decl) go(decl.value);
        return;
      }
      default: return;
    }
  };
  go(e);
  return out;
}

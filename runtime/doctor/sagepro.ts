/**
 * The doctor's Sage Pro checks, read-only: the install's catalog through the connector's own
 * catalog reading (`SageProConnector.shape`, SQLColumns over ODBC), referenced values through the
 * connector's read operations, and one SELECT for a configured numbering row. Nothing is written.
 */
import odbc from 'odbc';
import { ConnectorError } from '../connectors/errors.js';
import { ident } from '../connectors/sagepro/dialect.js';
import type { SageProConnector } from '../connectors/sagepro/connector.js';
import type { CounterName } from '../connectors/sagepro/numbering.js';
import type { TableShape } from '../connectors/sagepro/storage.js';
import { formatStorageType } from '../connectors/sagepro/types.js';
import { DEFAULT_TEXT_RULES, encodeText, TextRuleError, type TextRules } from '../text/codepage.js';
import type { DeployedFlow, FieldRequirement, OperationRequirement } from './deployed.js';
import type { Finding } from './findings.js';
import { EXTREF, LOCATION_COLUMNS, NUMBERING_NEEDS, OPERATION_NEEDS, POLL_NEEDS, REFERENCE_LOOKUPS, type TableNeed } from '../connectors/sagepro/preflight.js';

export interface NumberingSpec {
  readonly method: 'table' | 'max_plus_one' | 'flow';
  readonly table?: string;
  readonly keyColumn?: string;
  readonly key?: string;
  readonly numberColumn?: string;
  readonly holds?: 'next' | 'last';
  readonly where?: Readonly<Record<string, string | number>>;
}

export interface SageProSettings {
  readonly dsn: string;
  readonly externalRefColumn: string;
  /** `connections.sagepro.tracking_column` (default SOTRACK): where shipments' tracking numbers are. */
  readonly trackingColumn?: string;
  /** `connections.sagepro.default_location`; the connector's default (MAIN) when absent. */
  readonly defaultLocation?: string;
  readonly numbering: { readonly sales_order?: NumberingSpec; readonly ar_session?: NumberingSpec };
  /** `connections.sagepro.text`: how the install stores text (code page); DEFAULT_TEXT_RULES when absent. */
  readonly text?: TextRules;
}

/** A string as the install stores it: its code-page text and bytes, or why the rules refuse it. */
type Stored = { readonly text: string; readonly bytes: number } | { readonly refused: string };

/** The connector's location for orders and lines without one, when connect.yaml sets none. */
export const CONNECTOR_DEFAULT_LOCATION = 'MAIN';

type Shape = TableShape | null;

export class SageProDoctor {
  private readonly shapes = new Map<string, Promise<Shape>>();
  private readonly refCache = new Map<string, Promise<{ found: boolean } | { tooLong: string } | { refused: string } | { failed: string } | { skip: true }>>();

  constructor(private readonly connector: SageProConnector, private readonly settings: SageProSettings) {}

  /**
   * How the install stores `s` under connections.sagepro.text (runtime/text/codepage.ts, as the
   * connector does on every write and key): C(n) holds n bytes of the code page, not n characters.
   */
  stored(s: string): Stored {
    try {
      const e = encodeText(s, this.settings.text ?? DEFAULT_TEXT_RULES);
      return { text: e.text, bytes: e.bytes };
    } catch (e) {
      if (e instanceof TextRuleError) return { refused: `${e.message} (connections.sagepro.text: ${e.kind} is reject)` };
      throw e;
    }
  }

  /** Bytes `s` takes on the install; a refused string counts as its characters (its refusal is reported apart). */
  private bytes(s: string): number {
    const st = this.stored(s);
    return 'bytes' in st ? st.bytes : [...s].length;
  }

  /** Connectivity: one catalog read. Returns the finding when the install cannot be reached. */
  async connect(): Promise<Finding | undefined> {
    try {
      await this.shape('ARCUST');
      return undefined;
    } catch (e) {
      return {
        flow: '*', operation: 'sagepro', check: 'connection', severity: 'error',
        message: `Sage Pro cannot be reached through connections.sagepro.dsn: ${(e as Error).message}`,
        fix: 'check connections.sagepro.dsn (the ODBC driver, the data source and its credentials) and that the database is up',
      };
    }
  }

  /** The install's table, or null when it has none by that name. Connection failures throw. */
  shape(table: string): Promise<Shape> {
    let p = this.shapes.get(table);
    if (!p) {
      p = this.connector.shape(table).catch((e: unknown) => {
        if (e instanceof ConnectorError && e.errorClass === 'invalid' && /not found on this install/.test(e.message)) return null;
        throw e;
      });
      this.shapes.set(table, p);
    }
    return p;
  }

  /** Every finding for one Sage Pro operation (or poll trigger) of a flow. */
  async checkOperation(flow: DeployedFlow, op: string, needs: readonly TableNeed[], req?: OperationRequirement): Promise<Finding[]> {
    const out: Finding[] = [];
    const add = (f: Omit<Finding, 'flow' | 'operation'>) => out.push({ flow: flow.name, operation: op, ...f });
    const extCol = this.settings.externalRefColumn.toUpperCase();
    const mapped = new Set((req?.fields ?? []).map((f) => f.path));

    // 1. Tables and the columns the connector needs.
    const seen = new Set<string>();
    for (const n of needs) {
      const sh = await this.shape(n.table);
      if (!sh) {
        if (n.optionalTable) { add({ check: 'table', severity: 'info', message: `${n.table} is not on this install (optional): no row is written there (${n.why})`, fix: '' }); continue; }
        if (!seen.has(`${n.table}.`)) add({ check: 'table', severity: 'error', message: `table ${n.table} (${n.why}) is not on this install`, fix: `check connections.sagepro.company, and connections.sagepro.modules / .tables where this install keeps its tables per module folder (ARDATA, SODATA, ICDATA) or under other names` });
        seen.add(`${n.table}.`);
        continue;
      }
      for (const c0 of n.required) {
        const c = c0 === EXTREF ? extCol : c0;
        if (sh.columns.has(c) || seen.has(`${n.table}.${c}`)) continue;
        seen.add(`${n.table}.${c}`);
        add(c0 === EXTREF
          ? { check: 'column', severity: 'error', message: `${n.table} has no column ${c}, which holds SalesOrder.external_ref (the exactly-once check) on this install`, fix: `set connections.sagepro.external_ref_column to a column of ${n.table} that holds the shop's reference (e.g. PONUM), or add ${c} C(30) to ${n.table}` }
          : { check: 'column', severity: 'error', message: `${n.table} has no column ${c}, which ${op.replace(/^sagepro\./, '')} needs (${n.why})`, fix: `this install's ${n.table} differs from the supported layout: add ${c}, or report the install's layout` });
      }
      for (const c of n.optional ?? []) {
        if (sh.columns.has(c) || seen.has(`${n.table}.${c}`)) continue;
        seen.add(`${n.table}.${c}`);
        add({ check: 'optional-column', severity: 'info', message: `${n.table} has no column ${c} (optional: no public source confirms it); it is neither written nor read here`, fix: '' });
      }
    }

    // 1b. Tracking numbers: a flow that sends them to X-Cart reads the site's tracking column.
    if (op === 'trigger sagepro.SalesOrderStatus' && flow.operations.some((o) => o.system === 'xcart' && /(^|\.)orders\.(set_tracking|add_staff_note)$/.test(o.operation))) {
      const col = (this.settings.trackingColumn ?? 'SOTRACK').toUpperCase();
      const sh = await this.shape('SOMAST');
      if (sh && !sh.columns.has(col)) {
        add({ check: 'optional-column', severity: 'info', message: `SOMAST has no column ${col} (connections.sagepro.tracking_column${this.settings.trackingColumn ? '' : ', default SOTRACK'}): shipments on this install carry no tracking number, so none reaches X-Cart; shipping statuses still do`, fix: 'if this install keeps tracking numbers in another SOMAST column, set connections.sagepro.tracking_column to it' });
      }
    }

    // 2. The fields the flow maps: their columns and widths.
    for (const f of req?.fields ?? []) {
      if (!f.table || !f.column) continue;
      const column = f.entity === 'SalesOrder' && f.field === 'external_ref' ? extCol : f.column;
      const sh = await this.shape(f.table);
      if (!sh) {
        if (!seen.has(`${f.table}.`)) add({ check: 'table', severity: 'error', message: `the flow maps ${f.entity}.${f.field} (${f.site}) into table ${f.table}, which is not on this install`, fix: `remove the mapping from the flow, or create ${f.table}` });
        seen.add(`${f.table}.`);
        continue;
      }
      const spec = sh.columns.get(column);
      if (!spec) {
        if (seen.has(`${f.table}.${column}`)) continue;
        seen.add(`${f.table}.${column}`);
        add({ check: 'column', severity: 'error', message: `the flow maps ${f.entity}.${f.field} (${f.site}) into ${f.table}.${column}, which this install lacks`, fix: `remove '${f.path.split('.').pop()!.replace('[]', '')} = ...' from the flow and rebuild, or add ${f.table}.${column} ${f.type ?? ''}`.trim() });
        continue;
      }
      if (spec.type.kind !== 'C') continue;
      const width = spec.type.width;
      const longLiterals = f.literals.filter((l) => this.bytes(l) > width);
      for (const l of f.literals) {
        const st = this.stored(l);
        if ('refused' in st) add({ check: 'text', severity: 'error', message: `${f.entity}.${f.field} (${f.site}) may be '${l}', which ${f.table}.${column} cannot store: ${st.refused}`, fix: `use characters of the install's code page in the flow and rebuild, or set connections.sagepro.text.unmappable: transliterate` });
      }
      if (f.maxLength !== undefined && f.maxLength > width) {
        add({ check: 'width', severity: 'error', message: `${f.entity}.${f.field} (${f.site}) may be up to ${f.maxLength} characters, but ${f.table}.${column} is ${formatStorageType(spec.type)} on this install`, fix: `truncate the value to ${width} in the flow (truncate(value, ${width})) and rebuild, or widen ${f.table}.${column}` });
      } else if (longLiterals.length) {
        add({ check: 'width', severity: 'error', message: `${f.entity}.${f.field} (${f.site}) may be ${longLiterals.map((l) => `'${l}'`).join(', ')}, longer than ${f.table}.${column} ${formatStorageType(spec.type)} on this install`, fix: `use values of at most ${width} characters in the flow and rebuild` });
      }
    }

    // 3. Values from lookup tables and literals that must exist in another table.
    for (const f of req?.fields ?? []) {
      if (!f.references) continue;
      const sources = new Map<string, string>(); // value → where it comes from
      for (const l of f.literals) if (l.trim() !== '') sources.set(l, `the literal '${l}' at ${f.site}`);
      for (const t of flow.tables.filter((x) => f.tables.includes(x.name))) {
        for (const v of t.values) if (v.trim() !== '' && !sources.has(v)) sources.set(v, `${t.file ?? `table ${t.name}`} (table ${t.name} of ${flow.source})`);
      }
      for (const [v, from] of sources) out.push(...(await this.checkReference(flow, op, f, v, from)));
    }

    // 4. Numbering.
    for (const n of NUMBERING_NEEDS[op.replace(/^sagepro\./, '')] ?? []) {
      if (!req || (n.unlessMapped && mapped.has(n.unlessMapped))) continue;
      if (!n.counter) {
        add({ check: 'numbering', severity: 'error', message: `${op.replace(/^sagepro\./, '')} needs ${n.unlessMapped} (${n.why}) and the flow does not supply it; no numbering setting can give it`, fix: `map ${n.unlessMapped} in the flow and rebuild` });
        continue;
      }
      out.push(...(await this.checkNumbering(flow, op, n.counter, n.why, false)));
    }

    // 5. The location an order takes when the flow gives none.
    if (op === 'sagepro.sales_orders.create' && !mapped.has('location') && !mapped.has('lines[].location')) {
      out.push(...(await this.checkDefaultLocation(flow, op)));
    }
    return out;
  }

  /**
   * A stored field compared with a literal (`skip when event.data.location != "MAIN"`): a literal
   * that cannot fit the install's column, or that no row holds, makes the comparison never true.
   * Reported on the trigger when the field is the polled entity's, else on `conditions`.
   */
  async checkComparisons(flow: DeployedFlow): Promise<Finding[]> {
    const out: Finding[] = [];
    for (const c of flow.comparisons) {
      const operation = this.conditionOperation(flow, c.entity);
      const base = { flow: flow.name, operation, check: 'comparison' as const };
      const effect = c.step === 'skip' && c.op === '!=' ? 'the flow skips every row' : c.step === 'skip' ? 'the skip never applies' : 'the comparison is never true';
      const severity = c.step === 'skip' && c.op === '!=' ? 'error' as const : 'warning' as const;
      const spec = (await this.shape(c.table))?.columns.get(c.column);
      if (!spec) continue; // the table/column findings of the operations say so
      if (spec.type.kind === 'C' && this.bytes(c.literal) > spec.type.width) {
        out.push({ ...base, severity, message: `${c.site} compares ${c.entity}.${c.field} with '${c.literal}', but ${c.table}.${c.column} is ${formatStorageType(spec.type)} on this install and cannot hold it: ${effect}`, fix: `compare with the code this install uses (at most ${spec.type.width} characters) and rebuild the flows` });
        continue;
      }
      const lookup = REFERENCE_LOOKUPS[`${c.table}.${c.column}`];
      if (!lookup) continue;
      let found: boolean;
      try { found = lookup.found(await this.connector.call(lookup.operation, lookup.args(c.literal)), c.literal); } catch { continue; }
      if (!found) out.push({ ...base, severity, message: `${c.site} compares ${c.entity}.${c.field} with '${c.literal}', but no ${c.table} row has ${c.column} '${c.literal}' on this install: ${effect}`, fix: `compare with the code this install uses and rebuild the flows` });
    }
    return out;
  }

  /**
   * A lookup table whose keys are matched against a stored field (`web_warehouse[trim(event.data.location)]`):
   * a key the install's column cannot hold, or that no row has, never matches. When no key can
   * match, every row gets the table's miss (`skip when !t[...]` defaulting to false: every row is
   * skipped). Width and existence are checked only where the key says which stored values it
   * matches exactly (directly or through trim); through upper/lower only the key's own case.
   */
  async checkKeyedLookups(flow: DeployedFlow): Promise<Finding[]> {
    const out: Finding[] = [];
    for (const k of flow.keyedLookups) {
      const operation = this.conditionOperation(flow, k.entity);
      const spec = (await this.shape(k.table))?.columns.get(k.column);
      if (!spec) continue; // the table/column findings of the operations say so
      const exact = k.through.every((t) => t === 'trim');
      const lookup = REFERENCE_LOOKUPS[`${k.table}.${k.column}`];
      const file = k.file ?? `table ${k.name}`;
      const why = new Map<string, string>(); // key → why it never matches
      for (const key of k.keys) {
        const image = k.through.reduce((v, t) => (t === 'trim' ? v.trim() : t === 'upper' ? v.toUpperCase() : v.toLowerCase()), key);
        if (image !== key) { why.set(key, `which ${k.through.reduceRight((e, t) => `${t}(${e})`, `${k.entity}.${k.field}`)} never is`); continue; }
        if (!exact) continue;
        // A stored value is code-page text: a key that is not (an emoji, a character of another code page) never equals one.
        const st = this.stored(key);
        if ('refused' in st || st.text !== key) { why.set(key, `which is not text of this install's code page (${'refused' in st ? st.refused : `stored, it would be '${st.text}'`})`); continue; }
        if (spec.type.kind === 'C' && st.bytes > spec.type.width) { why.set(key, `which ${k.table}.${k.column} ${formatStorageType(spec.type)} cannot hold on this install`); continue; }
        if (!lookup || key.trim() === '') continue;
        let found: boolean;
        try { found = lookup.found(await this.connector.call(lookup.operation, lookup.args(key)), key); } catch { continue; }
        if (!found) why.set(key, `but no ${k.table} row has ${k.column} '${key}' on this install`);
      }
      const none = why.size === k.keys.length && k.keys.length > 0;
      const effect = !none ? 'that entry never applies'
        : k.onNoMatch === 'skip' ? 'the flow skips every row' : k.onNoMatch === 'reject' ? 'every row is rejected' : k.onNoMatch === 'null' ? 'every row gets null' : "every row gets the table's default";
      const severity = none && (k.onNoMatch === 'skip' || k.onNoMatch === 'reject') ? 'error' as const : 'warning' as const;
      const width = spec.type.kind === 'C' ? ` (at most ${spec.type.width} characters)` : '';
      for (const [key, reason] of why) {
        out.push({
          flow: flow.name, operation, check: 'lookup-key', severity,
          message: `${file} lists '${key}', ${reason}: ${k.site} looks up ${k.entity}.${k.field} in table ${k.name}, so ${effect}`,
          fix: `list in ${file} the ${k.column} codes this install uses${width} (the site's own copy of the lookups) and rebuild the flows`,
        });
      }
    }
    return out;
  }

  /** Where a condition on a stored field is reported: the trigger when the field is the polled entity's, else `conditions`. */
  private conditionOperation(flow: DeployedFlow, entity: string): string {
    return flow.trigger.kind === 'poll' && flow.trigger.system === 'sagepro' && flow.trigger.entity === entity ? `trigger sagepro.${entity}` : 'conditions';
  }

  private async checkReference(flow: DeployedFlow, op: string, f: FieldRequirement, value: string, from: string): Promise<Finding[]> {
    const base = { flow: flow.name, operation: op };
    const [table, column] = f.references!.split('.') as [string, string];
    const lookup = REFERENCE_LOOKUPS[f.references!];
    if (!lookup) return [];
    const key = `${f.references}\u0000${value}`;
    let p = this.refCache.get(key);
    if (!p) {
      p = (async () => {
        const sh = await this.shape(table);
        if (!sh || !sh.columns.has(column)) return { skip: true as const }; // the table / column findings say so
        const spec = sh.columns.get(column)!;
        const st = this.stored(value.trim());
        if ('refused' in st) return { refused: st.refused };
        if (spec.type.kind === 'C' && st.bytes > spec.type.width) return { tooLong: formatStorageType(spec.type) };
        try {
          return { found: lookup.found(await this.connector.call(lookup.operation, lookup.args(value)), value) };
        } catch (e) {
          return { failed: (e as Error).message };
        }
      })();
      this.refCache.set(key, p);
    }
    const r = await p;
    if ('skip' in r) return [];
    if ('found' in r) {
      if (r.found) return [];
      return [{ ...base, check: 'lookup-value', severity: 'error', message: `'${value}' from ${from} feeds ${f.entity}.${f.field}, but ${table} has no ${column} '${value}' on this install`, fix: `add ${column} '${value}' to ${table}, or change the value in ${from.split(' (')[0]} and rebuild the flows` }];
    }
    if ('refused' in r) {
      return [{ ...base, check: 'text', severity: 'error', message: `'${value}' from ${from} feeds ${f.entity}.${f.field}, but ${table}.${column} cannot store it: ${r.refused}`, fix: `use characters of the install's code page in ${from.split(' (')[0]} and rebuild the flows, or set connections.sagepro.text.unmappable: transliterate` }];
    }
    if ('tooLong' in r) {
      return [{ ...base, check: 'width', severity: 'error', message: `'${value}' from ${from} feeds ${f.entity}.${f.field}, but ${table}.${column} is ${r.tooLong} on this install`, fix: `use a value that fits ${r.tooLong} in ${from.split(' (')[0]} and rebuild the flows` }];
    }
    return [{ ...base, check: 'lookup-value', severity: 'warning', message: `could not check '${value}' from ${from} against ${table}.${column}: ${r.failed}`, fix: '' }];
  }

  private async checkNumbering(flow: DeployedFlow, op: string, key: CounterName, why: string, supplied: boolean): Promise<Finding[]> {
    const base = { flow: flow.name, operation: op, check: 'numbering' as const };
    const cfgKey = `connections.sagepro.numbering.${key}`;
    const spec = this.settings.numbering[key];
    if (!spec) {
      return [{ ...base, severity: 'error', message: `${op.replace(/^sagepro\./, '')} needs a ${key === 'sales_order' ? 'sales order number' : 'AR session number'} (${why}) and ${cfgKey} is not set`, fix: `set ${cfgKey}: { method: table, table, key_column, key, number_column, holds: next|last } for the site's numbering table, or { method: max_plus_one }${key === 'sales_order' ? ', or { method: flow } and map SalesOrder.number in the flow' : ''}` }];
    }
    if (spec.method === 'flow') {
      if (supplied) return [];
      return [{ ...base, severity: 'error', message: `${cfgKey} is { method: flow } but the flow does not supply the number (${why})`, fix: `map the number in the flow, or set ${cfgKey} to the site's numbering table` }];
    }
    if (spec.method !== 'table') return [];
    const problems: string[] = [];
    const table = (spec.table ?? '').toUpperCase();
    const sh = table ? await this.shape(table) : null;
    if (!sh) {
      return [{ ...base, severity: 'error', message: `${cfgKey}.table ${table || '(empty)'} is not on this install`, fix: `set ${cfgKey}.table to the table this site keeps its next numbers in` }];
    }
    const cols: [string, string | undefined][] = [['key_column', spec.keyColumn], ['number_column', spec.numberColumn], ...Object.keys(spec.where ?? {}).map((c) => [`where.${c}`, c] as [string, string])];
    for (const [k, c] of cols) if (!c || !sh.columns.has(c.toUpperCase())) problems.push(`${cfgKey}.${k} ${c ?? '(unset)'} is not a column of ${table}`);
    if (problems.length) return problems.map((m) => ({ ...base, severity: 'error' as const, message: m, fix: `name the columns of ${table} as the install has them (${[...sh.columns.keys()].join(', ')})` }));
    // The key row must exist: read it (one SELECT, nothing written).
    const conds = [[spec.keyColumn!, String(spec.key ?? '')] as const, ...Object.entries(spec.where ?? {}).map(([c, v]) => [c, String(v)] as const)];
    let rows: unknown[];
    try {
      const conn = await odbc.connect(this.settings.dsn);
      try {
        rows = Array.from(await conn.query(`SELECT ${ident(spec.numberColumn!.toUpperCase())} FROM ${this.connector.dialect.table(table)} WHERE ${conds.map(([c]) => `RTRIM(${ident(c.toUpperCase())}) = ?`).join(' AND ')}`, conds.map(([, v]) => v.trim())) as unknown[]);
      } finally { await conn.close(); }
    } catch (e) {
      return [{ ...base, severity: 'warning', message: `could not read the numbering row of ${table}: ${(e as Error).message}`, fix: '' }];
    }
    if (rows.length === 0) {
      return [{ ...base, severity: 'error', message: `${table} has no row ${conds.map(([c, v]) => `${c.toUpperCase()} = '${v}'`).join(', ')} (${cfgKey})`, fix: `check ${cfgKey}.key and .where against the rows of ${table}` }];
    }
    return [];
  }

  private async checkDefaultLocation(flow: DeployedFlow, op: string): Promise<Finding[]> {
    const loc = this.settings.defaultLocation ?? CONNECTOR_DEFAULT_LOCATION;
    const origin = this.settings.defaultLocation ? 'connections.sagepro.default_location' : `the connector's default; connections.sagepro.default_location is not set`;
    const base = { flow: flow.name, operation: op, check: 'default-location' as const };
    const out: Finding[] = [];
    const narrow: string[] = [];
    for (const [t, c] of LOCATION_COLUMNS[op.replace(/^sagepro\./, '')] ?? []) {
      const spec = (await this.shape(t))?.columns.get(c);
      if (spec?.type.kind === 'C' && this.bytes(loc) > spec.type.width) narrow.push(`${t}.${c} ${formatStorageType(spec.type)}`);
    }
    if (narrow.length) {
      out.push({ ...base, severity: 'error', message: `the flow gives no location, so orders take '${loc}' (${origin}), which does not fit ${narrow.join(', ')} on this install`, fix: 'set connections.sagepro.default_location to the web store\'s warehouse as this install names it' });
      return out;
    }
    if (!(await this.shape('ICILOC'))?.columns.has('LOCTID')) return out; // the table / column findings say so
    const r = await this.checkLocationExists(loc);
    if (r === false) out.push({ ...base, severity: 'error', message: `the flow gives no location, so orders take '${loc}' (${origin}), but ICILOC has no item stocked at LOCTID '${loc}' on this install`, fix: 'set connections.sagepro.default_location to the web store\'s warehouse as this install names it' });
    else if (typeof r === 'string') out.push({ ...base, severity: 'warning', message: `could not check the location '${loc}' in ICILOC: ${r}`, fix: '' });
    return out;
  }

  private async checkLocationExists(loc: string): Promise<boolean | string> {
    try {
      const levels = await this.connector.call('inventory.levels', { location: loc });
      return Array.isArray(levels) && levels.length > 0;
    } catch (e) { return (e as Error).message; }
  }
}

/** The Sage Pro operations and poll triggers of a flow, with what each needs. */
export function sageProWork(flow: DeployedFlow): { operation: string; needs: readonly TableNeed[]; req?: OperationRequirement }[] {
  const work: { operation: string; needs: readonly TableNeed[]; req?: OperationRequirement }[] = [];
  if (flow.trigger.kind === 'poll' && flow.trigger.system === 'sagepro') {
    work.push({ operation: `trigger sagepro.${flow.trigger.entity}`, needs: POLL_NEEDS[flow.trigger.entity] ?? [] });
  }
  const seen = new Set<string>();
  for (const o of flow.operations) {
    if (o.system !== 'sagepro') continue;
    // One entry per operation; a write's mapped fields win over a repeated read of the same name.
    if (seen.has(o.operation) && !o.fields) continue;
    seen.add(o.operation);
    const i = work.findIndex((w) => w.operation === o.operation);
    const entry = { operation: o.operation, needs: OPERATION_NEEDS[o.operation.replace(/^sagepro\./, '')] ?? [], req: o };
    if (i >= 0) work[i] = entry; else work.push(entry);
  }
  return work;
}

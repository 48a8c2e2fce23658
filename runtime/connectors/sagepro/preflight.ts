/**
 * The install check behind `flowd doctor` (and the connector's start-up check): for a set of
 * catalog operations and the install's catalog (the columns SQLColumns gave per table, or null
 * when the table is missing), what is missing: tables, columns, widths, numbering not configured.
 * Pure: it reads nothing and writes nothing; the caller reads the catalog (SageProConnector.checkInstall).
 */
import { numberingKey, type CounterName, type NumberingOptions } from './numbering.js';
import type { SchemaSet } from './schemas.js';
import type { TableShape } from './storage.js';

export interface InstallProblem {
  severity: 'error' | 'warning';
  /** The operations affected. */
  operations: string[];
  table?: string;
  column?: string;
  /** The connect.yaml key whose value does not fit the install (a configuration mistake), if any. */
  config?: string;
  message: string;
}

/** Tables and the columns each operation cannot do without (reference: "What an integration should assume"). */
const NEEDS: Record<string, Record<string, string[]>> = {
  'sales_orders.create': {
    SOMAST: ['SONO', 'CUSTNO'], SOTRAN: ['SONO', 'ITEM', 'QTYORD'], SOYMST: ['SONO'], ARCUST: ['CUSTNO'],
    ICITEM: ['ITEM'], ICILOC: ['ITEM', 'LOCTID', 'LSOALOC'],
  },
  'sales_orders.get': { SOMAST: ['SONO'], SOTRAN: ['SONO'], SOADDR: ['SONO'], SOYMST: ['SONO'], SOYTRN: ['SONO'], SOYADR: ['SONO'] },
  'sales_orders.find_by_ref': { SOMAST: ['SONO'], SOYMST: ['SONO'] },
  'sales_orders.status': { SOMAST: ['SONO'], SOTRAN: ['SONO', 'ITEM', 'QTYORD', 'QTYSHP'], SOYMST: ['SONO'], SOYTRN: ['SONO', 'ITEM', 'QTYORD', 'QTYSHP'], ARMAST: ['INVNO', 'ORNUM', 'INVDTE', 'BALANCE', 'ARSTAT'] },
  'customers.get': { ARCUST: ['CUSTNO'] },
  'customers.find_by_email': { ARCUST: ['CUSTNO', 'EMAIL'] },
  'customers.upsert': { ARCUST: ['CUSTNO', 'COMPANY'] },
  'inventory.level': { ICILOC: ['ITEM', 'LOCTID'] },
  'inventory.levels': { ICILOC: ['ITEM', 'LOCTID'] },
  'inventory.item': { ICITEM: ['ITEM'] },
  'receivables.post_invoice': {
    ARMAST: ['INVNO', 'CUSTNO', 'INVAMT', 'BALANCE'], ARTRAN: ['INVNO'], ARDIST: ['GLACNT', 'TRANNO', 'ARSESS', 'AMOUNT'],
    ARCUST: ['CUSTNO'], GLACNT: ['GLACNT'], ICITEM: ['ITEM'],
  },
  'receivables.post_payment': {
    ARMAST: ['INVNO', 'CUSTNO', 'PAIDAMT', 'BALANCE'], ARTRAN: ['INVNO'], ARDIST: ['GLACNT', 'TRANNO', 'ARSESS', 'AMOUNT'],
    ARCUST: ['CUSTNO'], GLACNT: ['GLACNT'],
  },
  'gl.accounts': { GLACNT: ['GLACNT'] },
};
/** Tables an operation uses where the install has them. */
const OPTIONAL: Record<string, string[]> = { 'receivables.post_payment': ['ARCASH'] };
/** Counters an operation may need. */
const COUNTERS: Record<string, CounterName> = { 'sales_orders.create': 'sales_order', 'receivables.post_invoice': 'ar_session' };
/** Columns holding a location code (the default location must fit them). */
const LOCATION_COLUMNS: Record<string, string[]> = { 'sales_orders.create': ['SOMAST.LOCTID', 'SOMAST.DEFLOC', 'SOTRAN.LOCTID', 'ICILOC.LOCTID'] };

/** Every table checkInstall looks at for these operations (the caller reads their catalog). */
export function installTablesOf(operations: string[], numbering: NumberingOptions = {}): string[] {
  const out = new Set<string>();
  for (const op of operations) {
    for (const t of Object.keys(NEEDS[op] ?? {})) out.add(t);
    for (const t of OPTIONAL[op] ?? []) out.add(t);
    const c = COUNTERS[op];
    const cfg = c ? numbering[c] : undefined;
    if (cfg?.method === 'table') out.add(cfg.table);
  }
  return [...out];
}

export interface CheckInput {
  operations: string[];
  /** Logical table → its columns on the install, or null when it has no such table. */
  catalog: Map<string, TableShape | null>;
  numbering: NumberingOptions;
  defaultLocation?: string;
  schemas?: SchemaSet;
  externalRefColumn?: string;
  /** Physical name of a logical table, for messages. */
  tableName?: (logical: string) => string;
}

export function checkInstall(input: CheckInput): InstallProblem[] {
  const problems: InstallProblem[] = [];
  const name = input.tableName ?? ((t: string) => t);
  const add = (p: InstallProblem) => {
    const same = problems.find((q) => q.message === p.message);
    if (same) { for (const o of p.operations) if (!same.operations.includes(o)) same.operations.push(o); } else problems.push(p);
  };
  for (const op of input.operations) {
    for (const [table, cols] of Object.entries(NEEDS[op] ?? {})) {
      const sh = input.catalog.get(table);
      if (!sh) { add({ severity: 'error', operations: [op], table, message: `table ${table} (${name(table)}) not found` }); continue; }
      const need = op === 'sales_orders.create' && table === 'SOMAST' && input.externalRefColumn ? [...cols, input.externalRefColumn] : cols;
      for (const c of need) if (!sh.columns.has(c)) add({ severity: 'error', operations: [op], table, column: c, message: `${table} has no column ${c}` });
    }
    for (const table of OPTIONAL[op] ?? []) {
      if (!input.catalog.get(table)) add({ severity: 'warning', operations: [op], table, message: `optional table ${table} not found: payments are recorded in ARMAST and ARDIST only` });
    }
    const counter = COUNTERS[op];
    if (counter) {
      const cfg = input.numbering[counter];
      const key = numberingKey(counter);
      if (!cfg) {
        add({ severity: 'warning', operations: [op], message: `${key} is not set: ${counter === 'sales_order' ? 'an order without a number' : 'an invoice without a session'} is rejected (set method table, max_plus_one or flow)` });
      } else if (cfg.method === 'table') {
        const sh = input.catalog.get(cfg.table);
        if (!sh) add({ severity: 'error', operations: [op], config: `${key}.table`, table: cfg.table, message: `numbering table ${cfg.table} (${name(cfg.table)}) not found` });
        else {
          for (const [k, c] of [['key_column', cfg.keyColumn], ['number_column', cfg.numberColumn], ...Object.keys(cfg.where ?? {}).map((w) => [`where.${w}`, w])] as [string, string][]) {
            if (!sh.columns.has(c)) add({ severity: 'error', operations: [op], config: `${key}.${k}`, table: cfg.table, column: c, message: `${cfg.table} has no column ${c}` });
          }
          const nt = sh.columns.get(cfg.numberColumn)?.type;
          if (nt && !['N', 'I', 'C', 'Y'].includes(nt.kind)) add({ severity: 'error', operations: [op], config: `${key}.number_column`, table: cfg.table, column: cfg.numberColumn, message: `${cfg.table}.${cfg.numberColumn} cannot hold a number` });
          const kt = sh.columns.get(cfg.keyColumn)?.type;
          if (kt?.kind === 'C' && cfg.key.length > kt.width) add({ severity: 'error', operations: [op], config: `${key}.key`, table: cfg.table, column: cfg.keyColumn, message: `key '${cfg.key}' is longer than ${cfg.table}.${cfg.keyColumn} (C(${kt.width}))` });
        }
      }
    }
    const loc = input.defaultLocation;
    for (const tc of LOCATION_COLUMNS[op] ?? []) {
      const [table, column] = tc.split('.') as [string, string];
      const t = input.catalog.get(table)?.columns.get(column)?.type;
      if (loc && t?.kind === 'C' && loc.length > t.width) {
        add({ severity: 'error', operations: [op], config: 'sagepro.default_location', table, column, message: `default location '${loc}' does not fit ${table}.${column} (C(${t.width})); set the site's web warehouse code` });
      }
    }
    // Columns the entity schemas map that this install lacks: a flow that maps them is rejected.
    if (input.schemas) {
      for (const e of input.schemas.entities.values()) {
        if (!NEEDS[op]?.[e.table]) continue;
        const sh = input.catalog.get(e.table);
        if (!sh) continue;
        for (const m of e.columns) {
          if (!m.readOnly && !sh.columns.has(m.column)) add({ severity: 'warning', operations: [op], table: m.table, column: m.column, message: `${e.name}.${m.property}: ${m.table} has no column ${m.column}${m.optional ? ' (a column not every install has)' : ''}; a flow that maps it is rejected` });
          const w = sh.columns.get(m.column)?.type;
          if (w?.kind === 'C' && m.type.kind === 'C' && w.width < m.type.width) add({ severity: 'warning', operations: [op], table: m.table, column: m.column, message: `${e.name}.${m.property}: ${m.table}.${m.column} is C(${w.width}) here, the schema says C(${m.type.width}); longer values are rejected` });
        }
      }
    }
  }
  return problems;
}

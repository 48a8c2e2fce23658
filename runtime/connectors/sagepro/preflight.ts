/**
 * What each connector operation needs from an install (OPERATION_NEEDS, POLL_NEEDS, NUMBERING_NEEDS,
 * LOCATION_COLUMNS, REFERENCE_LOOKUPS: the one table, read by `flowd doctor` too), and the
 * connector's start-up check over it: for a set of catalog operations and the install's catalog
 * (the columns SQLColumns gave per table, or null when the table is missing), what is missing:
 * tables, columns, widths, numbering not configured. checkInstall is pure: it reads nothing and
 * writes nothing; the caller reads the catalog (SageProConnector.checkInstall).
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

/**
 * What one operation of the connector (connector.ts) touches in one table: the columns it cannot
 * work without (`required`) and the columns it uses only where the install has them (`optional`: the
 * columns no public source confirms, sagepro-tables.md section 0b). The one table of what each
 * operation needs: `checkInstall` below and `flowd doctor` (runtime/doctor/) both read it. When the
 * connector's SQL changes, change it here (README.md, "Adding an operation").
 */
export interface TableNeed {
  readonly table: string;
  readonly required: readonly string[];
  readonly optional?: readonly string[];
  /** The table is used only when the install has it (e.g. ARCASH); its absence is not an error. */
  readonly optionalTable?: boolean;
  /** Why the operation touches the table (shown in messages). */
  readonly why: string;
  /** What the connector does instead when an optional table is absent. */
  readonly whenAbsent?: string;
}

/** Stands for the external reference column (`external_ref_column`, SalesOrder.external_ref's column). */
export const EXTREF = '$EXTREF';

const AUDIT = ['ADDUSER', 'ADDDATE', 'ADDTIME'];

const ORDER_READ: TableNeed[] = [
  { table: 'SOMAST', required: ['SONO', 'CUSTNO'], why: 'sales order header' },
  { table: 'SOTRAN', required: ['SONO', 'ITEM', 'QTYORD', 'QTYSHP'], optional: ['LINENO', 'SHIPDATE'], why: 'sales order lines' },
  { table: 'SOADDR', required: ['SONO'], why: 'ship-to address' },
  { table: 'SOYMST', required: ['SONO', 'CUSTNO'], why: 'closed orders (history header)' },
  { table: 'SOYTRN', required: ['SONO', 'ITEM', 'QTYORD', 'QTYSHP'], optional: ['LINENO', 'SHIPDATE'], why: 'closed orders (history lines)' },
  { table: 'SOYADR', required: ['SONO'], why: 'closed orders (history ship-to)' },
];

const AR_DIST: TableNeed = {
  table: 'ARDIST', required: ['GLACNT', 'TRANNO', 'TRANDTE', 'ARSESS', 'AMOUNT'],
  optional: ['CUSTNO', 'DESCRIP', ...AUDIT], why: 'GL distribution rows',
};

const STOCK: TableNeed[] = [{ table: 'ICILOC', required: ['ITEM', 'LOCTID', 'LONHAND', 'LSOALOC', 'LWOALOC'], why: 'stock per location' }];

/** Per catalog operation (`sales_orders.create`), every table it touches. */
export const OPERATION_NEEDS: Readonly<Record<string, readonly TableNeed[]>> = {
  'sales_orders.create': [
    { table: 'SOMAST', required: ['SONO', 'CUSTNO', 'SODATE', 'ORDAMT', 'SHPAMT', 'DEFLOC', 'LOCTID', 'SOSTAT', EXTREF], optional: AUDIT, why: 'the new order header' },
    { table: 'SOTRAN', required: ['SONO', 'CUSTNO', 'ITEM', 'DESCRIP', 'LOCTID', 'QTYORD', 'QTYSHP', 'PRICE', 'DISC', 'EXTPRICE'], optional: ['LINENO', ...AUDIT], why: 'the new order lines' },
    { table: 'SOADDR', required: ['SONO', 'CUSTNO'], why: 'the ship-to address' },
    { table: 'SOYMST', required: ['SONO', EXTREF], why: 'the number and external reference checks against closed orders' },
    { table: 'ICITEM', required: ['ITEM', 'ITMDESC', 'PRICE'], why: 'item check, default price and description' },
    { table: 'ICILOC', required: ['ITEM', 'LOCTID', 'LSOALOC'], why: 'stock location check and allocation' },
    { table: 'ARCUST', required: ['CUSTNO', 'ONORDER'], why: 'customer check and open order total' },
  ],
  'sales_orders.get': ORDER_READ,
  'sales_orders.find_by_ref': [
    { table: 'SOMAST', required: ['SONO', EXTREF], why: 'the external reference search' },
    { table: 'SOYMST', required: ['SONO', EXTREF], why: 'the external reference search in closed orders' },
    ...ORDER_READ,
  ],
  'sales_orders.status': [
    { table: 'SOMAST', required: ['SONO', 'SOSTAT'], why: 'order status' },
    { table: 'SOTRAN', required: ['SONO', 'ITEM', 'QTYORD', 'QTYSHP'], optional: ['LINENO', 'SHIPDATE'], why: 'shipped quantities' },
    { table: 'SOYMST', required: ['SONO', 'SOSTAT'], why: 'status of closed orders' },
    { table: 'SOYTRN', required: ['SONO', 'ITEM', 'QTYORD', 'QTYSHP'], optional: ['LINENO', 'SHIPDATE'], why: 'shipped quantities of closed orders' },
    { table: 'ARMAST', required: ['INVNO', 'INVDTE', 'BALANCE', 'ORNUM', 'ARSTAT', 'ARTYPE'], why: 'the invoice of the order (not a credit memo, ARTYPE C)' },
  ],
  'customers.get': [{ table: 'ARCUST', required: ['CUSTNO'], why: 'customer master' }],
  'customers.find_by_email': [{ table: 'ARCUST', required: ['CUSTNO', 'EMAIL'], why: 'customer search by e-mail' }],
  'customers.upsert': [{ table: 'ARCUST', required: ['CUSTNO', 'COMPANY', 'ENTERED', 'ARACCT'], optional: AUDIT, why: 'customer master' }],
  'inventory.level': STOCK,
  'inventory.levels': STOCK,
  'inventory.item': [{ table: 'ICITEM', required: ['ITEM'], why: 'item master' }],
  'receivables.post_invoice': [
    { table: 'ARMAST', required: ['INVNO', 'CUSTNO', 'INVDTE', 'ARSTAT', 'TAX', 'INVAMT', 'PAIDAMT', 'BALANCE'], optional: ['DTEPAID', ...AUDIT], why: 'the invoice header' },
    { table: 'ARTRAN', required: ['INVNO', 'CUSTNO', 'ITEM', 'QTYSHP', 'PRICE', 'EXTPRICE'], optional: ['LINENO', 'ADDTIME'], why: 'the invoice lines' },
    AR_DIST,
    { table: 'ARCUST', required: ['CUSTNO', 'BALANCE', 'ARACCT', 'PTDSLS', 'YTDSLS', 'LSALE', 'LDATE'], why: 'customer check and balance' },
    { table: 'GLACNT', required: ['GLACNT'], why: 'GL account check' },
    { table: 'ICITEM', required: ['ITEM'], why: 'item check' },
  ],
  'receivables.post_payment': [
    { table: 'ARMAST', required: ['INVNO', 'CUSTNO', 'PAIDAMT', 'BALANCE'], optional: ['DTEPAID'], why: 'the invoice paid' },
    { table: 'ARTRAN', required: ['INVNO'], optional: ['LINENO'], why: 'the invoice read back (its lines)' },
    AR_DIST,
    { table: 'ARCUST', required: ['CUSTNO', 'BALANCE', 'ARACCT', 'LPYMT', 'LASTPAY'], why: 'customer balance and last payment' },
    { table: 'GLACNT', required: ['GLACNT'], why: 'GL account check' },
    { table: 'ARCASH', required: ['CUSTNO', 'INVNO', 'PAIDAMT'], optional: ['INVDTE', 'REFNO', 'DTEPAID', 'PONUM', 'DISAMT'], optionalTable: true, why: 'cash receipts', whenAbsent: 'payments are recorded in ARMAST and ARDIST only' },
  ],
  'gl.accounts': [{ table: 'GLACNT', required: ['GLACNT'], why: 'chart of accounts' }],
  'receivables.get_invoice': [
    { table: 'ARMAST', required: ['INVNO'], optional: ['DTEPAID'], why: 'the AR document' },
    { table: 'ARTRAN', required: ['INVNO'], optional: ['LINENO'], why: 'its lines' },
    { table: 'ARDIST', required: ['TRANNO', 'ARSESS', 'GLACNT'], why: 'its GL distribution' },
  ],
  'receivables.post_credit_memo': [
    { table: 'ARMAST', required: ['INVNO', 'CUSTNO', 'INVDTE', 'ARTYPE', 'ARSTAT', 'ORNUM', 'PONUM', 'TAX', 'INVAMT', 'PAIDAMT', 'BALANCE'], optional: ['DTEPAID', ...AUDIT], why: 'the invoice credited, and the credit memo (ARTYPE C) summed by its reference (REFNO where the install has it, else PONUM)' },
    { table: 'ARTRAN', required: ['INVNO', 'CUSTNO', 'ITEM', 'QTYSHP', 'PRICE', 'EXTPRICE'], optional: ['LINENO', 'ADDTIME'], why: 'the memo lines' },
    AR_DIST,
    { table: 'ARCUST', required: ['CUSTNO', 'BALANCE', 'ARACCT'], why: 'customer balance' },
    { table: 'GLACNT', required: ['GLACNT'], why: 'GL account check' },
    { table: 'ICITEM', required: ['ITEM'], optional: ['IONHAND'], why: 'item check and restock (total on hand, where the install keeps it)' },
    { table: 'ICILOC', required: ['ITEM', 'LOCTID', 'LONHAND'], why: 'restock at the location' },
  ],
  'sales_orders.cancel': [
    { table: 'SOMAST', required: ['SONO', 'CUSTNO', 'SOSTAT', 'ORDAMT'], why: 'the order voided (SOSTAT V)' },
    { table: 'SOTRAN', required: ['SONO', 'ITEM', 'LOCTID', 'QTYORD', 'QTYSHP', 'SOSTAT'], optional: ['LINENO', 'STKCODE'], why: 'its lines voided' },
    { table: 'SOYMST', required: ['SONO'], why: 'closed orders cannot change' },
    { table: 'ICILOC', required: ['ITEM', 'LOCTID', 'LSOALOC'], why: 'allocation released' },
    { table: 'ARCUST', required: ['CUSTNO', 'ONORDER'], why: 'open order total' },
    ...ORDER_READ,
  ],
  'sales_orders.reduce': [
    { table: 'SOMAST', required: ['SONO', 'CUSTNO', 'SOSTAT', 'ORDAMT', 'TAX'], why: 'the order amount and tax' },
    { table: 'SOTRAN', required: ['SONO', 'ITEM', 'LOCTID', 'QTYORD', 'QTYSHP', 'PRICE', 'DISC', 'EXTPRICE'], optional: ['LINENO', 'STKCODE'], why: 'the lines reduced' },
    { table: 'SOYMST', required: ['SONO'], why: 'closed orders cannot change' },
    { table: 'ICILOC', required: ['ITEM', 'LOCTID', 'LSOALOC'], why: 'allocation released' },
    { table: 'ARCUST', required: ['CUSTNO', 'ONORDER'], why: 'open order total' },
    ...ORDER_READ,
  ],
};

/** A poll of an entity (changes.ts) reads what the connector's read of that entity reads. */
export const POLL_NEEDS: Readonly<Record<string, readonly TableNeed[]>> = {
  SalesOrderStatus: OPERATION_NEEDS['sales_orders.status']!,
  InventoryLevel: OPERATION_NEEDS['inventory.levels']!,
  SalesOrder: OPERATION_NEEDS['sales_orders.get']!,
  Customer: OPERATION_NEEDS['customers.get']!,
  InventoryItem: OPERATION_NEEDS['inventory.item']!,
  GLAccount: OPERATION_NEEDS['gl.accounts']!,
};

/**
 * A number a write needs: the numbering counter that gives it (numbering.ts), or none when only the
 * flow can supply it, and the field of the written value that makes it unnecessary when mapped.
 */
export interface NumberingNeed {
  readonly counter?: CounterName;
  readonly unlessMapped?: string;
  readonly why: string;
}

export const NUMBERING_NEEDS: Readonly<Record<string, readonly NumberingNeed[]>> = {
  'sales_orders.create': [{ counter: 'sales_order', unlessMapped: 'number', why: 'the flow does not supply SalesOrder.number' }],
  'receivables.post_invoice': [{ counter: 'ar_session', why: 'every posting takes an AR session number (ARDIST.ARSESS)' }],
  // postPayment records payment_ref as the session (ARDIST.ARSESS, ARCASH.REFNO) and rejects a payment without it.
  // postCreditMemo records the memo's number as its session (ARDIST.ARSESS) and rejects a memo without it.
  'receivables.post_credit_memo': [{ unlessMapped: 'number', why: 'the credit memo number (ARMAST.INVNO) is also its AR session (ARDIST.ARSESS)' }],
  'receivables.post_payment': [{ unlessMapped: 'payment_ref', why: 'the payment reference is the AR session (ARDIST.ARSESS) that makes a repeated payment apply once' }],
};

/** Columns that hold the location an order takes when it gives none (the default location must fit them). */
export const LOCATION_COLUMNS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  'sales_orders.create': [['SOMAST', 'DEFLOC'], ['SOMAST', 'LOCTID'], ['SOTRAN', 'LOCTID'], ['ICILOC', 'LOCTID']],
};

/** The connector's read operation that shows whether a value exists in a referenced column (`references: TABLE.COLUMN`). */
export const REFERENCE_LOOKUPS: Readonly<Record<string, { operation: string; args: (v: string) => Record<string, unknown>; found: (r: unknown, v: string) => boolean }>> = {
  'ARCUST.CUSTNO': { operation: 'customers.get', args: (v) => ({ number: v }), found: (r) => r !== null && r !== undefined },
  'ICITEM.ITEM': { operation: 'inventory.item', args: (v) => ({ item: v }), found: (r) => r !== null && r !== undefined },
  'ICILOC.LOCTID': { operation: 'inventory.levels', args: (v) => ({ location: v }), found: (r) => Array.isArray(r) && r.length > 0 },
  'SOMAST.SONO': { operation: 'sales_orders.get', args: (v) => ({ number: v }), found: (r) => r !== null && r !== undefined },
  'GLACNT.GLACNT': {
    operation: 'gl.accounts', args: () => ({}),
    found: (r, v) => Array.isArray(r) && r.some((a) => String((a as { account?: unknown }).account ?? '').trim() === v.trim()),
  },
};

/** Every table checkInstall looks at for these operations (the caller reads their catalog). */
export function installTablesOf(operations: string[], numbering: NumberingOptions = {}): string[] {
  const out = new Set<string>();
  for (const op of operations) {
    for (const n of OPERATION_NEEDS[op] ?? []) out.add(n.table);
    for (const { counter } of NUMBERING_NEEDS[op] ?? []) {
      const cfg = counter ? numbering[counter] : undefined;
      if (cfg?.method === 'table') out.add(cfg.table);
    }
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
    const needs = OPERATION_NEEDS[op] ?? [];
    for (const n of needs) {
      const sh = input.catalog.get(n.table);
      if (!sh) {
        add(n.optionalTable
          ? { severity: 'warning', operations: [op], table: n.table, message: `optional table ${n.table} not found: ${n.whenAbsent ?? `no row is written there (${n.why})`}` }
          : { severity: 'error', operations: [op], table: n.table, message: `table ${n.table} (${name(n.table)}) not found` });
        continue;
      }
      if (n.optionalTable) continue; // used with whatever columns it has
      // The external reference column is checked when the caller names it.
      const need = n.required.flatMap((c) => (c !== EXTREF ? [c] : input.externalRefColumn ? [input.externalRefColumn] : []));
      for (const c of need) if (!sh.columns.has(c)) add({ severity: 'error', operations: [op], table: n.table, column: c, message: `${n.table} has no column ${c}` });
    }
    for (const { counter } of NUMBERING_NEEDS[op] ?? []) {
      if (!counter) continue;
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
    for (const [table, column] of LOCATION_COLUMNS[op] ?? []) {
      const t = input.catalog.get(table)?.columns.get(column)?.type;
      if (loc && t?.kind === 'C' && loc.length > t.width) {
        add({ severity: 'error', operations: [op], config: 'sagepro.default_location', table, column, message: `default location '${loc}' does not fit ${table}.${column} (C(${t.width})); set the site's web warehouse code` });
      }
    }
    // Columns the entity schemas map that this install lacks: a flow that maps them is rejected.
    if (input.schemas) {
      for (const e of input.schemas.entities.values()) {
        if (!needs.some((n) => n.table === e.table)) continue;
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

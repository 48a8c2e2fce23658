/**
 * What each Sage Pro operation of the connector (runtime/connectors/sagepro/connector.ts) reads and
 * writes on the install, beyond the fields a flow maps: the tables, the columns it cannot work
 * without (`required`) and the columns it uses only when the install has them (`optional`: the
 * columns no public source confirms, sagepro-tables.md section 0b). Kept beside the doctor, as data,
 * so a change of the connector's SQL is one edit here; runtime/doctor/README.md says how.
 */

export interface TableNeed {
  readonly table: string;
  readonly required: readonly string[];
  readonly optional?: readonly string[];
  /** The table is used only when the install has it (e.g. ARCASH); its absence is not a problem. */
  readonly optionalTable?: boolean;
  /** Why the operation touches the table (shown in messages). */
  readonly why: string;
}

/** `EXTREF` is replaced by `connections.sagepro.external_ref_column` (see extRefNeeds). */
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

export const SAGEPRO_NEEDS: Readonly<Record<string, readonly TableNeed[]>> = {
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
    { table: 'ARMAST', required: ['INVNO', 'INVDTE', 'BALANCE', 'ORNUM', 'ARSTAT'], why: 'the invoice of the order' },
  ],
  'customers.get': [{ table: 'ARCUST', required: ['CUSTNO'], why: 'customer master' }],
  'customers.find_by_email': [{ table: 'ARCUST', required: ['CUSTNO', 'EMAIL'], why: 'customer search by e-mail' }],
  'customers.upsert': [{ table: 'ARCUST', required: ['CUSTNO', 'COMPANY', 'ENTERED', 'ARACCT'], optional: AUDIT, why: 'customer master' }],
  'inventory.level': [{ table: 'ICILOC', required: ['ITEM', 'LOCTID', 'LONHAND', 'LSOALOC', 'LWOALOC'], why: 'stock per location' }],
  'inventory.levels': [{ table: 'ICILOC', required: ['ITEM', 'LOCTID', 'LONHAND', 'LSOALOC', 'LWOALOC'], why: 'stock per location' }],
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
    AR_DIST,
    { table: 'ARCUST', required: ['CUSTNO', 'BALANCE', 'ARACCT', 'LPYMT', 'LASTPAY'], why: 'customer balance and last payment' },
    { table: 'GLACNT', required: ['GLACNT'], why: 'GL account check' },
    { table: 'ARCASH', required: ['CUSTNO', 'INVNO', 'PAIDAMT'], optional: ['INVDTE', 'REFNO', 'DTEPAID', 'PONUM', 'DISAMT'], optionalTable: true, why: 'cash receipts' },
  ],
  'gl.accounts': [{ table: 'GLACNT', required: ['GLACNT'], why: 'chart of accounts' }],
};

/** A poll trigger reads its entity's main table; these are the connector reads behind each entity. */
export const SAGEPRO_POLL_NEEDS: Readonly<Record<string, readonly TableNeed[]>> = {
  SalesOrderStatus: SAGEPRO_NEEDS['sales_orders.status']!,
  InventoryLevel: SAGEPRO_NEEDS['inventory.levels']!,
  SalesOrder: SAGEPRO_NEEDS['sales_orders.get']!,
  Customer: SAGEPRO_NEEDS['customers.get']!,
  InventoryItem: SAGEPRO_NEEDS['inventory.item']!,
  GLAccount: SAGEPRO_NEEDS['gl.accounts']!,
};

/** Numbering a write needs: the connect.yaml key, and when the flow's mapping makes it unnecessary. */
export const SAGEPRO_NUMBERING: Readonly<Record<string, readonly { key: 'sales_order' | 'ar_session'; unlessMapped?: string; why: string }[]>> = {
  'sales_orders.create': [{ key: 'sales_order', unlessMapped: 'number', why: 'the flow does not supply SalesOrder.number' }],
  'receivables.post_invoice': [{ key: 'ar_session', why: 'every posting takes an AR session number (ARDIST.ARSESS)' }],
  'receivables.post_payment': [{ key: 'ar_session', unlessMapped: 'payment_ref', why: 'the flow does not supply payment_ref' }],
};

/** Read operations that show whether a referenced value exists (`references: TABLE.COLUMN`). */
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

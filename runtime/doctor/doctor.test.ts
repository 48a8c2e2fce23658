/**
 * flowd doctor against the real sandboxes: the shipped flows built by flowc (requirements.json),
 * the X-Cart sandbox over HTTP on loopback and the Sage Pro sandbox through the SQLite3 ODBC
 * driver. Install differences are made with plain SQL on the sandbox database (a dropped column, a
 * narrowed LOCTID, a missing customer or GL account, a missing numbering row); X-Cart differences
 * with the sandbox's read-only token and its 5.5.0 switch. Each test asserts the exact findings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { startXcartSandbox, type XcartSandbox } from '../sandbox/xcart/server.js';
import { createSageProSandbox } from '../sandbox/sagepro/database.js';
import { runDoctor, type DoctorOptions } from './doctor.js';
import { exitCode, renderHuman, renderJson } from './report.js';
import type { Finding } from './findings.js';
import type { NumberingSpec } from './sagepro.js';
import type { TextRules } from '../text/codepage.js';
import { buildFlows } from '../../test/e2e/harness.js';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let tmp: string;
let flowsDir: string;
let xc55: XcartSandbox;   // behaves like 5.5.0 (no lastRenewDate filter)
let xc551: XcartSandbox;  // behaves like 5.5.1
let n = 0;

/** The standard profile's numbering (notes/profiles.md): SYSDATA holds the NEXT number. */
const SYSDATA_SONO: NumberingSpec = { method: 'table', table: 'SYSDATA', keyColumn: 'NUMKEY', key: 'SONO', numberColumn: 'NEXTNO', holds: 'next', where: { COMPID: '01' } };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-doctor-'));
  const program = createProgram([path.join(REPO, 'mappings')]);
  expect(program.hasErrors).toBe(false);
  flowsDir = path.join(tmp, 'flows');
  writeBuild(buildProgram(program, { typeCheck: false, emitJs: false }), flowsDir);
  xc55 = await startXcartSandbox({ port: 0, stateDir: path.join(tmp, 'xc55'), lastRenewDateFilter: false });
  xc551 = await startXcartSandbox({ port: 0, stateDir: path.join(tmp, 'xc551'), lastRenewDateFilter: true });
}, 60_000);

afterAll(async () => {
  await xc55?.close();
  await xc551?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function sagepro(alter: string[] = []): Promise<string> {
  const { dsn } = await createSageProSandbox({ dbPath: path.join(tmp, `sagepro-${++n}.db`) });
  if (alter.length) {
    const c = await odbc.connect(dsn);
    try { for (const sql of alter) await c.query(sql); } finally { await c.close(); }
  }
  return dsn;
}

function options(dsn: string, o: { xc?: XcartSandbox; token?: 'read' | 'write' | string; changedFilter?: 'auto' | 'lastRenewDate' | 'scan'; numbering?: DoctorOptions['sagepro']['numbering']; defaultLocation?: string; text?: TextRules } = {}): DoctorOptions {
  const xc = o.xc ?? xc55;
  const token = o.token === 'read' ? xc.readToken : o.token === undefined || o.token === 'write' ? xc.writeToken : o.token;
  return {
    flowsDir,
    xcart: { baseUrl: xc.url, token, changedFilter: o.changedFilter ?? 'auto', pollEnabled: true, timeoutMs: 10_000 },
    sagepro: { dsn, company: '01', externalRefColumn: 'EXTREF', numbering: o.numbering ?? { sales_order: SYSDATA_SONO }, ...(o.defaultLocation ? { defaultLocation: o.defaultLocation } : {}), ...(o.text ? { text: o.text } : {}) },
  };
}

/** The shipped flows built with some lookup files replaced, as a site edits its copy of them. */
function buildWithLookups(name: string, lookups: Record<string, string>): string {
  const src = path.join(tmp, name, 'mappings');
  fs.cpSync(path.join(REPO, 'mappings'), src, { recursive: true, filter: (p) => !p.startsWith(path.join(REPO, 'mappings', 'tests')) });
  for (const [file, text] of Object.entries(lookups)) fs.writeFileSync(path.join(src, 'lookups', file), text);
  const program = createProgram([src], { displayBase: path.join(tmp, name) });
  expect(program.diagnostics.filter((d) => d.category === 'error').map((d) => d.message)).toEqual([]);
  const out = path.join(tmp, name, 'flows');
  writeBuild(buildProgram(program, { typeCheck: false, emitJs: false }), out);
  return out;
}

/** Where the build says a field is mapped (requirements.json), e.g. `mappings/order-to-sales-order.flow:51:18`. */
function siteOf(flow: string, operation: string, fieldPath: string): string {
  const req = JSON.parse(fs.readFileSync(path.join(flowsDir, 'requirements.json'), 'utf8')) as { flows: Record<string, { operations: { operation: string; fields?: { path: string; site: string }[] }[] }> };
  const site = req.flows[flow]!.operations.find((o) => o.operation === operation)!.fields!.find((f) => f.path === fieldPath)!.site;
  expect(site).toMatch(/^mappings\/order-to-sales-order\.flow:\d+:\d+$/);
  return site;
}

/** The site of a flow's first lookup keyed by a stored field (requirements.json). */
function keyedLookupSite(flow: string): string {
  const req = JSON.parse(fs.readFileSync(path.join(flowsDir, 'requirements.json'), 'utf8')) as { flows: Record<string, { keyedLookups: { site: string }[] }> };
  return req.flows[flow]!.keyedLookups[0]!.site;
}

/** Findings other than ok, as [flow, operation, check, severity, message]. */
const problems = (fs_: Finding[]) => fs_.filter((f) => f.severity !== 'ok').map((f) => [f.flow, f.operation, f.check, f.severity, f.message]);
const oks = (fs_: Finding[]) => fs_.filter((f) => f.severity === 'ok').map((f) => `${f.flow} ${f.operation}`);

const ALL_OPERATIONS = [
  'CustomerToSagePro sagepro.customers.find_by_email', 'CustomerToSagePro sagepro.customers.upsert', 'CustomerToSagePro trigger xcart.customer.updated', 'CustomerToSagePro xcart.profiles.find_by_email',
  'CustomerToSagePro sagepro.customers.get', 'CustomerToSagePro sagepro.customers.set_email', 'CustomerToSagePro xcart.addresses.list',
  'CustomerToXCart trigger sagepro.Customer', 'CustomerToXCart xcart.addresses.create', 'CustomerToXCart xcart.addresses.list', 'CustomerToXCart xcart.addresses.update',
  'CustomerToXCart xcart.profiles.create', 'CustomerToXCart xcart.profiles.find_by_email', 'CustomerToXCart xcart.profiles.find_by_phone', 'CustomerToXCart xcart.profiles.get',
  'ItemToXCartProduct trigger sagepro.InventoryItem', 'ItemToXCartProduct xcart.products.create', 'ItemToXCartProduct xcart.products.find_by_sku', 'ItemToXCartProduct xcart.products.update',
  'ItemToXCartProduct xcart.variants.find_by_sku', 'ItemToXCartProduct xcart.variants.update',
  'InventoryToXCart trigger sagepro.InventoryLevel', 'InventoryToXCart xcart.products.find_by_sku', 'InventoryToXCart xcart.products.set_stock',
  'InventoryToXCart xcart.variants.find_by_sku', 'InventoryToXCart xcart.variants.set_stock',
  'OrderToSalesOrder sagepro.customers.find_by_email', 'OrderToSalesOrder sagepro.sales_orders.create', 'OrderToSalesOrder trigger xcart.order.created', 'OrderToSalesOrder xcart.categories.of_products', 'OrderToSalesOrder xcart.orders.get',
  'PaymentsToReceivables sagepro.receivables.post_payment', 'PaymentsToReceivables trigger sagepro.SalesOrderStatus', 'PaymentsToReceivables xcart.orders.get', 'PaymentsToReceivables xcart.orders.payment_transactions',
  'RefundToCreditMemo sagepro.receivables.post_credit_memo', 'RefundToCreditMemo sagepro.sales_orders.cancel', 'RefundToCreditMemo sagepro.sales_orders.find_by_ref',
  'RefundToCreditMemo sagepro.sales_orders.reduce', 'RefundToCreditMemo sagepro.sales_orders.status', 'RefundToCreditMemo trigger xcart.order.updated',
  'RefundToCreditMemo xcart.orders.get', 'RefundToCreditMemo xcart.orders.payment_transactions',
  'SalesOrderStatusToXCart trigger sagepro.SalesOrderStatus', 'SalesOrderStatusToXCart xcart.orders.get', 'SalesOrderStatusToXCart xcart.orders.set_payment_status', 'SalesOrderStatusToXCart xcart.orders.set_shipping_status',
  'SalesOrderStatusToXCart xcart.tracking.target', 'SalesOrderStatusToXCart xcart.orders.set_tracking', 'SalesOrderStatusToXCart xcart.orders.add_staff_note',
];

const SCAN = 'this store ignores lastRenewDate[after] (X-Cart 5.5.0.x): changed orders are found by sorting on lastRenewDate and paging back to the watermark (scan)';
const SCAN_INFO = ['OrderToSalesOrder', 'trigger xcart.order.created', 'changed-filter', 'info', SCAN];
/** RefundToCreditMemo (on xcart.order.updated) is the second flow on the order poll. */
const REFUND_SCAN_INFO = ['RefundToCreditMemo', 'trigger xcart.order.updated', 'changed-filter', 'info', SCAN];
/** The sandbox store has no Connect module (xcart-module/): tracking numbers are skipped (connections.xcart.tracking: auto). */
const TRACKING_INFO = ['SalesOrderStatusToXCart', 'xcart.orders.set_tracking', 'tracking', 'info', "the store has no Connect module (GET /api/connect/module answers 404): Sage Pro tracking numbers are skipped, each with a warning in flowd's log; shipping statuses are still set"];

describe('flowd doctor', () => {
  test('the standard sandbox with its numbering configured: everything will work (exit 0)', async () => {
    const f = await runDoctor(options(await sagepro()));
    expect(problems(f)).toEqual([SCAN_INFO, REFUND_SCAN_INFO, TRACKING_INFO]);
    expect(oks(f).sort()).toEqual([...ALL_OPERATIONS].sort());
    expect(exitCode(f)).toBe(0);
    const text = renderHuman(f);
    expect(text).toMatch(/everything will work on this install \(0 warnings\)\n$/);
    console.log(`doctor, standard sandbox: ${f.length} findings, ${oks(f).length} operations ok\n${text}`);
    // JSON: exactly the stable fields.
    const json = JSON.parse(renderJson(f)) as Record<string, unknown>[];
    expect(Object.keys(json[0]!)).toEqual(['flow', 'operation', 'check', 'severity', 'message', 'fix']);
  }, 60_000);

  test('numbering not configured, a missing numbering row, a method that needs the flow to give the number', async () => {
    const dsn = await sagepro(["DELETE FROM SYSDATA WHERE NUMKEY LIKE 'SONO%'"]);
    const numbering = (r: Finding[]) => r.filter((x) => x.check === 'numbering').map((x) => [x.severity, x.message, x.fix]);
    expect(numbering(await runDoctor(options(dsn, { numbering: {} })))).toEqual([[
      'error',
      'sales_orders.create needs a sales order number (the flow does not supply SalesOrder.number) and connections.sagepro.numbering.sales_order is not set',
      'set connections.sagepro.numbering.sales_order: { method: table, table, key_column, key, number_column, holds: next|last } for the site\'s numbering table, or { method: max_plus_one }, or { method: flow } and map SalesOrder.number in the flow',
    ]]);
    expect(numbering(await runDoctor(options(dsn)))).toEqual([[
      'error', "SYSDATA has no row NUMKEY = 'SONO', COMPID = '01' (connections.sagepro.numbering.sales_order)",
      'check connections.sagepro.numbering.sales_order.key and .where against the rows of SYSDATA',
    ]]);
    const wrongColumns = await runDoctor(options(dsn, { numbering: { sales_order: { ...SYSDATA_SONO, table: 'SYSDATA', numberColumn: 'LASTUSED' } } }));
    expect(numbering(wrongColumns).map((x) => x[1])).toEqual(['connections.sagepro.numbering.sales_order.number_column LASTUSED is not a column of SYSDATA']);
    const noTable = await runDoctor(options(dsn, { numbering: { sales_order: { ...SYSDATA_SONO, table: 'NEXTNUM' } } }));
    expect(numbering(noTable).map((x) => x[1])).toEqual(['connections.sagepro.numbering.sales_order.table NEXTNUM is not on this install']);
    const flow = await runDoctor(options(dsn, { numbering: { sales_order: { method: 'flow' } } }));
    expect(numbering(flow).map((x) => x[1])).toEqual(['connections.sagepro.numbering.sales_order is { method: flow } but the flow does not supply the number (the flow does not supply SalesOrder.number)']);
    expect(numbering(await runDoctor(options(dsn, { numbering: { sales_order: { method: 'max_plus_one' } } })))).toEqual([]);
  }, 60_000);

  test('an install that differs: a dropped mapped column, a dropped optional column, LOCTID C(3), a missing web customer and GL account', async () => {
    const iciloc = await (async () => {
      const { dsn } = await createSageProSandbox({ dbPath: path.join(tmp, 'ddl.db') });
      const c = await odbc.connect(dsn);
      try { return String((await c.query<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND lower(name) = 'iciloc'"))[0]!.sql); } finally { await c.close(); }
    })();
    const narrowed = iciloc.replace(/(LOCTID\s+[A-Za-z]+)\s*\(\s*6\s*\)/i, '$1(3)');
    expect(narrowed).not.toBe(iciloc);
    const dsn = await sagepro([
      'ALTER TABLE SOADDR DROP COLUMN COUNTRY',    // the flow maps ship_to.country
      'ALTER TABLE SOTRAN DROP COLUMN LINENO',     // optional (sagepro-tables.md 0b)
      "DELETE FROM ARCUST WHERE CUSTNO LIKE 'WEBCA%'",
      "DELETE FROM GLACNT WHERE GLACNT LIKE '1020-00%'",
      'ALTER TABLE ICILOC RENAME TO ICILOC_OLD', narrowed, 'DROP TABLE ICILOC_OLD',
    ]);
    const f = await runDoctor(options(dsn));
    const order = f.filter((x) => x.flow === 'OrderToSalesOrder' && x.operation === 'sagepro.sales_orders.create');
    expect(order.map((x) => [x.check, x.severity, x.message])).toEqual([
      ['column', 'error', `the flow maps SalesOrder.ShipTo.country (${siteOf('OrderToSalesOrder', 'sagepro.sales_orders.create', 'ship_to.country')}) into SOADDR.COUNTRY, which this install lacks`],
      ['default-location', 'error', "the flow gives no location, so orders take 'MAIN' (the connector's default; connections.sagepro.default_location is not set), which does not fit ICILOC.LOCTID C(3) on this install"],
      ['lookup-value', 'error', "'WEBCA' from web-customers.yaml (table web_customer of mappings/order-to-sales-order.flow) feeds SalesOrder.customer, but ARCUST has no CUSTNO 'WEBCA' on this install"],
      ['optional-column', 'info', 'SOTRAN has no column LINENO (optional: no public source confirms it); it is neither written nor read here'],
    ]);
    expect(order[0]!.fix).toBe("remove 'country = ...' from the flow and rebuild, or add SOADDR.COUNTRY C(15)");
    expect(order[1]!.fix).toBe("set connections.sagepro.default_location to the web store's warehouse as this install names it");
    const pay = f.filter((x) => x.flow === 'PaymentsToReceivables' && x.operation === 'sagepro.receivables.post_payment' && x.severity !== 'info');
    expect(pay.map((x) => [x.check, x.severity, x.message])).toEqual([
      ['lookup-value', 'error', "'1020-00' from gl-by-gateway.yaml (table gl_by_gateway of mappings/payments-to-receivables.flow) feeds GLDistribution.account, but GLACNT has no GLACNT '1020-00' on this install"],
    ]);
    // Reads of an optional column are no error; the status poll still works.
    expect(f.filter((x) => x.operation === 'trigger sagepro.SalesOrderStatus').map((x) => [x.flow, x.check, x.severity])).toEqual([
      ['PaymentsToReceivables', 'optional-column', 'info'], ['SalesOrderStatusToXCart', 'optional-column', 'info'],
      ['PaymentsToReceivables', 'operation', 'ok'], ['SalesOrderStatusToXCart', 'operation', 'ok'],
    ].sort((a, b) => a[0]!.localeCompare(b[0]!)));
    const stock = f.filter((x) => x.flow === 'InventoryToXCart' && x.severity !== 'ok');
    expect(stock.map((x) => [x.operation, x.check, x.severity, x.message])).toEqual([
      ['trigger sagepro.InventoryLevel', 'lookup-key', 'error', `web-warehouses.yaml lists 'MAIN', which ICILOC.LOCTID C(3) cannot hold on this install: ${keyedLookupSite('InventoryToXCart')} looks up InventoryLevel.location in table web_warehouse, so the flow skips every row`],
    ]);
    expect(exitCode(f)).toBe(1);
    console.log(`doctor, altered install: ${f.filter((x) => x.severity === 'error').length} errors\n${renderHuman(f.filter((x) => x.severity !== 'ok'))}`);

    // A configured location that fits and is stocked clears the location finding; one that fits but is unknown does not.
    const wh = await runDoctor(options(dsn, { defaultLocation: 'EAS' }));
    expect(wh.filter((x) => x.check === 'default-location').map((x) => x.message)).toEqual([
      "the flow gives no location, so orders take 'EAS' (connections.sagepro.default_location), but ICILOC has no item stocked at LOCTID 'EAS' on this install",
    ]);
  }, 60_000);

  test("a site whose web warehouse is WH1, not MAIN: the default location and the stock flow's web-warehouses.yaml both fail, until the site's lookups and setting say WH1", async () => {
    const dsn = await sagepro(["UPDATE ICILOC SET LOCTID = 'WH1   ' WHERE LOCTID LIKE 'MAIN%'"]);
    const f = await runDoctor(options(dsn));
    const located = (r: Finding[]) => r.filter((x) => x.check === 'lookup-key' || x.check === 'comparison' || x.check === 'default-location').map((x) => [x.flow, x.operation, x.check, x.severity, x.message]);
    expect(located(f)).toEqual([
      ['InventoryToXCart', 'trigger sagepro.InventoryLevel', 'lookup-key', 'error', `web-warehouses.yaml lists 'MAIN', but no ICILOC row has LOCTID 'MAIN' on this install: ${keyedLookupSite('InventoryToXCart')} looks up InventoryLevel.location in table web_warehouse, so the flow skips every row`],
      ['OrderToSalesOrder', 'sagepro.sales_orders.create', 'default-location', 'error', "the flow gives no location, so orders take 'MAIN' (the connector's default; connections.sagepro.default_location is not set), but ICILOC has no item stocked at LOCTID 'MAIN' on this install"],
    ]);
    // The site's own lookups (web-warehouses.yaml: WH1, as test/e2e/harness.ts writes them for such a site) and its setting.
    const siteFlows = buildFlows({ sageproProfile: 'minimal' });
    try {
      const wh1 = await runDoctor({ ...options(dsn, { defaultLocation: 'WH1' }), flowsDir: siteFlows });
      expect(located(wh1)).toEqual([]);
      expect(exitCode(wh1)).toBe(0);
    } finally {
      fs.rmSync(path.dirname(siteFlows), { recursive: true, force: true });
    }
  }, 120_000);

  test('Sage Pro text: lookup keys and values as the install stores them (connections.sagepro.text: code page bytes, unmappable)', async () => {
    const flows = buildWithLookups('text', {
      'web-warehouses.yaml': 'entries:\n  MAIN: true\n  "MA\u{1F600}": true\n',
      'web-customers.yaml': 'entries:\n  USD: WEBUS\n  CAD: WEBCA\n  EUR: "WEB\u20AC"\n',
    });
    const dsn = await sagepro();
    const text = (r: Finding[]) => r.filter((x) => ['lookup-key', 'lookup-value', 'text', 'width'].includes(x.check)).map((x) => [x.flow, x.check, x.severity, x.message]);
    const keySite = (JSON.parse(fs.readFileSync(path.join(flows, 'requirements.json'), 'utf8')) as { flows: Record<string, { keyedLookups: { site: string }[] }> }).flows.InventoryToXCart!.keyedLookups[0]!.site;
    // Windows-1252 (the default): the emoji key is stored as '?', so no LOCTID ever equals it; € is one byte of the code page.
    const cp1252 = await runDoctor({ ...options(dsn), flowsDir: flows });
    expect(text(cp1252)).toEqual([
      ['InventoryToXCart', 'lookup-key', 'warning', `web-warehouses.yaml lists 'MA\u{1F600}', which is not text of this install's code page (stored, it would be 'MA?'): ${keySite} looks up InventoryLevel.location in table web_warehouse, so that entry never applies`],
      ['OrderToSalesOrder', 'lookup-value', 'error', "'WEB\u20AC' from web-customers.yaml (table web_customer of mappings/order-to-sales-order.flow) feeds SalesOrder.customer, but ARCUST has no CUSTNO 'WEB\u20AC' on this install"],
    ]);
    // ISO 8859-1 has no €; with unmappable: reject the connector refuses every order of that currency.
    const latin1 = await runDoctor({ ...options(dsn, { text: { codePage: 'iso-8859-1', unmappable: 'reject', control: 'strip' } }), flowsDir: flows });
    expect(text(latin1)).toEqual([
      ['InventoryToXCart', 'lookup-key', 'warning', `web-warehouses.yaml lists 'MA\u{1F600}', which is not text of this install's code page (character '\u{1F600}' (U+1F600) at position 3 is not in code page iso-8859-1 (connections.sagepro.text: unmappable is reject)): ${keySite} looks up InventoryLevel.location in table web_warehouse, so that entry never applies`],
      ['OrderToSalesOrder', 'text', 'error', "'WEB\u20AC' from web-customers.yaml (table web_customer of mappings/order-to-sales-order.flow) feeds SalesOrder.customer, but ARCUST.CUSTNO cannot store it: character '\u20AC' (U+20AC) at position 4 is not in code page iso-8859-1 (connections.sagepro.text: unmappable is reject)"],
    ]);
    expect(latin1.find((x) => x.check === 'text')!.fix).toBe("use characters of the install's code page in web-customers.yaml and rebuild the flows, or set connections.sagepro.text.unmappable: transliterate");
  }, 60_000);

  test('a flow that compares a stored field with a literal the install has no row for, or cannot hold (comparison)', async () => {
    const dir = path.join(tmp, 'compare');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'stock.flow'), [
      'flow StockByLiteral "stock of one warehouse, named in the flow"',
      '  on every 5m poll sagepro.InventoryLevel changed key item, location',
      '  skip when event.data.location != "WEST" because "the WEST warehouse only"',
      '  lookup product: xcart.Product? = xcart.products.find_by_sku(sku: trim(event.data.item))',
      '  skip when product == null because "not in the store"',
      '  write xcart.products.set_stock(product_id: product.id, amount: 1)',
      '',
    ].join('\n'));
    const program = createProgram([path.join(dir, 'stock.flow')], { schemasDir: path.join(REPO, 'mappings/schemas'), lookupsDir: path.join(REPO, 'mappings/lookups'), displayBase: dir });
    expect(program.hasErrors).toBe(false);
    writeBuild(buildProgram(program, { typeCheck: false, emitJs: false }), path.join(dir, 'flows'));
    const compared = async (dsn: string) => (await runDoctor({ ...options(dsn), flowsDir: path.join(dir, 'flows') })).filter((x) => x.check === 'comparison').map((x) => [x.operation, x.severity, x.message]);
    expect(await compared(await sagepro())).toEqual([
      ['trigger sagepro.InventoryLevel', 'error', "stock.flow:3:13 compares InventoryLevel.location with 'WEST', but no ICILOC row has LOCTID 'WEST' on this install: the flow skips every row"],
    ]);
    expect(await compared(await sagepro(["UPDATE ICILOC SET LOCTID = 'WEST  ' WHERE LOCTID LIKE 'EAST%'"]))).toEqual([]);
    // On the minimal profile (LOCTID C(3)) the literal cannot even be stored.
    const minimal = await createSageProSandbox({ dbPath: path.join(tmp, 'compare-minimal.db'), profile: 'minimal' });
    expect(await compared(minimal.dsn)).toEqual([
      ['trigger sagepro.InventoryLevel', 'error', "stock.flow:3:13 compares InventoryLevel.location with 'WEST', but ICILOC.LOCTID is C(3) on this install and cannot hold it: the flow skips every row"],
    ]);
  }, 60_000);

  test('X-Cart: a read-only token for flows that write, and lastRenewDate configured on a 5.5.0 store', async () => {
    const f = await runDoctor(options(await sagepro(), { token: 'read', changedFilter: 'lastRenewDate' }));
    const RO = "connections.xcart.token is the store's read-only token (PUT answers 403), and this flow writes to X-Cart";
    expect(problems(f)).toEqual([
      ['CustomerToXCart', 'xcart.addresses.create', 'token-write', 'error', RO],
      ['CustomerToXCart', 'xcart.addresses.update', 'token-write', 'error', RO],
      ['CustomerToXCart', 'xcart.profiles.create', 'token-write', 'error', RO],
      ['InventoryToXCart', 'xcart.products.set_stock', 'token-write', 'error', RO],
      ['InventoryToXCart', 'xcart.variants.set_stock', 'token-write', 'error', RO],
      ['ItemToXCartProduct', 'xcart.products.create', 'token-write', 'error', RO],
      ['ItemToXCartProduct', 'xcart.products.update', 'token-write', 'error', RO],
      ['ItemToXCartProduct', 'xcart.variants.update', 'token-write', 'error', RO],
      ['OrderToSalesOrder', 'trigger xcart.order.created', 'changed-filter', 'error', 'connections.xcart.changed_filter is lastRenewDate, but this store ignores lastRenewDate[after] (X-Cart 5.5.0.x has no such filter; 5.5.1 has): every poll would page through every order'],
      ['RefundToCreditMemo', 'trigger xcart.order.updated', 'changed-filter', 'error', 'connections.xcart.changed_filter is lastRenewDate, but this store ignores lastRenewDate[after] (X-Cart 5.5.0.x has no such filter; 5.5.1 has): every poll would page through every order'],
      ['SalesOrderStatusToXCart', 'xcart.orders.add_staff_note', 'token-write', 'error', RO],
      ['SalesOrderStatusToXCart', 'xcart.orders.set_payment_status', 'token-write', 'error', RO],
      ['SalesOrderStatusToXCart', 'xcart.orders.set_shipping_status', 'token-write', 'error', RO],
      ['SalesOrderStatusToXCart', 'xcart.orders.set_tracking', 'token-write', 'error', RO],
      TRACKING_INFO,
    ]);
    expect(f.find((x) => x.check === 'changed-filter')!.fix).toBe('set connections.xcart.changed_filter: scan (or auto)');
    expect(exitCode(f)).toBe(1);
    // The same filter on a 5.5.1 store is fine; scan there is only a hint.
    const ok551 = await runDoctor(options(await sagepro(), { xc: xc551, changedFilter: 'lastRenewDate' }));
    expect(problems(ok551)).toEqual([TRACKING_INFO]);
    const scan551 = await runDoctor(options(await sagepro(), { xc: xc551, changedFilter: 'scan' }));
    expect(problems(scan551).filter((p) => p[2] === 'changed-filter').map((p) => p[3])).toEqual(['info', 'info']);
  }, 60_000);

  test('a trigger that no enabled source feeds', async () => {
    const o = options(await sagepro());
    const f = await runDoctor({ ...o, triggers: { xcartPoll: false, push: false, sageproPoll: false } });
    expect(f.filter((x) => x.check === 'trigger').map((x) => [x.flow, x.operation, x.message])).toEqual([
      ['CustomerToSagePro', 'trigger xcart.customer.updated', 'triggers.push is disabled and X-Cart customer events arrive only by signed push (the poller reads orders): the flow never runs'],
      ['CustomerToXCart', 'trigger sagepro.Customer', 'triggers.sagepro_poll is disabled: the Sage Pro poll never runs and neither does the flow'],
      ['InventoryToXCart', 'trigger sagepro.InventoryLevel', 'triggers.sagepro_poll is disabled: the Sage Pro poll never runs and neither does the flow'],
      ['ItemToXCartProduct', 'trigger sagepro.InventoryItem', 'triggers.sagepro_poll is disabled: the Sage Pro poll never runs and neither does the flow'],
      ['OrderToSalesOrder', 'trigger xcart.order.created', 'triggers.xcart_poll and triggers.push are both disabled: no xcart.order.created event ever arrives and the flow never runs'],
      ['PaymentsToReceivables', 'trigger sagepro.SalesOrderStatus', 'triggers.sagepro_poll is disabled: the Sage Pro poll never runs and neither does the flow'],
      ['RefundToCreditMemo', 'trigger xcart.order.updated', 'triggers.xcart_poll and triggers.push are both disabled: no xcart.order.updated event ever arrives and the flow never runs'],
      ['SalesOrderStatusToXCart', 'trigger sagepro.SalesOrderStatus', 'triggers.sagepro_poll is disabled: the Sage Pro poll never runs and neither does the flow'],
    ]);
    // The order poll alone feeds order events; customer events still need the push.
    const poll = await runDoctor({ ...o, triggers: { xcartPoll: true, push: false, sageproPoll: true } });
    expect(poll.filter((x) => x.check === 'trigger').map((x) => x.flow)).toEqual(['CustomerToSagePro']);
  }, 60_000);

  test('unreachable systems and a wrong token: one install-wide error each, no secret in the output', async () => {
    const missing = path.join(tmp, 'no-such.db');
    const secretToken = 'wrong-token-' + 'x'.repeat(12);
    const o = options(`Driver=SQLite3;Database=${missing};NoCreat=1`, { token: secretToken });
    const f = await runDoctor(o);
    expect(problems(f).map((p) => [p[0], p[1], p[2], p[3]])).toEqual([
      ['*', 'sagepro', 'connection', 'error'],
      ['*', 'xcart', 'token', 'error'],
    ]);
    expect(oks(f)).toEqual([]);
    const out = renderHuman(f) + renderJson(f);
    expect(out).not.toContain(secretToken);
    expect(fs.existsSync(missing)).toBe(false);
    const down = await runDoctor({ ...o, xcart: { ...o.xcart, baseUrl: 'http://127.0.0.1:9' } });
    expect(problems(down).find((p) => p[1] === 'xcart')!.slice(2, 4)).toEqual(['connection', 'error']);
  }, 60_000);
});

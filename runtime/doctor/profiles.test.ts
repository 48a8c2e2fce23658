/**
 * flowd doctor against each Sage Pro sandbox install profile (notes/profiles.md: standard, minimal,
 * vfp-modules), with and without the Sage Pro keys the profile says a site of its shape must set
 * (its `siteConfig`), on the X-Cart sandbox (5.5.0 behaviour) over HTTP. Asserts the exact findings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { startXcartSandbox, type XcartSandbox } from '../sandbox/xcart/server.js';
import { createSageProSandbox, type SiteConfig } from '../sandbox/sagepro/database.js';
import { SageProConnector } from '../connectors/sagepro/connector.js';
import { numberingSpec, runDoctor, type DoctorOptions } from './doctor.js';
import { exitCode, renderHuman } from './report.js';
import type { Finding } from './findings.js';
import { buildFlows } from '../../test/e2e/harness.js';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let tmp: string;
let flowsDir: string;
let xc: XcartSandbox;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-doctor-profiles-'));
  const program = createProgram([path.join(REPO, 'mappings')]);
  expect(program.hasErrors).toBe(false);
  flowsDir = path.join(tmp, 'flows');
  writeBuild(buildProgram(program, { typeCheck: false, emitJs: false }), flowsDir);
  xc = await startXcartSandbox({ port: 0, stateDir: path.join(tmp, 'xc'), lastRenewDateFilter: false });
}, 60_000);

afterAll(async () => {
  await xc?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The doctor's options for a profile's sandbox; `site` applies the profile's connect.yaml keys. */
async function profile(name: string, site: boolean, flows = flowsDir): Promise<DoctorOptions> {
  const sb = await createSageProSandbox({ dbPath: path.join(tmp, `${name}-${site ? 'site' : 'bare'}`, 'sagepro.db'), profile: name });
  const sc: SiteConfig = sb.siteConfig;
  const so = site ? numberingSpec(sc.numbering.sales_order) : undefined;
  const ar = site ? numberingSpec(sc.numbering.ar_session) : undefined;
  return {
    flowsDir: flows,
    xcart: { baseUrl: xc.url, token: xc.writeToken, changedFilter: 'auto', pollEnabled: true, timeoutMs: 10_000 },
    sagepro: {
      dsn: sb.dsn, company: site && sc.company ? sc.company : '01', externalRefColumn: 'EXTREF',
      numbering: { ...(so ? { sales_order: so } : {}), ...(ar ? { ar_session: ar } : {}) },
      ...(site && sc.default_location ? { defaultLocation: sc.default_location } : {}),
      // The connector's own options, as the service passes them (numbering in the connector's camelCase form).
      ...(site ? { connector: { ...(sc.modules ? { modules: sc.modules } : {}), ...(sc.attach ? { attach: sc.attach } : {}), ...(sc.default_location ? { defaultLocation: sc.default_location } : {}), numbering: { sales_order: so, ar_session: ar } } } : {}),
    },
  };
}

const problems = (f: Finding[]) => f.filter((x) => x.severity !== 'ok').map((x) => [x.flow, x.operation, x.check, x.severity, x.message]);

const SCAN_INFO = ['OrderToSalesOrder', 'trigger xcart.order.created', 'changed-filter', 'info', 'this store ignores lastRenewDate[after] (X-Cart 5.5.0.x): changed orders are found by sorting on lastRenewDate and paging back to the watermark (scan)'];
/** RefundToCreditMemo (on xcart.order.updated) is the second flow on the order poll. */
const REFUND_SCAN_INFO = ['RefundToCreditMemo', 'trigger xcart.order.updated', ...SCAN_INFO.slice(2)];
/** OrderPaidToReceivables (on xcart.order.paid) is the third flow on the order poll. */
const PAID_SCAN_INFO = ['OrderPaidToReceivables', 'trigger xcart.order.paid', ...SCAN_INFO.slice(2)];
const NUMBERING = ['OrderToSalesOrder', 'sagepro.sales_orders.create', 'numbering', 'error', 'sales_orders.create needs a sales order number (the flow does not supply SalesOrder.number) and connections.sagepro.numbering.sales_order is not set'];
const optional = (flow: string, op: string, table: string, cols: string[]) => cols.map((c) => [flow, op, 'optional-column', 'info', `${table} has no column ${c} (optional: no public source confirms it); it is neither written nor read here`]);
const MAIN_KEY = (site: string) => ['InventoryToXCart', 'trigger sagepro.InventoryLevel', 'lookup-key', 'error', `web-warehouses.yaml lists 'MAIN', which ICILOC.LOCTID C(3) cannot hold on this install: ${site} looks up InventoryLevel.location in table web_warehouse, so the flow skips every row`];
/** The sandbox store has no Connect module (xcart-module/): its tracking numbers are skipped (connections.xcart.tracking: auto). */
const TRACKING_INFO = ['SalesOrderStatusToXCart', 'xcart.orders.set_tracking', 'tracking', 'info', "the store has no Connect module (GET /api/connect/module answers 404): Sage Pro tracking numbers are skipped, each with a warning in flowd's log; shipping statuses are still set"];
/** What the minimal profile lacks for OrderPaidToReceivables (its findings sort before OrderToSalesOrder's). */
const PAID_MINIMAL_INFOS = [
  ...optional('OrderPaidToReceivables', 'sagepro.receivables.post_payment', 'ARDIST', ['ADDDATE', 'ADDTIME', 'ADDUSER', 'CUSTNO', 'DESCRIP']),
  ...optional('OrderPaidToReceivables', 'sagepro.receivables.post_payment', 'ARMAST', ['DTEPAID']),
  ...optional('OrderPaidToReceivables', 'sagepro.receivables.post_payment', 'ARTRAN', ['LINENO']),
  ['OrderPaidToReceivables', 'sagepro.receivables.post_payment', 'table', 'info', 'ARCASH is not on this install (optional): no row is written there (cash receipts)'],
  ...['find_by_ref', 'status'].flatMap((op) => optional('OrderPaidToReceivables', `sagepro.sales_orders.${op}`, 'SOTRAN', ['LINENO', 'SHIPDATE'])),
  PAID_SCAN_INFO,
];
/** What the minimal profile lacks and the connector leaves out (reference 0b): info only. */
const MINIMAL_INFOS = [
  ...optional('PaymentsToReceivables', 'sagepro.receivables.post_payment', 'ARDIST', ['ADDDATE', 'ADDTIME', 'ADDUSER', 'CUSTNO', 'DESCRIP']),
  ...optional('PaymentsToReceivables', 'sagepro.receivables.post_payment', 'ARMAST', ['DTEPAID']),
  ...optional('PaymentsToReceivables', 'sagepro.receivables.post_payment', 'ARTRAN', ['LINENO']),
  ['PaymentsToReceivables', 'sagepro.receivables.post_payment', 'table', 'info', 'ARCASH is not on this install (optional): no row is written there (cash receipts)'],
  ...optional('PaymentsToReceivables', 'trigger sagepro.SalesOrderStatus', 'SOTRAN', ['LINENO', 'SHIPDATE']),
  ...optional('RefundToCreditMemo', 'sagepro.receivables.post_credit_memo', 'ARDIST', ['ADDDATE', 'ADDTIME', 'ADDUSER', 'CUSTNO', 'DESCRIP']),
  ...optional('RefundToCreditMemo', 'sagepro.receivables.post_credit_memo', 'ARMAST', ['DTEPAID']),
  ...optional('RefundToCreditMemo', 'sagepro.receivables.post_credit_memo', 'ARTRAN', ['ADDTIME', 'LINENO']),
  ...['cancel', 'find_by_ref', 'reduce', 'status'].flatMap((op) => optional('RefundToCreditMemo', `sagepro.sales_orders.${op}`, 'SOTRAN', ['LINENO', 'SHIPDATE'])),
  REFUND_SCAN_INFO,
  ...optional('SalesOrderStatusToXCart', 'trigger sagepro.SalesOrderStatus', 'SOTRAN', ['LINENO', 'SHIPDATE']),
  TRACKING_INFO,
];
/** The site of the stock flow's `web_warehouse[trim(event.data.location)]` (from requirements.json). */
const mainSite = () => (JSON.parse(fs.readFileSync(path.join(flowsDir, 'requirements.json'), 'utf8')) as { flows: Record<string, { keyedLookups: { site: string }[] }> }).flows.InventoryToXCart!.keyedLookups[0]!.site;

/** The connector resolves tables per module (connections.sagepro.modules/attach) once the connector work of issue 8 is in. */
const resolvesModules = typeof (SageProConnector.prototype as unknown as Record<string, unknown>).checkInstall === 'function';

describe('flowd doctor on the sandbox install profiles', () => {
  test('standard: numbering unset is the one error; with its site keys everything will work', async () => {
    const bare = await runDoctor(await profile('standard', false));
    expect(problems(bare)).toEqual([PAID_SCAN_INFO, NUMBERING, SCAN_INFO, REFUND_SCAN_INFO, TRACKING_INFO]);
    const site = await runDoctor(await profile('standard', true));
    expect(problems(site)).toEqual([PAID_SCAN_INFO, SCAN_INFO, REFUND_SCAN_INFO, TRACKING_INFO]);
    expect(exitCode(site)).toBe(0);
  }, 60_000);

  test('minimal: LOCTID C(3) too small for MAIN, numbering unset, the stock flow\'s web-warehouses.yaml lists MAIN; the unconfirmed columns are infos', async () => {
    const f = await runDoctor(await profile('minimal', false));
    console.log(`flowd doctor on the minimal profile, no site keys (exit ${exitCode(f)}):\n${renderHuman(f)}`);
    expect(problems(f)).toEqual([
      MAIN_KEY(mainSite()),
      ...PAID_MINIMAL_INFOS,
      ['OrderToSalesOrder', 'sagepro.sales_orders.create', 'default-location', 'error', "the flow gives no location, so orders take 'MAIN' (the connector's default; connections.sagepro.default_location is not set), which does not fit SOMAST.LOCTID C(3), SOTRAN.LOCTID C(3), ICILOC.LOCTID C(3) on this install"],
      NUMBERING,
      ...optional('OrderToSalesOrder', 'sagepro.sales_orders.create', 'SOTRAN', ['LINENO']),
      SCAN_INFO,
      ...MINIMAL_INFOS,
    ]);
    expect(exitCode(f)).toBe(1);
  }, 60_000);

  test("minimal with its site keys (NEXTNUM numbering, default_location WH1): only the stock flow's web warehouse is left, until the site's lookups list WH1", async () => {
    const f = await runDoctor(await profile('minimal', true));
    expect(problems(f)).toEqual([
      MAIN_KEY(mainSite()),
      ...PAID_MINIMAL_INFOS,
      ...optional('OrderToSalesOrder', 'sagepro.sales_orders.create', 'SOTRAN', ['LINENO']),
      SCAN_INFO,
      ...MINIMAL_INFOS,
    ]);
    expect(f.find((x) => x.check === 'lookup-key')!.fix).toBe("list in web-warehouses.yaml the LOCTID codes this install uses (at most 3 characters) (the site's own copy of the lookups) and rebuild the flows");
    expect(exitCode(f)).toBe(1);
    // The site writes its own lookups/web-warehouses.yaml (WH1: true) and rebuilds: everything will work.
    const siteFlows = buildFlows({ sageproProfile: 'minimal' });
    try {
      const ok = await runDoctor(await profile('minimal', true, siteFlows));
      expect(problems(ok)).toEqual([...PAID_MINIMAL_INFOS, ...optional('OrderToSalesOrder', 'sagepro.sales_orders.create', 'SOTRAN', ['LINENO']), SCAN_INFO, ...MINIMAL_INFOS]);
      expect(exitCode(ok)).toBe(0);
    } finally {
      fs.rmSync(path.dirname(siteFlows), { recursive: true, force: true });
    }
  }, 120_000);

  test('vfp-modules without its module mapping: every table is missing, with the keys to set', async () => {
    const f = await runDoctor(await profile('vfp-modules', false));
    const errors = f.filter((x) => x.severity === 'error');
    expect([...new Set(errors.map((x) => x.check))].sort()).toEqual(['numbering', 'table']);
    expect([...new Set(errors.filter((x) => x.check === 'table').map((x) => /^table (\w+) /.exec(x.message)![1]))].sort()).toEqual(
      ['ARCUST', 'ARDIST', 'ARMAST', 'ARTRAN', 'GLACNT', 'ICILOC', 'ICITEM', 'SOADDR', 'SOMAST', 'SOTRAN', 'SOYADR', 'SOYMST', 'SOYTRN']);
    expect(errors.find((x) => x.check === 'table')!.fix).toBe('check connections.sagepro.company, and connections.sagepro.modules / .tables where this install keeps its tables per module folder (ARDATA, SODATA, ICDATA) or under other names');
    expect(f.filter((x) => x.severity === 'warning')).toEqual([]);
  }, 60_000);

  test.runIf(resolvesModules)('vfp-modules with its site keys (modules, attach, SYSDATA numbering): everything will work', async () => {
    const f = await runDoctor(await profile('vfp-modules', true));
    expect(problems(f)).toEqual([PAID_SCAN_INFO, SCAN_INFO, REFUND_SCAN_INFO, TRACKING_INFO]);
    expect(exitCode(f)).toBe(0);
  }, 60_000);
});

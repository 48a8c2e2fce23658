/**
 * The connector's contract on every sandbox install profile (runtime/sandbox/sagepro/profiles.ts:
 * standard, minimal, vfp-modules), each with its own `siteConfig` as a site would write it in
 * connect.yaml, over the SQLite3 ODBC driver (module databases ATTACHed for vfp-modules) and over
 * psqlODBC (modules as schemas). The same assertions must hold on every install.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSageProSandbox, loadSandbox, PROFILE_NAMES, sandboxProfile, type ProfileName } from '../../sandbox/sagepro/database.js';
import { postgresAvailable, startPostgres, type StartedPostgres } from '../../../test/support/postgres.js';
import { SageProConnector } from './connector.js';
import { optionsFromSite, type SiteKeys } from './site.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Install { dsn: string; site: SiteKeys; attach: Record<string, string> }
interface Backend { name: 'sqlite' | 'postgres'; install(profile: ProfileName): Promise<Install>; close(): Promise<void> }

function sqlite(): Backend {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-contract-'));
  return {
    name: 'sqlite',
    async install(profile) {
      const sb = await createSageProSandbox({ dbPath: path.join(dir, profile, 'sagepro.db'), profile });
      return { dsn: sb.dsn, site: sb.siteConfig as SiteKeys, attach: sb.attach };
    },
    async close() { fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

function postgres(): Backend {
  let pg: StartedPostgres | undefined;
  return {
    name: 'postgres',
    async install(profile) {
      pg ??= await startPostgres();
      const db = `sagepro_${profile.replace(/-/g, '_')}`;
      const admin = await odbc.connect(pg.dsn);
      try { await admin.query(`CREATE DATABASE ${db}`); } finally { await admin.close(); }
      const dsn = pg.dsn.replace(/Database=[^;]*/i, `Database=${db}`);
      const c = await odbc.connect(dsn);
      try { await loadSandbox(c, 'postgres', { profile }); } finally { await c.close(); }
      return { dsn, site: sandboxProfile(profile).siteConfig() as SiteKeys, attach: {} };
    },
    async close() { await pg?.stop(); },
  };
}

const backends: Backend[] = [sqlite()];
if (postgresAvailable()) backends.push(postgres());
else it.skip('PostgreSQL is not installed (scripts/setup.sh installs it)', () => undefined);
afterAll(async () => { for (const b of backends) await b.close(); });

const cases = backends.flatMap((backend) => PROFILE_NAMES.map((profile) => ({ backend, profile, label: `${profile} on ${backend.name}` })));

describe.each(cases)('Sage Pro connector contract: $label', ({ backend, profile }) => {
  let install: Install;
  let c: SageProConnector;
  let raw: odbc.Connection;
  const web = sandboxProfile(profile).locations.web;
  const table = (logical: string) => c.tables.resolve(logical).sql;
  // Result keys upper-cased: psqlODBC gives PostgreSQL's lower-case names.
  const q = async (sql: string, params: (string | number)[] = []): Promise<Obj[]> => Array.from(await (params.length ? raw.query<Obj>(sql, params) : raw.query<Obj>(sql)))
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toUpperCase(), v])));
  const counter = async (key: string): Promise<number> => {
    const n = install.site.numbering!.sales_order!;
    const rows = await q(`SELECT ${n.number_column} AS N FROM ${table(n.table!)} WHERE ${n.key_column} = ?`, [key.padEnd(profile === 'minimal' ? 8 : 10)]);
    return Number(rows[0]!.N);
  };

  beforeAll(async () => {
    install = await backend.install(profile);
    c = new SageProConnector({ dsn: install.dsn, ...optionsFromSite(install.site), now: () => new Date('2026-03-01T12:00:00Z') });
    raw = await odbc.connect(install.dsn);
    for (const [name, file] of Object.entries(install.attach)) await raw.query(`ATTACH DATABASE ? AS ${name}`, [file]);
  });
  afterAll(async () => { await raw?.close(); await c?.close(); });

  it('the site config fits the install (no error at start)', async () => {
    const problems = await c.verifyConfiguration();
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    // With the standard default location, the minimal install (LOCTID C(3), warehouse WH1) is refused.
    if (profile === 'minimal') {
      const other = new SageProConnector({ dsn: install.dsn, ...optionsFromSite({ ...install.site, default_location: 'MAIN' }) });
      await expect(other.verifyConfiguration()).rejects.toThrow(/sagepro\.default_location/);
      await other.close();
    }
  });

  it('creates an order numbered the site\'s way, at the web warehouse, once', async () => {
    const key = 'SONO';
    const before = await counter(key);
    const lvl0 = (await c.inventoryLevel('WIDGET-100', web)) as Obj;
    const order = { customer: 'PIED01', order_date: '2026-03-01', external_ref: `XC-C-${profile}`, lines: [{ item: 'WIDGET-100', quantity: 2 }, { item: 'MOUSE-WL', quantity: 1 }] };
    const a = (await c.createSalesOrder(order)) as Obj;
    const holdsNext = install.site.numbering!.sales_order!.holds === 'next';
    const after = await counter(key);
    expect(Number(a.number)).toBe(holdsNext ? after - 1 : after);
    expect(after).toBeGreaterThan(before);
    expect(a.lines.map((l: Obj) => l.location)).toEqual([web, web]);
    const b = (await c.createSalesOrder(order)) as Obj;
    expect(b.number).toBe(a.number);
    expect(await counter(key)).toBe(after);
    expect(((await c.inventoryLevel('WIDGET-100', web)) as Obj).allocated_sales).toBe(lvl0.allocated_sales + 2);
    const st = (await c.salesOrderStatus(String(a.number))) as Obj;
    expect(st).toMatchObject({ quantity_ordered: 3, quantity_shipped: 0, fully_shipped: false });
    expect(st.lines.map((l: Obj) => l.line_number)).toEqual([1, 2]);
  });

  it('an order carrying its number leaves the numbering table alone', async () => {
    const before = await counter('SONO');
    const o = (await c.createSalesOrder({ customer: 'HOOL01', order_date: '2026-03-01', number: '77001', external_ref: `XC-N-${profile}`, lines: [{ item: 'CABLE-HDMI', quantity: 1 }] })) as Obj;
    expect(o.number).toBe('77001');
    expect(await counter('SONO')).toBe(before);
  });

  it('reads history orders, shipped status and invoices', async () => {
    const hist = (await c.salesOrderStatus('902')) as Obj;
    expect(hist).toMatchObject({ in_history: true, fully_shipped: true, invoice_number: '5001' });
    expect(((await c.getSalesOrder('901')) as Obj).customer).toBe('ACME01');
  });

  it('posts an invoice and applies a payment once (ARCASH where the install has it)', async () => {
    const inv = (await c.postInvoice({ number: `81${PROFILE_NAMES.indexOf(profile)}`, customer: 'WAYN01', invoice_date: '2026-03-01', lines: [{ item: 'WIDGET-100', quantity: 1, price: 31 }] })) as Obj;
    expect(inv).toMatchObject({ amount: 31, balance: 31 });
    const pay = { number: inv.number, customer: 'WAYN01', invoice_date: '2026-03-01', lines: [], payment_amount: 31, payment_date: '2026-03-02', payment_ref: 'XC31', distributions: [{ account: '1010-00', amount: 31 }] };
    await c.postPayment(pay);
    const again = (await c.postPayment(pay)) as Obj;
    expect(again).toMatchObject({ paid_amount: 31, balance: 0 });
    const hasCash = profile !== 'minimal';
    expect(await c.shapeOrNull('ARCASH').then((s) => s !== null)).toBe(hasCash);
    if (hasCash) {
      const rows = await q(`SELECT PAIDAMT FROM ${table('ARCASH')} WHERE INVNO = ?`, [String(inv.number).padStart(10)]);
      expect(rows.map((r) => Number(r.PAIDAMT))).toEqual([31]);
    }
  });

  it('finds customers by e-mail in any case, and upserts', async () => {
    expect(((await c.findCustomerByEmail('ORDERS@ACME.EXAMPLE')) as Obj).number).toBe('ACME01');
    const u = (await c.upsertCustomer({ number: 'W777', name: 'Émile Zola', email: 'émile@zola.fr' })) as Obj;
    expect(u.name).toBe('Émile Zola');
    expect(((await c.findCustomerByEmail('ÉMILE@ZOLA.FR')) as Obj).number).toBe('W777');
  });
});

/**
 * The three install profiles (/work/notes/profiles.md), read back through the SQLite3 ODBC driver:
 * tables, columns and widths as the spec says (expectations written out here, not derived from
 * profiles.ts), the numbering rows, the warehouses, the module files and the connect.yaml keys.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, postgresAvailable, type StartedPostgres } from '../../../test/support/postgres.js';
import { connectSageProSandbox, createSageProSandbox, loadSandbox, sandboxProfile, type SageProSandbox } from './database.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-sagepro-profiles-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Q = <T = Record<string, unknown>>(sql: string, params?: (string | number)[]) => Promise<T[]>;

async function open(profile: string): Promise<{ sb: SageProSandbox; conn: odbc.Connection; q: Q }> {
  const sb = await createSageProSandbox({ dbPath: path.join(dir, profile, 'sagepro.db'), profile });
  const conn = await connectSageProSandbox(sb);
  const q: Q = async (sql, params) => Array.from(params ? await conn.query(sql, params) : await conn.query(sql)) as never;
  return { sb, conn, q };
}

/** Tables of one database (main or an attached one), through sqlite_master. */
async function tablesOf(q: Q, schema = 'main'): Promise<string[]> {
  return (await q<{ name: string }>(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'table' ORDER BY name`)).map((r) => r.name);
}

/** `COLUMN TYPE` per column, in order; PRAGMA table_info works for attached databases too (SQLColumns does not see them). */
async function columnsOf(q: Q, table: string, schema = 'main'): Promise<string[]> {
  return (await q<{ name: string; type: string }>(`PRAGMA ${schema}.table_info(${table})`)).map((r) => `${r.name} ${r.type}`);
}

const STANDARD_TABLES = ['arcash', 'arcust', 'ardist', 'armast', 'artran', 'glacnt', 'iciloc', 'icitem', 'soaddr', 'somast', 'sotran', 'soyadr', 'soymst', 'soytrn', 'sysdata'];
const AUDIT = ['ADDUSER CHAR(4)', 'ADDDATE DATE', 'ADDTIME CHAR(8)'];
const ARCASH = ['CUSTNO CHAR(6)', 'INVNO CHAR(10)', 'INVDTE DATE', 'REFNO CHAR(20)', 'DTEPAID DATE', 'PONUM CHAR(20)',
  'DISAMT NUMERIC(14,2)', 'PAIDAMT NUMERIC(14,2)', ...AUDIT];
const WITH_LOCTID = ['somast', 'sotran', 'soymst', 'soytrn', 'iciloc', 'artran'];

const SYSDATA_NUMBERING = {
  sales_order: { method: 'table', table: 'SYSDATA', key_column: 'NUMKEY', key: 'SONO', number_column: 'NEXTNO', holds: 'next', where: { COMPID: '01' } },
  ar_session: { method: 'table', table: 'SYSDATA', key_column: 'NUMKEY', key: 'ARSESS', number_column: 'NEXTNO', holds: 'next', where: { COMPID: '01' } },
};

describe('Sage Pro sandbox profile standard', () => {
  it('has today\'s tables plus ARCASH, LOCTID C(6), EXTREF C(30), SYSDATA holding the next numbers', async () => {
    const { sb, conn, q } = await open('standard');
    try {
      expect(sb.profile).toBe('standard');
      expect(await tablesOf(q)).toEqual(STANDARD_TABLES);
      // The ODBC catalog (SQLColumns) sees main-file tables with their declared types.
      const catalog = (await conn.columns(null, null, 'arcash', null)).map((c) => { const r = c as Record<string, unknown>; return `${String(r.COLUMN_NAME)} ${String(r.TYPE_NAME)}`; });
      expect(catalog).toEqual(ARCASH);
      expect(await columnsOf(q, 'arcash')).toEqual(ARCASH);
      for (const t of WITH_LOCTID) expect(await columnsOf(q, t), t).toContain('LOCTID CHAR(6)');
      expect(await columnsOf(q, 'somast')).toContain('EXTREF CHAR(30)');
      expect(await columnsOf(q, 'sysdata')).toEqual(['COMPID CHAR(2)', 'NUMKEY CHAR(10)', 'NEXTNO NUMERIC(10,0)']);
      expect(await q('SELECT COMPID, NUMKEY, NEXTNO FROM sysdata ORDER BY NUMKEY')).toEqual([
        { COMPID: '01', NUMKEY: 'ARSESS    ', NEXTNO: 1001 }, { COMPID: '01', NUMKEY: 'SONO      ', NEXTNO: 1001 }]);
      // Warehouses MAIN and EAST; a paid invoice has its cash receipt.
      expect((await q<{ L: string }>('SELECT DISTINCT LOCTID AS L FROM iciloc ORDER BY 1')).map((r) => r.L)).toEqual(['EAST  ', 'MAIN  ']);
      expect(await q('SELECT CUSTNO, INVNO, PAIDAMT FROM arcash ORDER BY INVNO')).toEqual([
        { CUSTNO: 'ACME01', INVNO: '      5000', PAIDAMT: 398.9 }, { CUSTNO: 'GLOBX1', INVNO: '      5001', PAIDAMT: 598 }]);
      expect(sb.attach).toEqual({});
      expect(sb.siteConfig).toEqual({ numbering: SYSDATA_NUMBERING });
    } finally { await conn.close(); }
  });
});

describe('Sage Pro sandbox profile minimal', () => {
  it('lacks the unconfirmed columns, SYSDATA and ARCASH; LOCTID C(3), warehouse WH1; NEXTNUM holds the last numbers', async () => {
    const { sb, conn, q } = await open('minimal');
    try {
      expect(await tablesOf(q)).toEqual(['arcust', 'ardist', 'armast', 'artran', 'glacnt', 'iciloc', 'icitem', 'nextnum', 'soaddr', 'somast', 'sotran', 'soyadr', 'soymst', 'soytrn']);
      const names = async (t: string) => (await columnsOf(q, t)).map((c) => c.split(' ')[0]);
      expect(await columnsOf(q, 'ardist')).toEqual(['GLACNT CHAR(24)', 'TRANNO CHAR(10)', 'TRANDTE DATE', 'ARSESS CHAR(10)', 'GLBATCH CHAR(10)', 'AMOUNT NUMERIC(14,2)']);
      expect(await names('artran')).not.toContain('LINENO');
      expect(await names('artran')).not.toContain('ADDTIME');
      expect(await names('artran')).toContain('ADDUSER');
      expect(await names('armast')).not.toContain('DTEPAID');
      expect(await names('sotran')).not.toContain('LINENO');
      expect(await names('sotran')).not.toContain('SHIPDATE');
      expect(await columnsOf(q, 'soytrn')).toContain('SHIPDATE DATE'); // the history table keeps it
      expect(await columnsOf(q, 'somast')).toContain('EXTREF CHAR(30)');
      for (const t of WITH_LOCTID) expect(await columnsOf(q, t), t).toContain('LOCTID CHAR(3)');
      expect((await conn.columns(null, null, 'nextnum', null)).map((c) => { const r = c as Record<string, unknown>; return `${String(r.COLUMN_NAME)} ${String(r.TYPE_NAME)}`; }))
        .toEqual(['KEYNAME CHAR(8)', 'LASTUSED NUMERIC(10,0)']);
      expect(await q('SELECT KEYNAME, LASTUSED FROM nextnum ORDER BY KEYNAME')).toEqual([
        { KEYNAME: 'ARSESS  ', LASTUSED: 700 }, { KEYNAME: 'SONO    ', LASTUSED: 5000 }]);
      for (const t of ['iciloc', 'sotran', 'somast', 'soytrn']) {
        const locs = (await q<{ L: string }>(`SELECT DISTINCT LOCTID AS L FROM ${t} ORDER BY 1`)).map((r) => r.L);
        expect(locs, t).not.toContain('MAI');
        expect(locs, t).toContain('WH1');
      }
      expect(await q("SELECT COUNT(*) AS N FROM iciloc WHERE LOCTID = 'WH1'")).toEqual([{ N: 16 }]);
      expect(sb.siteConfig).toEqual({
        numbering: {
          sales_order: { method: 'table', table: 'NEXTNUM', key_column: 'KEYNAME', key: 'SONO', number_column: 'LASTUSED', holds: 'last' },
          ar_session: { method: 'table', table: 'NEXTNUM', key_column: 'KEYNAME', key: 'ARSESS', number_column: 'LASTUSED', holds: 'last' },
        },
        default_location: 'WH1',
      });
    } finally { await conn.close(); }
  });
});

describe('Sage Pro sandbox profile vfp-modules', () => {
  it('keeps one database file per module, attached under the folder name, tables with the company suffix', async () => {
    const { sb, conn, q } = await open('vfp-modules');
    const standard = await open('standard');
    try {
      const base = path.join(dir, 'vfp-modules');
      expect(sb.attach).toEqual({ ardata: path.join(base, 'ardata.db'), sodata: path.join(base, 'sodata.db'), icdata: path.join(base, 'icdata.db') });
      for (const f of Object.values(sb.attach)) expect(fs.existsSync(f)).toBe(true);
      expect(await tablesOf(q)).toEqual(['sysdata']); // the program root keeps the system table
      expect(await tablesOf(q, 'ardata')).toEqual(['arcash01', 'arcust01', 'ardist01', 'armast01', 'artran01', 'glacnt01']);
      expect(await tablesOf(q, 'sodata')).toEqual(['soaddr01', 'somast01', 'sotran01', 'soyadr01', 'soymst01', 'soytrn01']);
      expect(await tablesOf(q, 'icdata')).toEqual(['iciloc01', 'icitem01']);
      // Same columns as standard, table by table.
      const where: Record<string, string> = { arcash: 'ardata', arcust: 'ardata', ardist: 'ardata', armast: 'ardata', artran: 'ardata', glacnt: 'ardata',
        soaddr: 'sodata', somast: 'sodata', sotran: 'sodata', soyadr: 'sodata', soymst: 'sodata', soytrn: 'sodata', icitem: 'icdata', iciloc: 'icdata' };
      for (const t of STANDARD_TABLES) {
        const mine = where[t] ? await columnsOf(q, `${t}01`, where[t]) : await columnsOf(q, t);
        expect(mine, t).toEqual(await columnsOf(standard.q, t));
      }
      // The attached tables are read and joined like any other.
      expect(await q("SELECT COUNT(*) AS N FROM sodata.somast01 m JOIN ardata.arcust01 c ON c.CUSTNO = m.CUSTNO WHERE m.SONO = '      1001'")).toEqual([{ N: 1 }]);
      expect(await q('SELECT COUNT(*) AS N FROM icdata.iciloc01')).toEqual([{ N: 32 }]);
      expect(sb.siteConfig).toEqual({
        company: '01',
        modules: { AR: 'ardata.{table}{company}', GL: 'ardata.{table}{company}', SO: 'sodata.{table}{company}', IC: 'icdata.{table}{company}' },
        attach: sb.attach,
        numbering: SYSDATA_NUMBERING,
      });
      // A connection without the ATTACH statements does not see the modules.
      const plain = await odbc.connect(sb.dsn);
      try { await expect(plain.query('SELECT * FROM sodata.somast01')).rejects.toThrow(); } finally { await plain.close(); }
    } finally { await conn.close(); await standard.conn.close(); }
  });
});

describe('Sage Pro sandbox profiles: choosing and reusing', () => {
  it('reuses a file of the same profile and refuses one of another, naming both', async () => {
    const again = await createSageProSandbox({ dbPath: path.join(dir, 'reuse', 'sagepro.db'), profile: 'minimal' });
    expect(again.created).toBe(true);
    expect((await createSageProSandbox({ dbPath: path.join(dir, 'reuse', 'sagepro.db'), profile: 'minimal' })).created).toBe(false);
    await expect(createSageProSandbox({ dbPath: path.join(dir, 'reuse', 'sagepro.db') })).rejects.toThrow(/holds a Sage Pro sandbox of profile 'minimal', not 'standard'/);
  });

  it('refuses an unknown profile, listing the ones there are', async () => {
    expect(() => sandboxProfile('tiny')).toThrow("unknown Sage Pro sandbox profile 'tiny' (profiles: standard, minimal, vfp-modules)");
    await expect(createSageProSandbox({ dbPath: path.join(dir, 'x', 'sagepro.db'), profile: 'tiny' })).rejects.toThrow(/unknown Sage Pro sandbox profile/);
    expect(fs.existsSync(path.join(dir, 'x', 'sagepro.db'))).toBe(false);
  });

  it('refuses to reuse vfp-modules when a module file is missing (ATTACH would create it empty)', async () => {
    const dbPath = path.join(dir, 'gone', 'sagepro.db');
    const sb = await createSageProSandbox({ dbPath, profile: 'vfp-modules' });
    await (await connectSageProSandbox(sb)).close();
    fs.rmSync(sb.attach.sodata!);
    await expect(createSageProSandbox({ dbPath, profile: 'vfp-modules' })).rejects.toThrow(/the module database sodata .* is missing/);
    // Connecting attaches with mode=rw: a missing module file is an error, not a new empty database.
    await expect(connectSageProSandbox(sb)).rejects.toThrow();
    expect(fs.existsSync(sb.attach.sodata!)).toBe(false);
  });
});

describe.skipIf(!postgresAvailable())('Sage Pro sandbox profiles on PostgreSQL (psqlODBC)', () => {
  let pg: StartedPostgres | undefined;
  afterAll(async () => { await pg?.stop(); });

  it('loads minimal and vfp-modules (modules as schemas); SQLColumns reads the widths back', async () => {
    pg = await startPostgres();
    const c = await odbc.connect(pg.dsn);
    try {
      // The two share no table name: minimal is in public (no sysdata), vfp-modules in schemas plus public.sysdata.
      await loadSandbox(c, 'postgres', { profile: 'minimal' });
      await loadSandbox(c, 'postgres', { profile: 'vfp-modules' });
      const cols = async (schema: string, table: string) => (await c.columns(null, schema, table, null))
        .map((x) => { const r = x as Record<string, unknown>; return `${String(r.COLUMN_NAME).toUpperCase()} ${String(r.TYPE_NAME)}(${String(r.COLUMN_SIZE)})`; });
      expect(await cols('public', 'nextnum')).toEqual(['KEYNAME bpchar(8)', 'LASTUSED numeric(10)']);
      expect(await cols('public', 'iciloc')).toContain('LOCTID bpchar(3)');
      expect(await cols('ardata', 'arcash01')).toContain('INVNO bpchar(10)');
      expect(await cols('icdata', 'iciloc01')).toContain('LOCTID bpchar(6)');
      expect(Array.from(await c.query("SELECT LOCTID FROM public.iciloc WHERE ITEM = 'WIDGET-100     ' ORDER BY 1"))).toEqual([{ loctid: 'WH1' }, { loctid: 'WH2' }]);
      const one = async (sql: string) => Number(Object.values(Array.from(await c.query<Record<string, unknown>>(sql))[0]!)[0]);
      expect(await one('SELECT COUNT(*) AS n FROM sodata.somast01')).toBe(4);
      expect(await one("SELECT nextno FROM public.sysdata WHERE numkey = 'SONO'")).toBe(1001);
    } finally { await c.close(); }
  });
});

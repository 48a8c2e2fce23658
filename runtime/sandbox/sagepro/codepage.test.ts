/**
 * The sandbox holds only what a Windows-1252 install can hold: values are written through the real
 * SQLite3 ODBC driver (and psqlODBC) with plain SQL, bypassing any encoder, and the tables' own CHECK
 * constraints refuse a too-long value, characters outside the code page (an emoji, CJK, U+0100),
 * control characters and NUL, with an error naming table, column and rule.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, postgresAvailable, type StartedPostgres } from '../../../test/support/postgres.js';
import { CP1252, MEMO_CODE_POINTS, TEXT_CODE_POINTS } from './codepage.js';
import { connectSageProSandbox, createSageProSandbox, loadSandbox } from './database.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-sagepro-cp-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function iconvAvailable(): boolean {
  try { execFileSync('iconv', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** The ODBC error text of a failed statement ('' when it succeeded). */
async function failure(p: Promise<unknown>): Promise<string> {
  try { await p; return ''; } catch (e) {
    const errs = (e as { odbcErrors?: { message: string }[] }).odbcErrors;
    return errs?.map((x) => x.message).join('; ') ?? (e as Error).message;
  }
}

describe('the Windows-1252 table', () => {
  // An independent decoder: glibc's iconv (Node 20's TextDecoder decodes 0x80-0x9F of windows-1252
  // as Latin-1, so it cannot be the reference).
  it.skipIf(!iconvAvailable())('has the 251 defined code points, agreeing with iconv', () => {
    expect(CP1252.size).toBe(251);
    const bytes = [...CP1252.keys()];
    const decoded = execFileSync('iconv', ['-f', 'WINDOWS-1252', '-t', 'UTF-8'], { input: Buffer.from(bytes) }).toString('utf8');
    expect([...decoded].map((ch) => ch.codePointAt(0))).toEqual([...CP1252.values()]);
    for (const b of [0x81, 0x8d, 0x8f, 0x90, 0x9d]) {
      expect(CP1252.has(b), `0x${b.toString(16)}`).toBe(false);
      expect(() => execFileSync('iconv', ['-f', 'WINDOWS-1252', '-t', 'UTF-8'], { input: Buffer.from([b]), stdio: ['pipe', 'pipe', 'ignore'] }), `0x${b.toString(16)}`).toThrow();
    }
    expect(TEXT_CODE_POINTS).toHaveLength(251 - 33); // without C0 controls and DEL
    expect(MEMO_CODE_POINTS).toHaveLength(251 - 30); // TAB, LF, CR allowed in memos
  });
});

describe('code-page constraints on SQLite (SQLite3 ODBC driver)', () => {
  let conn: odbc.Connection;
  let mods: odbc.Connection;
  beforeAll(async () => {
    conn = await connectSageProSandbox(await createSageProSandbox({ dbPath: path.join(dir, 'std', 'sagepro.db') }));
    mods = await connectSageProSandbox(await createSageProSandbox({ dbPath: path.join(dir, 'mods', 'sagepro.db'), profile: 'vfp-modules' }));
  });
  afterAll(async () => { await conn?.close(); await mods?.close(); });
  const setCompany = (v: string) => failure(conn.query("UPDATE arcust SET COMPANY = ? WHERE CUSTNO = 'ACME01'", [v]));

  it('refuses a value longer than its C(n) column, naming table, column and width', async () => {
    expect(await failure(conn.query('INSERT INTO arcust (CUSTNO) VALUES (?)', ['ACME012']))).toMatch(/CHECK constraint failed: ARCUST_CUSTNO_max6/);
    expect(await failure(conn.query('INSERT INTO arcust (CUSTNO) VALUES (?)', ['ACME02']))).toBe('');
    // Six characters of the code page are six bytes there: they fit C(6).
    expect(await failure(conn.query('INSERT INTO arcust (CUSTNO) VALUES (?)', ['ÉÈÊËßœ']))).toBe('');
  });

  it('refuses characters outside Windows-1252 (emoji, CJK, U+0100, the undefined 0x81) in C(n) and memo columns', async () => {
    for (const v of ['Acme 😀', '株式会社', 'Ā', 'Łódź', 'x\u0081']) expect(await setCompany(v), v).toMatch(/CHECK constraint failed: ARCUST_COMPANY_cp1252/);
    expect(await failure(conn.query("UPDATE arcust SET EMAIL = ? WHERE CUSTNO = 'ACME01'", ['😀@acme.example']))).toMatch(/ARCUST_EMAIL_cp1252/);
    // The attached module tables of vfp-modules carry the same constraints.
    expect(await failure(mods.query("UPDATE ardata.arcust01 SET COMPANY = ? WHERE CUSTNO = 'ACME01'", ['Acme 😀']))).toMatch(/ARCUST_COMPANY_cp1252/);
    const [row] = Array.from(await conn.query<{ COMPANY: string }>("SELECT COMPANY FROM arcust WHERE CUSTNO = 'ACME01'"));
    expect(row!.COMPANY.trimEnd()).toBe('Acme Corporation'); // nothing was written
  });

  it('accepts the code page itself, including its 0x80-0x9F letters and signs', async () => {
    for (const v of ['Straße & Söhne', 'Prix: 5 € – “net”', 'Œuvre Šport Žena Ÿ', 'ÿ þ ð ¼ ½ ¾ © ®', '~]^-\\[']) expect(await setCompany(v), v).toBe('');
  });

  it('refuses control characters in C(n) columns; memos allow TAB, LF and CR only', async () => {
    for (const v of ['Acme\tCorp', 'Acme\nCorp', 'Acme\u001bCorp', 'Acme\u007f']) expect(await setCompany(v), JSON.stringify(v)).toMatch(/ARCUST_COMPANY_cp1252/);
    expect(await failure(conn.query("UPDATE arcust SET CSTMEMO = ? WHERE CUSTNO = 'ACME01'", ['line 1\r\nline 2\tend']))).toBe('');
    expect(await failure(conn.query("UPDATE arcust SET CSTMEMO = ? WHERE CUSTNO = 'ACME01'", ['bell\u0007']))).toMatch(/ARCUST_CSTMEMO_cp1252/);
  });

  it('refuses a NUL that reaches the table; a NUL in a bound parameter never does (the odbc package cuts it)', async () => {
    expect(await failure(conn.query("UPDATE arcust SET COMPANY = 'AB' || char(0) || 'CD' WHERE CUSTNO = 'ACME01'"))).toMatch(/ARCUST_COMPANY_cp1252/);
    expect(await failure(conn.query("UPDATE arcust SET CSTMEMO = 'AB' || char(0) || 'CD' WHERE CUSTNO = 'ACME01'"))).toMatch(/ARCUST_CSTMEMO_cp1252/);
    // The odbc package binds strings NUL-terminated (SQL_NTS): the driver receives 'AB' and the rest
    // is lost silently, before any constraint can see it. A writer must refuse NUL itself.
    expect(await setCompany('AB\u0000CD')).toBe('');
    const [row] = Array.from(await conn.query<{ COMPANY: string }>("SELECT COMPANY FROM arcust WHERE CUSTNO = 'ACME01'"));
    expect(row!.COMPANY).toBe('AB');
  });
});

describe.skipIf(!postgresAvailable())('code-page constraints on PostgreSQL (psqlODBC)', () => {
  let pg: StartedPostgres | undefined;
  afterAll(async () => { await pg?.stop(); });

  it('refuses an emoji and a control character, naming table and column; accepts the code page', async () => {
    pg = await startPostgres();
    const c = await odbc.connect(pg.dsn);
    try {
      await loadSandbox(c, 'postgres');
      const set = (v: string) => failure(c.query("UPDATE arcust SET COMPANY = ? WHERE CUSTNO = 'ACME01'", [v]));
      expect(await set('Acme 😀')).toMatch(/violates check constraint "arcust_company_cp1252"/);
      expect(await set('Acme\tCorp')).toMatch(/arcust_company_cp1252/);
      expect(await set('Straße – “€”')).toBe('');
      expect(await failure(c.query("UPDATE arcust SET CUSTNO = ? WHERE CUSTNO = 'ACME01'", ['ACME012']))).toMatch(/value too long for type character\(6\)/);
    } finally { await c.close(); }
  });
});

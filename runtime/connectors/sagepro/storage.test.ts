import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../errors.js';
import { createSageProSandbox } from '../../sandbox/sagepro/database.js';
import { SageProConnector } from './connector.js';

/** The sandbox's numbering table: SYSDATA(COMPID, NUMKEY, NEXTNO) holding the next number. */
const NUMBERING = { sales_order: { method: 'table' as const, table: 'SYSDATA', keyColumn: 'NUMKEY', key: 'SONO', numberColumn: 'NEXTNO', holds: 'next' as const, where: { COMPID: '01' } } };
import type { TextRules } from '../../text/codepage.js';
import { createDialect, dialectFromDsn, genericStorageType } from './dialect.js';
import { completeRow, decodeValue, encodeValue, padKey, type TableShape } from './storage.js';
import { parseStorageType, sameStorage } from './types.js';
import { redact } from './odbc.js';

const d = createDialect('sqlite');
const shape: TableShape = {
  table: 'SOMAST',
  columns: new Map([
    ['SONO', { name: 'SONO', type: parseStorageType('C(10)'), justify: 'right' }],
    ['CUSTNO', { name: 'CUSTNO', type: parseStorageType('C(6)'), justify: 'left' }],
    ['ORDAMT', { name: 'ORDAMT', type: parseStorageType('N(12,2)'), justify: 'left' }],
    ['SODATE', { name: 'SODATE', type: parseStorageType('D'), justify: 'left' }],
    ['NOTES', { name: 'NOTES', type: parseStorageType('M'), justify: 'left' }],
    ['FLAG', { name: 'FLAG', type: parseStorageType('L'), justify: 'left' }],
  ]),
};

describe('storage rules', () => {
  it('pads C(n): right-justified keys left-padded, others right-padded', () => {
    expect(encodeValue(shape.columns.get('SONO')!, '1001', 'SOMAST', d)).toBe('      1001');
    expect(encodeValue(shape.columns.get('CUSTNO')!, 'AB', 'SOMAST', d)).toBe('AB    ');
    expect(padKey(' 42 ', 10, 'right', 'SOMAST', 'SONO')).toBe('        42');
  });
  it('rejects a too-long value with an invalid error naming table and column', () => {
    try {
      encodeValue(shape.columns.get('CUSTNO')!, 'TOOLONG', 'SOMAST', d);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConnectorError);
      expect((e as ConnectorError).errorClass).toBe('invalid');
      expect((e as ConnectorError).table).toBe('SOMAST');
      expect((e as ConnectorError).column).toBe('CUSTNO');
      expect((e as Error).message).toMatch(/SOMAST\.CUSTNO/);
    }
  });
  it('fills every column with a non-null default', () => {
    const { columns, params } = completeRow(shape, { SONO: '7' }, d);
    expect(columns).toEqual(['SONO', 'CUSTNO', 'ORDAMT', 'SODATE', 'NOTES', 'FLAG']);
    expect(params).toEqual(['         7', '      ', 0, '1899-12-30', '', 0]);
    expect(() => completeRow(shape, { NOPE: 1 }, d)).toThrow(/NOPE/);
  });
  it('rounds numbers to scale and rejects overflow', () => {
    expect(encodeValue(shape.columns.get('ORDAMT')!, 12.345, 'SOMAST', d)).toBe(12.35);
    expect(() => encodeValue(shape.columns.get('ORDAMT')!, 1e12, 'SOMAST', d)).toThrow(/ORDAMT/);
    expect(() => encodeValue(shape.columns.get('ORDAMT')!, 'abc', 'SOMAST', d)).toThrow(/not a number/);
  });
  it('reads back: pad trimmed, empty date is null', () => {
    expect(decodeValue(parseStorageType('C(10)'), 'right', '      1001')).toBe('1001');
    expect(decodeValue(parseStorageType('C(6)'), 'left', 'AB    ')).toBe('AB');
    expect(decodeValue(parseStorageType('D'), 'left', '1899-12-30')).toBeNull();
    expect(decodeValue(parseStorageType('D'), 'left', '2026-01-02')).toBe('2026-01-02');
    expect(decodeValue(parseStorageType('N(12,2)'), 'left', '3.50')).toBe(3.5);
    expect(decodeValue(parseStorageType('L'), 'left', 1)).toBe(true);
  });
  it('maps catalog types and compares storage', () => {
    expect(genericStorageType({ COLUMN_NAME: 'X', TYPE_NAME: 'CHAR(10)', DATA_TYPE: 12, COLUMN_SIZE: 10, DECIMAL_DIGITS: 10 })).toEqual({ kind: 'C', width: 10 });
    expect(genericStorageType({ COLUMN_NAME: 'X', TYPE_NAME: 'NUMERIC(12,2)', DATA_TYPE: 8, COLUMN_SIZE: 2, DECIMAL_DIGITS: 10 })).toEqual({ kind: 'N', precision: 12, scale: 2 });
    expect(sameStorage(parseStorageType('Y'), parseStorageType('N(15,4)'))).toBe(true);
    expect(sameStorage(parseStorageType('C(6)'), parseStorageType('C(10)'))).toBe(false);
  });
  it('names tables per dialect', () => {
    expect(createDialect('vfp', { company: '01' }).table('SOMAST')).toBe('somast01');
    expect(createDialect('postgres').table('SOMAST')).toBe('somast');
    expect(createDialect('mssql').limit('SELECT A FROM t', 1)).toBe('SELECT TOP 1 A FROM t');
    expect(createDialect('vfp').notDeleted()).toBe('NOT DELETED()');
    expect(dialectFromDsn('Driver=SQLite3;Database=/x')).toBe('sqlite');
    expect(dialectFromDsn('Driver={PostgreSQL Unicode};Server=x')).toBe('postgres');
  });
  it('redacts secrets from messages', () => {
    const dsn = 'Driver={PostgreSQL Unicode};Server=h;Uid=u;Pwd=s3cret!';
    expect(redact(`failed for ${dsn}`, dsn)).not.toMatch(/s3cret/);
    expect(redact('login with password s3cret! failed', dsn)).not.toMatch(/s3cret/);
  });
});

describe('text is code-page text (encodeValue)', () => {
  const descrip = { name: 'DESCRIP', type: parseStorageType('C(50)'), justify: 'left' as const };
  const w1252: TextRules = { codePage: 'windows-1252', unmappable: 'transliterate', control: 'strip' };
  // 50 characters with one emoji: 51 UTF-16 code units, what truncate(name, 50) could give before.
  const name = 'Widget 😀 deluxe edition with a very long marketing';

  it('counts bytes of the code page, not UTF-16 units: 50 characters with an emoji fit C(50)', () => {
    expect([...name]).toHaveLength(50);
    expect(name.length).toBe(51);
    const v = encodeValue(descrip, name, 'SOTRAN', d, undefined, { rules: w1252 }) as string;
    expect(v).toBe('Widget ? deluxe edition with a very long marketing');
  });
  it('a value that is too long says how long it is, in characters and bytes of the code page', () => {
    expect(() => encodeValue(descrip, name + 'é', 'SOTRAN', d, undefined, { rules: w1252 }))
      .toThrow('SOTRAN.DESCRIP (C(50)): value of 51 characters (51 bytes in windows-1252) is too long');
  });
  it('unmappable: transliterate only what the code page lacks, replace with ?, or reject naming the field', () => {
    const city = { name: 'CITY', type: parseStorageType('C(20)'), justify: 'left' as const };
    expect(encodeValue(city, 'Łódź', 'SOADDR', d, undefined, { rules: w1252 })).toBe('Lódz'.padEnd(20));
    expect(encodeValue(city, 'Łódź', 'SOADDR', d, undefined, { rules: { ...w1252, codePage: 'windows-1250' } })).toBe('Łódź'.padEnd(20));
    expect(encodeValue(city, 'Łódź', 'SOADDR', d, undefined, { rules: { ...w1252, unmappable: 'replace' } })).toBe('?ód?'.padEnd(20));
    try {
      encodeValue(city, 'Łódź', 'SOADDR', d, 'sales_orders.create', { rules: { ...w1252, unmappable: 'reject' } });
      expect.unreachable();
    } catch (e) {
      expect((e as ConnectorError).errorClass).toBe('invalid');
      expect((e as ConnectorError).column).toBe('CITY');
      expect((e as Error).message).toBe("SOADDR.CITY: character 'Ł' (U+0141) at position 1 is not in code page windows-1252 (text rule unmappable: reject)");
    }
  });
  it('control characters: stripped with a warning naming the column, or rejected; a memo keeps line breaks', () => {
    const warnings: string[] = [];
    const addr = { name: 'ADDRESS2', type: parseStorageType('C(35)'), justify: 'left' as const };
    expect(encodeValue(addr, 'Line2\u0000NUL', 'SOADDR', d, undefined, { rules: w1252, warn: (m) => warnings.push(m) })).toBe('Line2NUL'.padEnd(35));
    expect(warnings).toEqual(['SOADDR.ADDRESS2: 1 control character stripped (text rule control: strip)']);
    expect(() => encodeValue(addr, 'Line2\u0000NUL', 'SOADDR', d, undefined, { rules: { ...w1252, control: 'reject' } }))
      .toThrow('SOADDR.ADDRESS2: control character U+0000 at position 6 (text rule control: reject)');
    expect(encodeValue(shape.columns.get('NOTES')!, 'a\r\nb\tc\u0007', 'SOMAST', d, undefined, { rules: w1252 })).toBe('a\r\nb\tc');
  });
});

describe('text rules through the real SQLite3 ODBC driver into the Sage Pro sandbox, read back', () => {
  let dir = '';
  let dsn = '';
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-sagepro-text-'));
    dsn = (await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') })).dsn;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const order = (ref: string, address2: string, description: string) => ({
    external_ref: ref, customer: 'ACME01', order_date: '2026-03-01',
    lines: [{ item: 'WIDGET-100', description, quantity: 1, price: 10 }],
    ship_to: { name: 'Jane Doe', address1: '1 Main St', address2, city: 'Springfield' },
  });
  const readBack = async (sono: string) => {
    const c = await odbc.connect(dsn);
    try {
      const a = await c.query<{ ADDRESS2: string }>('SELECT ADDRESS2 FROM SOADDR WHERE TRIM(SONO) = ?', [sono]);
      const l = await c.query<{ DESCRIP: string }>('SELECT DESCRIP FROM SOTRAN WHERE TRIM(SONO) = ?', [sono]);
      return { address2: String(a[0]!.ADDRESS2).trimEnd(), description: String(l[0]!.DESCRIP).trimEnd() };
    } finally { await c.close(); }
  };

  it('strip: the NUL is removed (not the rest of the value) and a warning names SOADDR.ADDRESS2; an emoji name fits C(50)', async () => {
    const warnings: string[] = [];
    const conn = new SageProConnector({ dsn, numbering: NUMBERING, text: { codePage: 'windows-1252', unmappable: 'transliterate', control: 'strip' }, onWarning: (m) => warnings.push(m) });
    try {
      const so = await conn.createSalesOrder(order('XC-TEXT-1', 'Line2\u0000NUL', 'Widget 😀 deluxe edition with a very long marketing'));
      expect(await readBack(String(so.number))).toEqual({ address2: 'Line2NUL', description: 'Widget ? deluxe edition with a very long marketing' });
      expect(warnings).toContain('SOADDR.ADDRESS2: 1 control character stripped (text rule control: strip)');
    } finally { await conn.close(); }
  });

  it('reject: the order is refused as invalid naming SOADDR.ADDRESS2, and nothing is written', async () => {
    const conn = new SageProConnector({ dsn, numbering: NUMBERING, text: { codePage: 'windows-1252', unmappable: 'transliterate', control: 'reject' } });
    try {
      const e = await conn.createSalesOrder(order('XC-TEXT-2', 'Line2\u0000NUL', 'Widget')).then(() => undefined, (x: unknown) => x as ConnectorError);
      expect(e).toBeInstanceOf(ConnectorError);
      expect(e!.errorClass).toBe('invalid');
      expect([e!.table, e!.column]).toEqual(['SOADDR', 'ADDRESS2']);
      expect(e!.message).toMatch(/control character U\+0000 at position 6/);
      expect(await conn.findSalesOrderByRef('XC-TEXT-2')).toBeNull();
    } finally { await conn.close(); }
  });
});

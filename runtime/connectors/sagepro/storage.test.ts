import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../errors.js';
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

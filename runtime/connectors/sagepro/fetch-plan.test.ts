/**
 * fetch-plan.ts on the back-ends this machine has no driver for (VFP, SQL Server): the SQL it
 * writes for a memo and how the pieces are joined. The one query it runs first (row count and
 * memo widths) is answered by a stand-in session: there is no VFP ODBC driver here to ask.
 * SQLite and PostgreSQL are covered for real by poll-alloc.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createDialect } from './dialect.js';
import { planFetch } from './fetch-plan.js';
import type { Session } from './odbc.js';
import type { TableShape } from './storage.js';

const shape: TableShape = {
  table: 'SOMAST',
  columns: new Map([
    ['SONO', { name: 'SONO', type: { kind: 'C', width: 10 }, justify: 'right' }],
    ['NOTES', { name: 'NOTES', type: { kind: 'M' }, justify: 'left' }],
  ]) as TableShape['columns'],
};
const answering = (rows: number, widest: number) => ({ query: async () => [{ ROWS_: rows, NOTES: widest }] }) as unknown as Session;

describe('planFetch on VFP and SQL Server', () => {
  it('VFP: PADR pieces of 254 (no CAST in the VFP ODBC driver), the padding cut by LEN', async () => {
    const plan = await planFetch(answering(3, 300), { dialect: createDialect('vfp'), shape, tableSql: 'somast01', columns: ['SONO', 'NOTES'], where: ' WHERE NOT DELETED()' });
    expect(plan.select).toEqual(['SONO', 'PADR(SUBSTR(NOTES, 1, 254), 254) AS NOTES__P0', 'PADR(SUBSTR(NOTES, 255, 254), 254) AS NOTES__P1', 'LEN(NOTES) AS NOTES__LEN']);
    expect(plan.fetchSize).toBe(4);
    const value = `${'a'.repeat(290)}  ends in two blanks  `;
    const row = plan.rebuild({ SONO: '      1000', NOTES__P0: value.slice(0, 254), NOTES__P1: value.slice(254).padEnd(254), NOTES__LEN: value.length });
    expect(row).toEqual({ SONO: '      1000', NOTES: value });
    expect(() => plan.rebuild({ SONO: '1', NOTES__P0: 'x'.repeat(254), NOTES__P1: 'y'.repeat(254), NOTES__LEN: 600 })).toThrow(/SOMAST\.NOTES grew while it was read/);
  });

  it('SQL Server: varchar(4000) casts of varchar(max), DATALENGTH; an empty table fetches one row at a time', async () => {
    const plan = await planFetch(answering(0, 0), { dialect: createDialect('mssql'), shape, tableSql: 'somast', columns: ['SONO', 'NOTES'] });
    expect(plan.select).toEqual(['SONO', 'CAST(SUBSTRING(CAST(NOTES AS varchar(max)), 1, 4000) AS varchar(4000)) AS NOTES__P0', 'DATALENGTH(NOTES) AS NOTES__LEN']);
    expect(plan.fetchSize).toBe(1);
    expect(plan.rebuild({ SONO: '1', NOTES__P0: null, NOTES__LEN: null })).toEqual({ SONO: '1', NOTES: null });
  });
});

/**
 * Issue 11: one Sage Pro poll must not make the odbc package allocate (and memset) buffers sized by
 * the driver's column sizes times the fetch size. The bytes are computed the way the odbc package
 * sizes its bound buffers (node_modules/odbc/src/odbc_connection.cpp, prepare_for_fetch), from the
 * column metadata the real SQLite3 ODBC driver reports for each cursor the poll opens, and the
 * fetch size the cursor was opened with: deterministic, and independent of the connector's own
 * estimate (fetch-plan.ts). Before the fix one poll of the demo database bound 262 MB (SOMAST.NOTES,
 * TEXT, reported as LONGVARCHAR of 65536, times 1000 rows).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../errors.js';
import { createSageProSandbox, loadSandbox } from '../../sandbox/sagepro/database.js';
import { postgresAvailable, startPostgres, type StartedPostgres } from '../../../test/support/postgres.js';
import { SageProConnector } from './connector.js';

interface Col { name: string; dataType: number; columnSize: number }
interface Opened { sql: string; fetchSize: number; columns: Col[] }

/** What prepare_for_fetch allocates for one column of a block cursor (odbc 2.6.0; a driver without SQL_GD_BLOCK). */
function odbcBoundBytes(c: Col, fetchSize: number): number {
  const indicator = 8 * fetchSize; // SQLLEN[fetch_size]
  const size = c.columnSize;
  switch (c.dataType) {
    case -10: return indicator + (fetchSize === 1 ? 0 : (size + 1) * 2 * fetchSize); // SQL_WLONGVARCHAR
    case -1: return indicator + (fetchSize === 1 ? 0 : (size * 4 + 1) * fetchSize); // SQL_LONGVARCHAR
    case -4: return indicator + (fetchSize === 1 ? 0 : size); // SQL_LONGVARBINARY
    case 7: case 3: case 2: return indicator + (size + 2) * fetchSize; // REAL, DECIMAL, NUMERIC
    case 6: case 8: return indicator + 8 * fetchSize; // FLOAT, DOUBLE
    case -6: case 5: return indicator + 2 * fetchSize;
    case 4: return indicator + 4 * fetchSize;
    case -5: return indicator + 8 * fetchSize;
    case -2: case -3: return indicator + size * fetchSize;
    case -8: case -9: return indicator + (size === 0 ? 0 : (size + 1) * 2 * fetchSize);
    default: return indicator + (size === 0 ? 0 : (size * 4 + 1) * fetchSize); // CHAR, VARCHAR, dates...
  }
}

const opened: Opened[] = [];
/** Runs before a cursor's statement is executed (a concurrent writer, for the race case). */
let beforeCursor: ((sql: string) => Promise<void>) | undefined;

// The odbc package's own Connection class (the one odbc.connect returns): record every cursor.
const require = createRequire(import.meta.url);
const { Connection } = require('odbc/lib/Connection.js') as { Connection: { prototype: { query: (...a: unknown[]) => Promise<unknown> } } };
const original = Connection.prototype.query;
Connection.prototype.query = async function (this: unknown, ...args: unknown[]) {
  const opts = args.find((a, i) => i > 0 && a && typeof a === 'object' && !Array.isArray(a)) as { cursor?: boolean; fetchSize?: number } | undefined;
  if (!opts || !(opts.cursor || opts.fetchSize)) return original.apply(this, args);
  if (beforeCursor) await beforeCursor(String(args[0]));
  const cursor = await original.apply(this, args) as { fetch: () => Promise<unknown[] & { columns: Col[] }> };
  const rec: Opened = { sql: String(args[0]), fetchSize: opts.fetchSize ?? 1, columns: [] };
  opened.push(rec);
  const fetch = cursor.fetch.bind(cursor);
  cursor.fetch = async () => { const b = await fetch(); if (!rec.columns.length && b.columns) rec.columns = b.columns; return b; };
  return cursor;
};

afterAll(() => { Connection.prototype.query = original; });

const boundOf = (o: Opened) => o.columns.reduce((t, c) => t + odbcBoundBytes(c, o.fetchSize), 0);

describe('one Sage Pro poll of the demo database (SQLite3 ODBC)', () => {
  let dir = '';
  let dsn = '';
  let conn: SageProConnector;
  const notes = `Deliver to the back door, ring twice. Café crème, 5 € tip. ${'x'.repeat(2900)} — end.`;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-poll-alloc-'));
    dsn = (await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') })).dsn;
    const raw = await odbc.connect(dsn);
    try {
      const [first] = await raw.query<{ SONO: string }>('SELECT SONO FROM somast ORDER BY SONO LIMIT 1');
      await raw.query('UPDATE somast SET NOTES = ? WHERE SONO = ?', [notes, first!.SONO]);
    } finally { await raw.close(); }
    conn = new SageProConnector({ dsn });
  });
  afterAll(async () => {
    await conn?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('binds at most 1 MB for the demo flows\' polls (SalesOrder for SalesOrderStatus, InventoryLevel), memos whole', async () => {
    opened.length = 0;
    const rows: Record<string, Record<string, unknown>> = {};
    for (const entity of ['SalesOrder', 'InventoryLevel']) {
      for await (const ch of conn.changedRows(entity, () => undefined)) if (ch.row) rows[`${entity}:${ch.key}`] = ch.row;
    }
    expect(opened.length).toBe(2);
    const figures = opened.map((o) => `${/FROM (\w+)/.exec(o.sql)?.[1]}: ${o.columns.length} columns x ${o.fetchSize} rows = ${boundOf(o)} bytes`);
    const total = opened.reduce((t, o) => t + boundOf(o), 0);
    console.log(`odbc bound buffers for one poll: ${figures.join('; ')}; total ${total} bytes`);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
    // No column is bound at a driver-reported size of a memo.
    for (const o of opened) for (const c of o.columns) expect(c.columnSize, `${o.sql}: ${c.name}`).toBeLessThanOrEqual(255);
    // The memo still comes back whole (read in pieces, joined).
    const withNotes = Object.entries(rows).filter(([k, r]) => k.startsWith('SalesOrder:') && r.notes === notes);
    expect(withNotes.length).toBe(1);
  });

  it('a memo that grows between the width query and the read is a transient error, not a cut value', async () => {
    const writer = await odbc.connect(dsn);
    try {
      beforeCursor = async (sql) => {
        if (!/FROM somast/i.test(sql)) return;
        beforeCursor = undefined;
        await writer.query('UPDATE somast SET NOTES = NOTES || ? WHERE LENGTH(NOTES) > 0', ['y'.repeat(600)]);
      };
      let err: unknown;
      try { for await (const _ of conn.changedRows('SalesOrder', () => undefined)) { /* drain */ } } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).errorClass).toBe('transient');
      expect((err as ConnectorError).message).toMatch(/SOMAST\.NOTES grew while it was read/);
      // The next poll reads the longer value whole.
      let got = '';
      for await (const ch of conn.changedRows('SalesOrder', () => undefined)) if (String(ch.row?.notes ?? '').length > got.length) got = String(ch.row!.notes);
      expect(got).toBe(notes + 'y'.repeat(600));
    } finally {
      beforeCursor = undefined;
      await writer.close();
    }
  });
});

// psqlODBC reports text as LONGVARCHAR (MaxLongVarcharSize): the same poll, its memo in varchar(1000) pieces.
describe.runIf(postgresAvailable())('one Sage Pro poll on PostgreSQL (psqlODBC)', () => {
  let pg: StartedPostgres | undefined;
  let conn: SageProConnector;
  const notes = `Lieferung: Hintertür. Café, 5 € Trinkgeld. ${'z'.repeat(2500)} — Ende.`;
  beforeAll(async () => {
    pg = await startPostgres();
    const raw = await odbc.connect(pg.dsn);
    try {
      await loadSandbox(raw, 'postgres');
      const [first] = await raw.query<{ sono: string }>('SELECT SONO AS sono FROM somast ORDER BY SONO LIMIT 1');
      await raw.query('UPDATE somast SET NOTES = ? WHERE SONO = ?', [notes, first!.sono]);
    } finally { await raw.close(); }
    conn = new SageProConnector({ dsn: pg.dsn });
  });
  afterAll(async () => { await conn?.close(); await pg?.stop(); });

  it('binds no memo at its reported size and gives the memo back whole', async () => {
    opened.length = 0;
    const got: string[] = [];
    for await (const ch of conn.changedRows('SalesOrder', () => undefined)) if (ch.row?.notes) got.push(String(ch.row.notes));
    expect(got).toEqual([notes]);
    const total = opened.reduce((t, o) => t + boundOf(o), 0);
    console.log(`odbc bound buffers for one SalesOrder poll on PostgreSQL: ${opened.map((o) => `${o.columns.length} columns x ${o.fetchSize} rows`).join('; ')} = ${total} bytes`);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
    for (const o of opened) for (const c of o.columns) expect(c.dataType, `${c.name}`).not.toBe(-1);
  });
});

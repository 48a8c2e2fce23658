/**
 * The bench's raw-replay ceiling is only true if the recording is what the connector sent: one
 * createSalesOrder recorded through odbc.ts's hook and replayed on a fresh sandbox database must
 * leave the same rows there (real SQLite3 ODBC driver, real files).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, describe, expect, it } from 'vitest';
import { SageProConnector } from '../runtime/connectors/sagepro/connector.js';
import { recordStatements } from '../runtime/connectors/sagepro/odbc.js';
import { optionsFromSite } from '../runtime/connectors/sagepro/site.js';
import { createSageProSandbox, sandboxProfile } from '../runtime/sandbox/sagepro/database.js';
import { describeRecording, recorded, replay } from './sql-replay.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-replay-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const order = (ref: string) => ({
  external_ref: ref, po_number: '100', customer: 'WEBUS', order_date: '2026-03-01', ship_via: 'BEST', status: '', tax: 0, notes: 'replay test',
  lines: [{ item: 'WIDGET-100', description: 'w', quantity: 2, price: 10 }, { item: 'GADGET-300', description: 'g', quantity: 1, price: 5.5 }],
  ship_to: { name: 'Bench Buyer', address1: '1 Guest Street', address2: '', address3: '', city: 'New York', state: 'New York', zip: '10001', country: 'US' },
});

async function rows(dsn: string): Promise<unknown[]> {
  const c = await odbc.connect(dsn);
  try {
    const so = Array.from(await c.query("SELECT SONO, RTRIM(EXTREF) AS R, ORDAMT FROM somast WHERE EXTREF LIKE 'T-%' ORDER BY SONO"));
    const tr = Array.from(await c.query('SELECT SONO, ITEM, QTYORD FROM sotran ORDER BY SONO, ITEM'));
    const loc = Array.from(await c.query("SELECT ITEM, LSOALOC FROM iciloc WHERE ITEM IN ('WIDGET-100','GADGET-300') ORDER BY ITEM"));
    return [so, tr, loc];
  } finally { await c.close(); }
}

describe('statement recording and replay (bench/sql-replay.ts)', () => {
  it('records every statement of createSalesOrder with its transaction, and the replay writes the same rows', async () => {
    const a = await createSageProSandbox({ dbPath: path.join(dir, 'a.db') });
    const b = await createSageProSandbox({ dbPath: path.join(dir, 'b.db') });
    const conn = new SageProConnector({ dsn: a.dsn, poolSize: 1, ...optionsFromSite(sandboxProfile('standard').siteConfig()) });
    try {
      await conn.createSalesOrder(order('T-0')); // catalog reads happen once, outside what is compared
      const { recording } = await recorded(() => conn.createSalesOrder(order('T-1')));
      const kinds = recording.steps.map((s) => s.kind);
      expect(kinds[0]).toBe('begin');
      expect(kinds.at(-1)).toBe('commit');
      const sql = recording.steps.flatMap((s) => (s.kind === 'statement' ? [s.sql] : []));
      expect(sql.some((q) => /insert into\s+\S*somast/i.test(q))).toBe(true);
      // both lines in one multi-row INSERT on SQLite (issue 11 item 2)
      expect(sql.filter((q) => /insert into\s+\S*sotran/i.test(q)).length).toBe(1);
      expect(sql.find((q) => /insert into\s+\S*sotran/i.test(q))).toMatch(/VALUES \([^)]*\), \([^)]*\)$/);
      // with its parameters: the external reference (padded to the column) is one of them
      expect(recording.steps.some((s) => s.kind === 'statement' && s.params.some((p) => typeof p === 'string' && p.trimEnd() === 'T-1'))).toBe(true);
      expect(describeRecording(recording)).toMatch(/statements .* in 1 transaction$/);
      // Replay both orders' statements on the second database: the same rows as the connector's.
      const { recording: first } = await recorded(() => conn.createSalesOrder(order('T-2')));
      const bc = await odbc.connect(b.dsn);
      try {
        // T-0 was not recorded: write it on b through the connector so both databases hold the same orders.
        const cb = new SageProConnector({ dsn: b.dsn, poolSize: 1, ...optionsFromSite(sandboxProfile('standard').siteConfig()) });
        try { await cb.createSalesOrder(order('T-0')); } finally { await cb.close(); }
        await replay(bc, recording);
        await replay(bc, first);
      } finally { await bc.close(); }
      expect(await rows(b.dsn)).toEqual(await rows(a.dsn));
    } finally { await conn.close(); }
  });

  it('a replayed statement that fails names its step and rolls the transaction back', async () => {
    const c = await createSageProSandbox({ dbPath: path.join(dir, 'c.db') });
    const conn = await odbc.connect(c.dsn);
    try {
      await expect(replay(conn, { steps: [{ kind: 'begin' }, { kind: 'statement', sql: "UPDATE iciloc SET LSOALOC = LSOALOC + 1 WHERE ITEM = 'WIDGET-100'", params: [] },
        { kind: 'statement', sql: 'INSERT INTO no_such_table VALUES (1)', params: [] }, { kind: 'commit' }] })).rejects.toThrow(/replay step 3 of 4 failed \(INSERT INTO no_such_table/);
      const before = Array.from(await conn.query("SELECT COUNT(*) AS N FROM iciloc WHERE ITEM = 'WIDGET-100' AND LSOALOC > 0"));
      expect(before).toEqual([{ N: 0 }]);
    } finally { await conn.close(); }
  });

  it('only one recorder at a time', () => {
    const stop = recordStatements(() => {});
    try { expect(() => recordStatements(() => {})).toThrow(/already installed/); } finally { stop(); }
  });
});

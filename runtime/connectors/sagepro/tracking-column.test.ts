/**
 * `connections.sagepro.tracking_column` (connector option trackingColumn): where an install keeps a
 * shipment's tracking number. Default SOTRACK; another SOMAST column when the site says so; an install
 * without the column reads no number and fails nothing (sagepro-tables.md §2.7: there is no shipment
 * table, and at one site tracking came from an add-on table). Real ODBC on the Sage Pro sandbox.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSageProSandbox } from '../../sandbox/sagepro/database.js';
import { SageProConnector } from './connector.js';

let dir: string;
const open: SageProConnector[] = [];
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagepro-tracking-')); });
afterAll(async () => { await Promise.all(open.map((c) => c.close())); fs.rmSync(dir, { recursive: true, force: true }); });

async function sandbox(name: string, sql: string[] = []): Promise<string> {
  const { dsn } = await createSageProSandbox({ dbPath: path.join(dir, `${name}.db`) });
  const c = await odbc.connect(dsn);
  try { for (const q of sql) await c.query(q); } finally { await c.close(); }
  return dsn;
}
function connector(dsn: string, trackingColumn?: string): SageProConnector {
  const c = new SageProConnector({ dsn, ...(trackingColumn ? { trackingColumn } : {}) });
  open.push(c);
  return c;
}

describe('the tracking number of a shipment, by the site\'s tracking column', () => {
  it('SOTRACK by default', async () => {
    const s = await connector(await sandbox('default')).salesOrderStatus('1000');
    expect(s).toMatchObject({ number: '1000', tracking: '1Z999AA10123456785' });
  });

  it('another SOMAST column when the site keeps the number there (tracking_column: REF)', async () => {
    const dsn = await sandbox('ref', ["UPDATE SOMAST SET REF = 'TRK-REF-1' WHERE TRIM(SONO) = '1000'"]);
    expect(await connector(dsn, 'ref').salesOrderStatus('1000')).toMatchObject({ tracking: 'TRK-REF-1' });
  });

  it('an install without the column reads no number and the status still comes back', async () => {
    const dsn = await sandbox('none', ['ALTER TABLE SOMAST DROP COLUMN SOTRACK']);
    const s = await connector(dsn).salesOrderStatus('1000');
    expect(s).toMatchObject({ number: '1000', status: 'C' });
    expect(s!.tracking).toBeUndefined();
  });

  it('a column name that is not one is refused when the connector is made', () => {
    expect(() => new SageProConnector({ dsn: 'Driver=SQLite3;Database=/nonexistent.db', trackingColumn: 'SOTRACK; DROP' })).toThrow();
  });
});

/**
 * flowd doctor on the Sage Pro side of tracking: a flow that sends tracking numbers to X-Cart reads
 * connections.sagepro.tracking_column (default SOTRACK) from SOMAST; an install without that column
 * gets an info saying no number reaches X-Cart and what to set. Real ODBC on the Sage Pro sandbox.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSageProSandbox } from '../sandbox/sagepro/database.js';
import { SageProConnector } from '../connectors/sagepro/connector.js';
import type { DeployedFlow } from './deployed.js';
import { SageProDoctor, sageProWork } from './sagepro.js';

let dir: string;
const open: SageProConnector[] = [];
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-tracking-column-')); });
afterAll(async () => { await Promise.all(open.map((c) => c.close())); fs.rmSync(dir, { recursive: true, force: true }); });

const flow = (xcartWrites: string[]): DeployedFlow => ({
  name: 'SalesOrderStatusToXCart', source: 'mappings/sales-order-status-to-xcart.flow', trigger: { kind: 'poll', system: 'sagepro', entity: 'SalesOrderStatus' },
  operations: xcartWrites.map((o) => ({ operation: o, system: 'xcart' as const, kind: 'write' as const, site: 'x.flow:1:1' })), tables: [], comparisons: [], keyedLookups: [],
} as unknown as DeployedFlow);

async function findings(sql: string[], f: DeployedFlow, trackingColumn?: string) {
  const { dsn } = await createSageProSandbox({ dbPath: path.join(dir, `s${open.length}.db`) });
  const c = await odbc.connect(dsn);
  try { for (const q of sql) await c.query(q); } finally { await c.close(); }
  const connector = new SageProConnector({ dsn });
  open.push(connector);
  const doctor = new SageProDoctor(connector, { dsn, externalRefColumn: 'EXTREF', numbering: {}, ...(trackingColumn ? { trackingColumn } : {}) });
  const out = [];
  for (const w of sageProWork(f)) out.push(...await doctor.checkOperation(f, w.operation, w.needs, w.req));
  return out.filter((x) => x.message.includes('tracking'));
}

describe('flowd doctor: the Sage Pro tracking column', () => {
  it('an install without SOTRACK: an info naming the key, for a flow that sends tracking numbers', async () => {
    const f = await findings(['ALTER TABLE SOMAST DROP COLUMN SOTRACK'], flow(['xcart.orders.set_tracking']));
    expect(f.map((x) => [x.operation, x.check, x.severity, x.message, x.fix])).toEqual([[
      'trigger sagepro.SalesOrderStatus', 'optional-column', 'info',
      'SOMAST has no column SOTRACK (connections.sagepro.tracking_column, default SOTRACK): shipments on this install carry no tracking number, so none reaches X-Cart; shipping statuses still do',
      'if this install keeps tracking numbers in another SOMAST column, set connections.sagepro.tracking_column to it',
    ]]);
  });

  it('nothing when the install has the column the site names, or when no flow sends tracking numbers', async () => {
    expect(await findings(['ALTER TABLE SOMAST DROP COLUMN SOTRACK'], flow(['xcart.orders.set_tracking']), 'REF')).toEqual([]);
    expect(await findings([], flow(['xcart.orders.add_staff_note']))).toEqual([]);
    expect(await findings(['ALTER TABLE SOMAST DROP COLUMN SOTRACK'], flow(['xcart.orders.set_shipping_status']))).toEqual([]);
  });
});

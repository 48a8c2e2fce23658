/**
 * The console on a real flowd (test/e2e/harness.ts: the X-Cart sandbox over HTTP, the Sage Pro
 * sandbox over ODBC, the shipped flows, a SQLite store): the engine records each run's calls and
 * business keys, so an order is found by its number, email, SKU and Sage Pro sales order number; a
 * dead-lettered order is fixed and resubmitted from the API and becomes one sales order (a second
 * resubmit and a re-sync end `duplicate`); no configured secret reaches any response.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, waitFor } from '../../test/e2e/harness.js';
import { hashPassword } from './auth.js';
import { Client } from './test-support/client.js';

describe('console on a running flowd', () => {
  let env: E2E;
  let op: Client;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows({ fastRetry: true }), workers: 2 });
    await env.startFlowd();
    await env.svc!.store.console.createUser({ name: 'otto', role: 'operator', passwordHash: await hashPassword('otto-operator-pass', { N: 1024 }) });
    op = new Client(env.svc!.url);
    expect((await op.login('otto', 'otto-operator-pass')).status).toBe(200);
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  it('an exported order is found by every business key, with the reads and writes it made', async () => {
    const order = await env.placeOrder({ email: 'Pepper@Stark.example', payment_status: 'P', items: [{ sku: 'WIDGET-200', amount: 2 }] });
    await waitFor('the sales order', async () => (await env.countSalesOrders(`XC-${order.id}`)) === 1, 45_000);
    const run = await waitFor('the run in the console', async () => (await op.get(`/api/runs?q=${order.order_number}`)).body.runs.find((r: any) => r.outcome === 'done'), 20_000);
    expect(run.keys).toMatchObject({ order_number: String(order.order_number), order_id: String(order.id), email: 'pepper@stark.example', sku: 'WIDGET-200' });
    expect(run.keys.sales_order).toMatch(/\S/);
    for (const q of [String(order.id), 'PEPPER@stark.example', run.keys.sales_order, run.keys.customer]) {
      expect((await op.get(`/api/runs?q=${encodeURIComponent(q)}`)).body.runs.map((r: any) => r.id), q).toContain(run.id);
    }
    const page = (await op.get(`/api/runs/${run.id}`)).body;
    expect(page.event).toMatchObject({ type: 'order.created', source: 'xcart', id: String(order.id) });
    const ops = page.calls.map((c: any) => `${c.kind} ${c.system}.${c.operation}`);
    expect(ops).toContain('read xcart.orders.get');
    expect(ops).toContain('write sagepro.sales_orders.create');
    const write = page.calls.find((c: any) => c.operation === 'sales_orders.create');
    expect(JSON.stringify(write.args)).toContain('WIDGET-200');
    expect(page.flowVersion).toBe(env.svc!.flows.get('OrderToSalesOrder')!.version);
    const o = (await op.get('/api/overview')).body;
    expect(o.flows.find((f: any) => f.name === 'OrderToSalesOrder').totals.done).toBeGreaterThanOrEqual(1);
  });

  it('a dead-lettered order, fixed in Sage Pro and resubmitted from the console, becomes one sales order; again and a re-sync make nothing new', async () => {
    const order = await env.placeOrder({ email: 'tony@stark.example', payment_status: 'P', items: [{ sku: 'POSTER-LTD', amount: 1 }] });
    const ref = `XC-${order.id}`;
    const item = await waitFor('the dead letter in the console', async () => (await op.get(`/api/dead-letters?q=${order.order_number}`)).body.items[0], 45_000);
    expect(item).toMatchObject({ flow: 'OrderToSalesOrder', errorClass: 'invalid', keys: { order_number: String(order.order_number) } });
    expect(item.reason).toContain('POSTER-LTD');
    const entry = (await op.get(`/api/dead-letters/${item.id}`)).body;
    expect(entry.attempts.at(-1).source.lines.length).toBeGreaterThan(0);
    await env.addItem('POSTER-LTD', 'Limited edition poster', 24, 10);
    const first = await op.post(`/api/dead-letters/${item.id}/resubmit`, { payload: { ...entry.payload, note: 'item created in Sage Pro' } });
    expect(first.status, first.text).toBe(200);
    expect(first.body.diff).toEqual([{ path: 'note', after: 'item created in Sage Pro' }]); // no `before`: the field is new
    await waitFor('the sales order', async () => (await env.countSalesOrders(ref)) === 1, 45_000);
    const outcome = async (jobId: number) => waitFor(`job ${jobId} finished`, async () => (await env.svc!.store.listRuns({ jobId }))[0]?.outcome, 30_000);
    expect(await outcome(first.body.jobId)).toBe('done');
    const second = await op.post(`/api/dead-letters/${item.id}/resubmit`, { payload: entry.payload });
    expect(await outcome(second.body.jobId)).toBe('duplicate');
    const resync = await op.post('/api/resync/order', { number: String(order.order_number) });
    expect(resync.status, resync.text).toBe(200);
    expect(await outcome(resync.body.jobId)).toBe('duplicate');
    expect(await env.countSalesOrders(ref)).toBe(1);
    expect((await op.post('/api/resync/order', { number: '99999999' })).status).toBe(404);
    const actions = (await op.get('/api/audit')).body.entries.map((e: any) => e.action);
    expect(actions.slice(0, 3)).toEqual(['order.resync', 'dead-letter.resubmit', 'dead-letter.resubmit']);
  });

  it('no secret of connect.yaml (X-Cart token, Sage Pro DSN, push secret) is in any response', async () => {
    await op.get('/api/flows');
    await op.get('/api/overview');
    const secrets = ['xcart_token', 'push_secret', 'sagepro_dsn'].map((f) => fs.readFileSync(path.join(env.dir, f), 'utf8'));
    const all = op.seen.join('\n');
    for (const s of secrets) expect(all.includes(s), 'a configured secret was sent').toBe(false);
  });
});

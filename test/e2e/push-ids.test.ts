/**
 * Issue 9, "one order, six jobs": the same order pushed with different spellings of its id must
 * stay one job per flow. X-Cart ids are integers (`public int $id;` in
 * classes/XLite/API/Endpoint/Order/DTO/BaseOutput.php:28, an auto-increment key, so positive): a push carries either a positive safe
 * integer as a JSON number or its canonical decimal string (`^[1-9][0-9]*$`); any other spelling
 * is refused with 400 naming `id`, before dedupe, and kept in the dead-letter queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, waitFor } from './harness.js';

describe('e2e: pushed ids are canonical', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows(), xcartPollEvery: '1h' });
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  it('14, "14" are one order; 014, 14.0, +14, 0xe, 14\\u0000, " 14" are refused with 400 naming id and dead-lettered', async () => {
    const order = await env.placeOrder({ email: 'bill@initech.example', payment_status: 'P', items: [{ sku: 'KEYB-MECH', amount: 1 }] });
    const id = order.id;
    const occurred = new Date().toISOString();
    const body = (idJson: string) => `{"type":"order.created","id":${idJson},"occurred_at":"${occurred}","data":{"order_number":"${order.order_number}"}}`;
    const good = [String(id), JSON.stringify(String(id))];
    const bad = [JSON.stringify(`0${id}`), JSON.stringify(`${id}.0`), JSON.stringify(`+${id}`), JSON.stringify(`0x${id.toString(16)}`), JSON.stringify(`${id}\u0000`), JSON.stringify(` ${id}`), `${id}.5`, '-1', '0', JSON.stringify('9007199254740993')];
    const goodRes = [];
    for (const g of good) goodRes.push(await env.push(body(g)));
    const badRes = [];
    for (const b of bad) badRes.push(await env.push(body(b)));
    expect(goodRes.map((r) => r.status)).toEqual([202, 202]);
    expect(badRes.map((r) => r.status)).toEqual(bad.map(() => 400));
    for (const r of badRes) expect((r.json.problems as string[]).join('; ')).toMatch(/^id: /);

    await env.svc!.pollNow();
    const jobs = env.storeQuery<{ flow: string; entity_id: string }>("SELECT flow, entity_id FROM jobs WHERE event_type = 'order.created'");
    const perFlow = new Map<string, string[]>();
    for (const j of jobs) perFlow.set(j.flow, [...(perFlow.get(j.flow) ?? []), j.entity_id]);
    expect(perFlow.get('OrderToSalesOrder')).toEqual([String(id)]);
    const rejected = (await env.deadLetters()).filter((d) => d.flow === '(rejected push)');
    expect(rejected).toHaveLength(bad.length);
    await waitFor(`sales order XC-${id}`, async () => (await env.countSalesOrders(`XC-${id}`)) > 0, 45_000);
    const n = await env.countSalesOrders(`XC-${id}`);
    expect(n).toBe(1);
    figures('e2e-push-ids', { spellings: good.length + bad.length, accepted: goodRes.length, refused_400: badRes.filter((r) => r.status === 400).length, dead_lettered: rejected.length, jobs_per_order: perFlow.get('OrderToSalesOrder')!.length, sales_orders: n });
  }, 90_000);
});

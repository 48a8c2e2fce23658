/**
 * E2E: customers. A new X-Cart account (created through the store's API, which pushes a signed
 * `customer.updated` event) becomes a Sage Pro customer through CustomerToSagePro; an account whose
 * email Sage Pro already knows is left alone (Sage Pro is the system of record); and an order of the
 * new customer is then billed to that customer (matched by email), not to the web customer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, SAGEPRO_PROFILE_NAMES, waitFor } from './harness.js';

describe.each(SAGEPRO_PROFILE_NAMES)('e2e: customers both ways (Sage Pro profile %s)', (install) => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows({ sageproProfile: install }), sageproProfile: install });
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  it('a new store account becomes one Sage Pro customer; a known email is not duplicated; its orders find it', async () => {
    const email = 'Grace.Hopper@Example.COM';
    const profile = await env.xcartApi<{ id: number; login: string }>('POST', '/api/profiles', { login: email });
    const custno = `W${String(profile.id).padStart(5, '0')}`;
    const rows = await waitFor(`Sage Pro customer ${custno}`, async () => {
      const r = await env.sql<{ CUSTNO: string; EMAIL: string; COMPANY: string }>(`SELECT CUSTNO, EMAIL, COMPANY FROM ${env.table('ARCUST')} WHERE TRIM(CUSTNO) = ?`, [custno]);
      return r.length ? r : null;
    }, 45_000);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.EMAIL.trim()).toBe('grace.hopper@example.com');
    expect(rows[0]!.COMPANY.trim()).toBe('grace.hopper@example.com');

    // An account for an email Sage Pro already has: skipped, no second customer with that email.
    const before = (await env.sql<{ N: number }>(`SELECT COUNT(*) AS N FROM ${env.table('ARCUST')}`))[0]!.N;
    const known = await env.xcartApi<{ id: number }>('POST', '/api/profiles', { login: 'orders@acme.example' });
    await waitFor('the known-email event to finish', async () =>
      (await env.runs('CustomerToSagePro')).some((r) => r.outcome === 'skipped'), 45_000);
    const after = (await env.sql<{ N: number }>(`SELECT COUNT(*) AS N FROM ${env.table('ARCUST')}`))[0]!.N;
    expect(Number(after)).toBe(Number(before));
    const acme = await env.sql<{ CUSTNO: string }>(`SELECT CUSTNO FROM ${env.table('ARCUST')} WHERE LOWER(TRIM(EMAIL)) = 'orders@acme.example'`);
    expect(acme.map((r) => r.CUSTNO.trim())).toEqual(['ACME01']);

    // The new customer's order is billed to the customer, matched by email.
    const order = await env.placeOrder({ email: 'grace.hopper@example.com', payment_status: 'P', items: [{ sku: 'WIDGET-100', amount: 1 }] });
    const so = await waitFor('the sales order', async () => {
      const r = await env.sql<{ CUSTNO: string }>(`SELECT CUSTNO FROM ${env.table('SOMAST')} WHERE TRIM(EXTREF) = ?`, [`XC-${order.id}`]);
      return r.length ? r : null;
    }, 45_000);
    expect(so.map((r) => r.CUSTNO.trim())).toEqual([custno]);
    const t = await env.tally([order]);
    expect(t).toMatchObject({ salesOrders: 1, duplicates: 0, lost: 0 });
    figures('e2e-customers', { profile: install, events: 3, accounts: 2, customers_created: 1, sales_orders: t.salesOrders, duplicates: t.duplicates,
      lost: t.lost, order_customer: custno, known_profile: known.id });
  }, 150_000);
});

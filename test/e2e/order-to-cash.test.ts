/**
 * E2E 1: an order placed in the X-Cart sandbox becomes exactly one Sage Pro sales order with the
 * right lines, ship-to, allocation and customer; the shipment in Sage Pro flows back to X-Cart;
 * stock changed in Sage Pro becomes the X-Cart product amount. Real HTTP, real ODBC, real store file.
 * Once per Sage Pro install profile (standard, minimal: web warehouse WH1 and LOCTID C(3),
 * vfp-modules: tables per module), each with its site configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, SAGEPRO_PROFILE_NAMES, waitFor, type XOrder } from './harness.js';

describe.each(SAGEPRO_PROFILE_NAMES)('e2e: order to cash (Sage Pro profile %s)', (profile) => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows({ sageproProfile: profile }), sageproProfile: profile });
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  // Levels at the site's web warehouse (MAIN, or WH1 on the minimal profile).
  const mainLevels = async (items: string[]) => {
    const m = new Map<string, { onHand: number; alloc: number; woAlloc: number }>();
    for (const it of items) {
      const [r] = await env.sql<{ H: number; A: number; W: number }>(`SELECT LONHAND AS H, LSOALOC AS A, LWOALOC AS W FROM ${env.table('ICILOC')} WHERE RTRIM(ITEM) = ? AND RTRIM(LOCTID) = ?`, [it, env.webLocation]);
      m.set(it, { onHand: Number(r!.H), alloc: Number(r!.A), woAlloc: Number(r!.W) });
    }
    return m;
  };

  it('an order becomes one sales order (lines, ship-to, allocation, customer); shipping and stock flow back', async () => {
    const svc = env.svc!;
    const items = ['WIDGET-100', 'CABLE-USB-C', 'SSD-1TB', 'MOUSE-WL'];
    const before = await mainLevels(items);

    // A known Sage Pro customer (by email) with an explicit ship-to, and a guest (USD → WEBUS).
    const known = await env.placeOrder({
      email: 'orders@acme.example', payment_status: 'P',
      items: [{ sku: 'WIDGET-100', amount: 2 }, { sku: 'CABLE-USB-C', amount: 3 }, { sku: 'SSD-1TB', amount: 1 }],
      shipping_address: { firstname: 'Wile E.', lastname: 'Coyote', street: '12 Desert Road', city: 'Phoenix', state_name: 'Arizona', zipcode: '85001', country_code: 'US' },
    });
    const guest = await env.placeOrder({ email: 'first.time.buyer@example.org', payment_status: 'Q', items: [{ sku: 'MOUSE-WL', amount: 1 }, { sku: 'WIDGET-100', amount: 4 }] });

    const check = async (order: XOrder, custno: string) => {
      const so = await waitFor(`sales order XC-${order.id}`, async () => (await svc.sagepro.findSalesOrderByRef(`XC-${order.id}`)) as Record<string, unknown> | null, 45_000);
      expect(await env.countSalesOrders(`XC-${order.id}`)).toBe(1);
      expect(so.customer).toBe(custno);
      expect(so.po_number).toBe(order.order_number);
      const lines = so.lines as { item: string; quantity: number; price: number }[];
      expect(lines.map((l) => ({ item: l.item, quantity: Number(l.quantity), price: Number(l.price) })))
        .toEqual(order.items.map((i) => ({ item: i.sku, quantity: i.amount, price: i.price })));
      return so;
    };
    const soKnown = await check(known, 'ACME01');
    const soGuest = await check(guest, 'WEBUS');

    // Ship-to: from the X-Cart shipping address (known), or the sandbox's default guest address.
    expect(soKnown.ship_to).toMatchObject({ name: 'Wile E. Coyote', address1: '12 Desert Road', city: 'Phoenix', state: 'Arizona', zip: '85001', country: 'US' });
    const gShip = guest.shipping_address as Record<string, string>;
    expect(soGuest.ship_to).toMatchObject({ name: `${gShip.firstname} ${gShip.lastname}`, address1: gShip.street, city: gShip.city, zip: gShip.zipcode, country: gShip.country_code });

    // Every line is at the site's web warehouse (the connector's default location, WH1 on minimal).
    for (const so of [soKnown, soGuest]) {
      const locs = await env.sql<{ L: string }>(`SELECT LOCTID AS L FROM ${env.table('SOTRAN')} WHERE TRIM(SONO) = ?`, [String(so.number).trim()]);
      expect(locs.length).toBeGreaterThan(0);
      expect(locs.map((r) => r.L.trim())).toEqual(locs.map(() => env.webLocation));
    }

    // Allocation: ICILOC.LSOALOC at the web warehouse rose by exactly the ordered quantities.
    const after = await mainLevels(items);
    const ordered = new Map<string, number>();
    for (const o of [known, guest]) for (const i of o.items) ordered.set(i.sku, (ordered.get(i.sku) ?? 0) + i.amount);
    for (const it of items) expect({ item: it, delta: after.get(it)!.alloc - before.get(it)!.alloc }).toEqual({ item: it, delta: ordered.get(it) });

    // Shipment in Sage Pro (what its shipping does, as examples/demo/demo.ts) → X-Cart shipping status S.
    const sono = String(soKnown.number);
    await env.sql(`UPDATE ${env.table('SOTRAN')} SET QTYSHP = QTYORD WHERE TRIM(SONO) = ?`, [sono]);
    await env.sql(`UPDATE ${env.table('SOMAST')} SET SHPAMT = ORDAMT, SOTRACK = '1Z999AA10123456784', SHIPVIA = 'UPSG' WHERE TRIM(SONO) = ?`, [sono]);
    const shipped = await waitFor('X-Cart shipping status S', async () => {
      const o = await env.xcartApi<XOrder & { shipping_status: { code: string } }>('GET', `/api/orders/${known.id}`);
      return o.shipping_status?.code === 'S' ? o : null;
    }, 45_000);
    expect(shipped.shipping_status.code).toBe('S');
    // The guest order was not shipped: its status stays N.
    const guestNow = await env.xcartApi<{ shipping_status: { code: string } }>('GET', `/api/orders/${guest.id}`);
    expect(guestNow.shipping_status.code).toBe('N');

    // Stock: LONHAND changed in Sage Pro → X-Cart amount = available (on hand - SO alloc - WO alloc, >= 0).
    await env.sql(`UPDATE ${env.table('ICILOC')} SET LONHAND = LONHAND + 25 WHERE RTRIM(ITEM) = 'SSD-1TB' AND RTRIM(LOCTID) = ?`, [env.webLocation]);
    const lvl = (await mainLevels(['SSD-1TB'])).get('SSD-1TB')!;
    const want = Math.max(0, Math.floor(lvl.onHand - lvl.alloc - lvl.woAlloc));
    const product = await waitFor(`X-Cart amount ${want} for SSD-1TB`, async () => {
      const p = await env.xcartProductBySku('SSD-1TB');
      return p && p.amount === want ? p : null;
    }, 45_000);
    expect(product.amount).toBe(want);

    const t = await env.tally([known, guest]);
    expect(t).toMatchObject({ salesOrders: 2, duplicates: 0, lost: 0 });
    expect(await env.deadLetters('OrderToSalesOrder')).toEqual([]);
    figures('e2e-order-to-cash', { profile, events: 2, sales_orders: t.salesOrders, duplicates: t.duplicates, lost: t.lost, shipped_back: 1, stock_updates: 1, stock_synced: want, web_warehouse: env.webLocation });
  }, 120_000);
});

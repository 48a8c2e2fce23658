/**
 * Issue 13, shipments and tracking, end to end: Sage Pro shipments (shipped quantities, SHIPVIA,
 * SOTRACK) set the X-Cart shipping status, partial shipments included, and the tracking number goes to
 * X-Cart through the Connect module's endpoint (the X-Cart sandbox imitating xcart-module/), to the
 * staff note (connections.xcart.tracking: staff_note), or nowhere with a warning when the store has no
 * module. Real HTTP, real ODBC (the Sage Pro sandbox), flowd in process, the shipped flows compiled.
 * Prints `shipments=N xcart_status_set=N tracking_set=N duplicates=0`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, waitFor, type XOrder } from './harness.js';

type ShipOrder = { shipping_status: { code: string }; tracking_numbers: { value: string }[]; admin_notes: string };
const FLOW = 'SalesOrderStatusToXCart';

describe('e2e: shipments and tracking (Sage Pro sandbox, X-Cart sandbox with and without the Connect module)', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows() });
    env.xc.connectModule.installed = true;
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  const xorder = (o: XOrder) => env.xcartApi<ShipOrder>('GET', `/api/orders/${o.id}`);
  const salesOrder = async (o: XOrder): Promise<string> => {
    const so = await waitFor(`sales order XC-${o.id}`, async () => (await env.svc!.sagepro.findSalesOrderByRef(`XC-${o.id}`)) as { number: string } | null, 45_000);
    return String(so.number).trim();
  };
  /** Ships in Sage Pro as its shipping does: QTYSHP on lines (all, or the items named), SHPAMT, SHIPVIA, SOTRACK. */
  const ship = async (sono: string, o: { items?: string[]; tracking: string; via?: string }) => {
    const only = o.items ? ` AND RTRIM(ITEM) IN (${o.items.map(() => '?').join(', ')})` : '';
    await env.sql(`UPDATE ${env.table('SOTRAN')} SET QTYSHP = QTYORD WHERE TRIM(SONO) = ?${only}`, [sono, ...(o.items ?? [])]);
    await env.sql(`UPDATE ${env.table('SOMAST')} SET SHPAMT = SHPAMT + 1, SOTRACK = ?, SHIPVIA = ? WHERE TRIM(SONO) = ?`, [o.tracking, o.via ?? 'UPSG', sono]);
  };
  const until = (what: string, o: XOrder, ok: (x: ShipOrder) => boolean) => waitFor(what, async () => { const x = await xorder(o); return ok(x) ? x : null; }, 45_000);
  const restartFlowd = async (xcartKeys: string) => {
    await env.stopFlowd();
    const text = fs.readFileSync(env.configFile, 'utf8').replace(/^( {2}xcart: \{.*?)(, module: [^,}]+)?(, tracking: [^,}]+)? \}$/m, `$1${xcartKeys} }`);
    fs.writeFileSync(env.configFile, text);
    await env.startFlowd();
  };

  it('partial and full shipments set the shipping status; tracking numbers reach X-Cart once each, by configuration', async () => {
    let shipments = 0;
    let statusSet = 0;
    let trackingSet = 0;

    // ---- the store has the Connect module (connections.xcart.module: auto detects it) ----------------
    const a = await env.placeOrder({ email: 'orders@acme.example', payment_status: 'P', items: [{ sku: 'WIDGET-100', amount: 2 }, { sku: 'SSD-1TB', amount: 1 }] });
    const b = await env.placeOrder({ email: 'orders@acme.example', payment_status: 'P', items: [{ sku: 'MOUSE-WL', amount: 1 }] });
    const c = await env.placeOrder({ email: 'orders@acme.example', payment_status: 'P', items: [{ sku: 'CABLE-USB-C', amount: 1 }] });
    const [soA, soB] = [await salesOrder(a), await salesOrder(b)];
    await salesOrder(c);

    // A: one of two lines shipped → P (X-Cart has no "partially shipped"), with that parcel's number.
    await ship(soA, { items: ['WIDGET-100'], tracking: '1Z999AA10000000001' }); shipments++;
    const aPartial = await until('A processing with its first number', a, (x) => x.shipping_status.code === 'P' && x.tracking_numbers.length === 1);
    expect(aPartial.tracking_numbers.map((t) => t.value)).toEqual(['1Z999AA10000000001']); statusSet++; trackingSet++;
    // A: the rest shipped, a second parcel (SOTRACK holds the newest number) → S, both numbers.
    await ship(soA, { tracking: '1Z999AA10000000002' }); shipments++;
    const aFull = await until('A shipped with both numbers', a, (x) => x.shipping_status.code === 'S' && x.tracking_numbers.length === 2);
    expect(aFull.tracking_numbers.map((t) => t.value)).toEqual(['1Z999AA10000000001', '1Z999AA10000000002']); statusSet++; trackingSet++;
    // B: shipped in full without a tracking number → S, nothing else.
    await ship(soB, { tracking: '' }); shipments++;
    const bFull = await until('B shipped', b, (x) => x.shipping_status.code === 'S');
    expect(bFull.tracking_numbers).toEqual([]); statusSet++;
    // A changed again in Sage Pro (the same shipment polled again): no second copy of any number.
    const runsBefore = (await env.runs(FLOW)).length;
    await env.sql(`UPDATE ${env.table('SOMAST')} SET SHPAMT = SHPAMT + 1 WHERE TRIM(SONO) = ?`, [soA]);
    await waitFor('A polled again', async () => (await env.runs(FLOW)).length > runsBefore, 30_000);
    expect((await xorder(a)).tracking_numbers.map((t) => t.value)).toEqual(['1Z999AA10000000001', '1Z999AA10000000002']);
    // C was not shipped: still new.
    expect((await xorder(c)).shipping_status.code).toBe('N');

    // ---- the store has no module: the status still flows, the number is skipped with a warning -------
    env.xc.connectModule.installed = false;
    await restartFlowd('');
    const d = await env.placeOrder({ email: 'orders@acme.example', payment_status: 'P', items: [{ sku: 'WIDGET-100', amount: 1 }] });
    await ship(await salesOrder(d), { tracking: '1Z999AA10000000004' }); shipments++;
    const dFull = await until('D shipped', d, (x) => x.shipping_status.code === 'S');
    expect(dFull.tracking_numbers).toEqual([]); statusSet++;
    const warned = await waitFor('the skip warning in flowd.log', () => {
      const log = fs.readFileSync(path.join(env.dir, 'flowd.log'), 'utf8');
      return log.includes(`tracking number 1Z999AA10000000004 of X-Cart order ${d.id} is not written to X-Cart: the store has no Connect module`) ? log : null;
    }, 15_000);
    expect(warned).not.toContain(env.xc.writeToken);

    // ---- tracking: staff_note (the module installed again) ----------------------------------------
    env.xc.connectModule.installed = true;
    await restartFlowd(', tracking: staff_note');
    const e = await env.placeOrder({ email: 'orders@acme.example', payment_status: 'P', items: [{ sku: 'MOUSE-WL', amount: 2 }] });
    const soE = await salesOrder(e);
    await ship(soE, { tracking: '794698765432', via: 'FEDEX' }); shipments++;
    const eFull = await until('E shipped with its staff note', e, (x) => x.shipping_status.code === 'S' && x.admin_notes !== '');
    expect(eFull.admin_notes).toBe(`Tracking number 794698765432 (FEDEX), Sage Pro sales order ${soE}`);
    expect(eFull.tracking_numbers).toEqual([]); statusSet++; trackingSet++;

    // Every order once in Sage Pro; no tracking number or note line twice; nothing dead-lettered.
    const t = await env.tally([a, b, c, d, e]);
    expect(t).toMatchObject({ salesOrders: 5, duplicates: 0, lost: 0 });
    let duplicates = t.duplicates;
    for (const o of [a, b, c, d, e]) {
      const x = await xorder(o);
      const values = x.tracking_numbers.map((n) => n.value);
      const lines = x.admin_notes.split('\n').filter(Boolean);
      duplicates += values.length - new Set(values).size + lines.length - new Set(lines).size;
    }
    expect(duplicates).toBe(0);
    expect(await env.deadLetters(FLOW)).toEqual([]);
    figures('e2e-shipments', { shipments, xcart_status_set: statusSet, tracking_set: trackingSet, duplicates });
  }, 180_000);
});

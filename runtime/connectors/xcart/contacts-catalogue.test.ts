/**
 * The X-Cart operations of issue 13 (contacts-catalogue.ts) against the sandbox over real HTTP:
 * profiles by id and by phone, the address book (a partial PUT; the company in the store's custom
 * field, the other custom fields kept), product and variant updates, and product creation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startXcartSandbox, type XcartSandbox } from '../../sandbox/xcart/server.js';
import { ConnectorError } from '../errors.js';
import { XcartConnector } from './connector.js';

let dir: string;
let sandbox: XcartSandbox;
let c: XcartConnector;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-contacts-'));
  sandbox = await startXcartSandbox({ port: 0, stateDir: dir });
  c = new XcartConnector({ baseUrl: sandbox.url, token: sandbox.writeToken, ratePerSecond: 1000, backoffMs: 10 });
});
afterEach(async () => {
  await c.close();
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(ConnectorError); return e as ConnectorError; }
  throw new Error('expected a rejection');
}

describe('X-Cart customers and products written from Sage Pro', () => {
  it('finds a profile by id (null when absent) and by phone, digits compared', async () => {
    const jane = (await c.findProfileByEmail('jane.doe@example.com'))!;
    expect(await c.call('profiles.get', { profile_id: jane.id })).toMatchObject({ login: 'jane.doe@example.com' });
    expect(await c.call('profiles.get', { profile_id: 99_999 })).toBeNull();
    expect(await c.call('profiles.get', { profile_id: 0 })).toBeNull();
    const phone = String(sandbox.state.data.addresses[String(jane.id)]![0]!.phone);
    expect(await c.call('profiles.find_by_phone', { phone: ` (${phone.replace(/-/g, ') ')} ` })).toMatchObject({ id: jane.id });
    expect(await c.call('profiles.find_by_phone', { phone: '' })).toBeNull();
    expect(await c.call('profiles.find_by_phone', { phone: '+1 999 999 9999' })).toBeNull();
  });

  it('updates only the address fields given; the company goes to its custom field and other custom fields stay', async () => {
    const jane = (await c.findProfileByEmail('jane.doe@example.com'))!;
    const [addr] = await c.call('addresses.list', { profile_id: jane.id }) as { id: number; street: string; city: string }[];
    // A custom field the store added, which a PUT's custom_fields would remove if it were not sent back.
    sandbox.state.data.additionalAddressFields = ['company', 'vat_id'];
    sandbox.state.data.addresses[String(jane.id)]![0]!.custom_fields = [{ name: 'vat_id', value: 'US-123' }];
    const updated = await c.call('addresses.update', { profile_id: jane.id, address_id: addr!.id, street: '2 Main St', phone: '555-0199', company: 'Doe & Co', company_field: 'company' });
    expect(updated).toMatchObject({ id: addr!.id, street: '2 Main St', city: addr!.city, phone: '555-0199' });
    expect((updated as { custom_fields: unknown[] }).custom_fields).toEqual([{ name: 'vat_id', value: 'US-123' }, { name: 'company', value: 'Doe & Co' }]);

    // X-Cart's own checks: a company field the store does not have, a country that is not a code.
    const missing = await rejection(c.updateAddress(jane.id, addr!.id, { company: 'X', company_field: 'org' }));
    expect([missing.errorClass, missing.message]).toEqual(['invalid', expect.stringContaining('Field with "org" service name not found')]);
    expect((await rejection(c.updateAddress(jane.id, addr!.id, { country_code: 'USA' }))).field).toBe('country_code');

    const created = await c.call('addresses.create', { profile_id: jane.id, street: '9 Side St', city: 'Albany', zipcode: '12207', country_code: 'US', company: 'Doe & Co' });
    expect(created).toMatchObject({ street: '9 Side St', is_billing: true, custom_fields: [{ name: 'company', value: 'Doe & Co' }] });
    expect(await c.call('addresses.list', { profile_id: 0 })).toEqual([]);
  });

  it('updates a product name and price without touching its stock; gives a variant its own price', async () => {
    const p = (await c.findProductBySku('WIDGET-100'))!;
    const upd = await c.call('products.update', { product_id: p.id, name: 'Widget 100, standard', price: 21.123456 });
    expect(upd).toMatchObject({ id: p.id, name: 'Widget 100, standard', price: 21.1235, amount: p.amount, enabled: true });
    expect(await c.findProductBySku('WIDGET-100')).toMatchObject({ name: 'Widget 100, standard' }); // the SKU index follows
    expect((await rejection(c.call('products.update', { product_id: p.id }))).errorClass).toBe('invalid');
    expect((await rejection(c.call('products.update', { product_id: p.id, price: -1 }))).field).toBe('price');

    const headset = (await c.findProductBySku('HEADSET-PRO'))!;
    const [v] = await c.call('variants.list', { product_id: headset.id }) as { id: number }[];
    expect(await c.call('variants.update', { product_id: headset.id, variant_id: v!.id, price: 155 })).toMatchObject({ id: v!.id, price: 155, default_price: false });
  });

  it('creates a disabled product with stock 0 (the API alone would give 1000)', async () => {
    const raw = await fetch(`${sandbox.url}/api/products`, { method: 'POST', headers: { 'X-Auth-Token': sandbox.writeToken, 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'RAW-1', name: 'Raw' }) });
    expect(raw.status).toBe(201);
    expect(await raw.json()).toMatchObject({ amount: 1000, enabled: true }); // Product/DTO/Input.php defaults
    const made = await c.call('products.create', { sku: 'LAMP-01', name: 'Desk lamp', price: 35, enabled: false });
    expect(made).toMatchObject({ sku: 'LAMP-01', name: 'Desk lamp', price: 35, enabled: false, amount: 0, inventory_traceable: true });
    expect(await c.findProductBySku('LAMP-01')).toMatchObject({ id: (made as { id: number }).id });
    expect((await rejection(c.call('products.create', { sku: 'X'.repeat(33), name: 'Too long', price: 1, enabled: false }))).field).toBe('sku');
  });
});

/**
 * The sandbox's product variant resource behaves like the ProductVariants module of the real X-Cart
 * 5.5.0.29 source (modules/XC/ProductVariants/src/API/Endpoint/ProductVariant/**,
 * Model/ProductVariant.php, Controller/API/ProductVariant/Put.php), over real HTTP.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startXcartSandbox, type XcartSandbox } from './server.js';
import { loadXcartSchemas } from '../../connectors/xcart/schemas.js';

type J = Record<string, unknown>;
let dir: string;
let s: XcartSandbox;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcart-variants-'));
  s = await startXcartSandbox({ port: 0, stateDir: dir });
});
afterEach(async () => {
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function api(method: string, p: string, body?: unknown) {
  const res = await fetch(s.url + p, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'x-auth-token': s.writeToken } });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, body: json as J & J[] };
}
const headsetId = async () => ((await api('GET', '/api/products?itemsPerPage=100')).body as J[]).find((p) => p.sku === 'HEADSET-PRO')!.id as number;

describe('X-Cart sandbox: product variants as in 5.5.0.29', () => {
  it('lists a product\'s variants with the output DTO fields; the product resource says nothing of variants', async () => {
    const pid = await headsetId();
    const list = (await api('GET', `/api/products/${pid}/variants`)).body as J[];
    expect(list.map((v) => v.sku)).toEqual(['HEADSET-PRO-BLK', 'HEADSET-PRO-WHT']);
    for (const v of list) {
      loadXcartSchemas().validate('ProductVariant', v);
      expect(Object.keys(v).sort()).toEqual(['amount', 'attribute_checkbox_values', 'attribute_select_values', 'default_amount', 'default_price',
        'default_variant', 'default_weight', 'id', 'image', 'price', 'sku', 'weight']);
      expect((v.attribute_select_values as unknown[]).every((x) => Number.isInteger(x))).toBe(true); // value ids
    }
    const product = (await api('GET', `/api/products/${pid}`)).body;
    expect(Object.keys(product).filter((k) => /variant/i.test(k))).toEqual([]);
  });

  it('a missing product is 404 "Product with ID n not found"; another product\'s variant id is 404', async () => {
    expect(await api('GET', '/api/products/99999/variants')).toMatchObject({ status: 404 });
    expect((await api('GET', '/api/products/99999/variants')).text).toContain('Product with ID 99999 not found');
    expect((await api('PUT', '/api/products/99999/variants/1', { price: 1 })).text).toContain('Product with ID 99999 not found');
    const pid = await headsetId();
    const [v] = (await api('GET', `/api/products/${pid}/variants`)).body as J[];
    const other = pid === 1 ? 2 : 1;
    expect((await api('GET', `/api/products/${other}/variants/${v!.id}`)).status).toBe(404);
  });

  it('PUT is partial: price with default_price false, stock with default_amount false, the rest kept', async () => {
    const pid = await headsetId();
    const [blk] = (await api('GET', `/api/products/${pid}/variants`)).body as J[];
    const put = await api('PUT', `/api/products/${pid}/variants/${blk!.id}`, { price: 152.5, default_price: false });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: blk!.id, price: 152.5, default_price: false, amount: blk!.amount, default_amount: blk!.default_amount, sku: 'HEADSET-PRO-BLK' });
    const stock = await api('PUT', `/api/products/${pid}/variants/${blk!.id}`, { amount: 7, default_amount: false });
    expect(stock.body).toMatchObject({ price: 152.5, default_price: false, amount: 7, default_amount: false });
    // Attribute values are not in ProductVariantUpdate: ignored.
    const attrs = await api('PUT', `/api/products/${pid}/variants/${blk!.id}`, { attribute_select_values: [2] });
    expect(attrs.body.attribute_select_values).toEqual(blk!.attribute_select_values);
  });

  it('a SKU another variant has is 400 "SKU must be unique"; a long SKU is cut to 32 characters; bad types are 400', async () => {
    const pid = await headsetId();
    const [blk, wht] = (await api('GET', `/api/products/${pid}/variants`)).body as J[];
    const clash = await api('PUT', `/api/products/${pid}/variants/${blk!.id}`, { sku: wht!.sku });
    expect(clash.status).toBe(400);
    expect(clash.text).toContain('SKU must be unique');
    const long = await api('PUT', `/api/products/${pid}/variants/${blk!.id}`, { sku: 'X'.repeat(40) });
    expect(long.body.sku).toBe('X'.repeat(32));
    expect((await api('PUT', `/api/products/${pid}/variants/${blk!.id}`, { price: '12' })).status).toBe(400);
    // Weight is the one field with a constraint (PositiveOrZero); nothing is changed by a refused PUT.
    const neg = await api('PUT', `/api/products/${pid}/variants/${blk!.id}`, { weight: -1, amount: 3 });
    expect([neg.status, neg.text.includes('weight')]).toEqual([400, true]);
    expect(((await api('GET', `/api/products/${pid}/variants/${blk!.id}`)).body).amount).toBe(blk!.amount);
  });

  it('default_variant true clears it on the other variants (Put.php)', async () => {
    const pid = await headsetId();
    const [blk, wht] = (await api('GET', `/api/products/${pid}/variants`)).body as J[];
    expect(blk!.default_variant).toBe(true);
    await api('PUT', `/api/products/${pid}/variants/${wht!.id}`, { default_variant: true });
    const after = (await api('GET', `/api/products/${pid}/variants`)).body as J[];
    expect(after.map((v) => v.default_variant)).toEqual([false, true]);
  });
});

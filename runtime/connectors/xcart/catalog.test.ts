import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { loadXcartCatalog, checkArgs } from './catalog.js';
import { XCART_DISPATCH, XcartConnector } from './connector.js';
import { XCART_SCHEMA_DIR, loadXcartSchemas } from './schemas.js';

const PRIMITIVE = /^(string|int|decimal|bool|date|datetime|void)$/;

describe('X-Cart operation catalog', () => {
  const catalog = loadXcartCatalog();

  it('lists exactly the operations the connector dispatches', () => {
    expect([...catalog.operations.keys()].sort()).toEqual(Object.keys(XCART_DISPATCH).sort());
  });

  it('declares the same parameters, in order, as the dispatcher reads', () => {
    for (const [name, op] of catalog.operations) {
      expect(XCART_DISPATCH[name]!.params, name).toEqual(op.params.map((p) => p.name));
    }
  });

  it('every dispatch target is a method of XcartConnector', () => {
    const methods = Object.getOwnPropertyNames(XcartConnector.prototype);
    for (const [name, d] of Object.entries(XCART_DISPATCH)) {
      const called = /c\.(\w+)\(/.exec(d.run.toString())?.[1];
      expect(called, name).toBeDefined();
      expect(methods, `${name} → ${called}`).toContain(called);
    }
  });

  it('names only types that exist (primitives or entity schemas)', () => {
    const entities = new Set(loadXcartSchemas().entities);
    const known = (t: string) => {
      const base = t.replace(/(\[\]|\?)+$/, '');
      return PRIMITIVE.test(base) || entities.has(base);
    };
    for (const op of catalog.operations.values()) {
      expect(known(op.returns), `${op.name} returns ${op.returns}`).toBe(true);
      for (const p of op.params) expect(known(p.type), `${op.name}(${p.name}: ${p.type})`).toBe(true);
      expect(op.description.length, op.name).toBeGreaterThan(10);
    }
  });

  it('has the required operations with the agreed kinds and idempotency', () => {
    const expectOp = (name: string, kind: string, idempotent: boolean, returns: string) => {
      const op = catalog.operations.get(name);
      expect(op, name).toBeDefined();
      expect([op!.kind, op!.idempotent, op!.returns], name).toEqual([kind, idempotent, returns]);
    };
    expectOp('orders.get', 'read', true, 'Order');
    expectOp('orders.get_by_number', 'read', true, 'Order?');
    expectOp('orders.list_changed', 'read', true, 'Order[]');
    expectOp('orders.set_payment_status', 'write', true, 'Order');
    expectOp('orders.set_shipping_status', 'write', true, 'Order');
    expectOp('products.find_by_sku', 'read', true, 'Product?');
    expectOp('variants.set_stock', 'write', true, 'ProductVariant');
    expectOp('profiles.create', 'write', false, 'Profile');
    expectOp('profiles.update', 'write', true, 'Profile');
    expectOp('coupons.create', 'write', false, 'Coupon');
  });

  it('rejects arguments that do not match the catalog types', () => {
    const op = catalog.operations.get('orders.set_payment_status')!;
    expect(() => checkArgs(op, { order_id: 5, code: 'P' })).not.toThrow();
    expect(() => checkArgs(op, { order_id: '5', code: 'P' })).toThrow(/argument 'order_id' must be an integer/);
    expect(() => checkArgs(op, { order_id: 5 })).toThrow(/argument 'code' is required/);
    expect(() => checkArgs(op, { order_id: 5, code: 'P', extra: 1 })).toThrow(/unknown argument 'extra'/);
    const since = catalog.operations.get('orders.list_changed')!;
    expect(() => checkArgs(since, { since: '2024-05-02T10:11:12+0000' })).not.toThrow();
    expect(() => checkArgs(since, { since: 'yesterday' })).toThrow(/date-time/);
  });
});

describe('X-Cart entity schemas', () => {
  const files = fs.readdirSync(XCART_SCHEMA_DIR).filter((f) => f.endsWith('.yaml') && f !== 'operations.yaml' && f !== 'events.yaml');

  it('follow the project conventions', async () => {
    const YAML = (await import('yaml')).default;
    for (const f of files) {
      const s = YAML.parse(fs.readFileSync(path.join(XCART_SCHEMA_DIR, f), 'utf8'));
      const name = f.slice(0, -5);
      expect(s.$schema, f).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(s.$id, f).toBe(`https://connect.dev/schemas/xcart/${name}`);
      expect(s.title, f).toBe(name);
      expect(s.type, f).toBe('object');
      expect(s.additionalProperties, f).toBe(true);
      for (const r of s.required) expect(Object.keys(s.properties), `${f} requires ${r}`).toContain(r);
      for (const [k, p] of Object.entries<Record<string, unknown>>(s.properties)) {
        expect(typeof p.description, `${f}: ${k} has a description`).toBe('string');
        expect(p.enum, `${f}: ${k} must not close its code set`).toBeUndefined();
      }
    }
  });

  it('accept unknown status codes and reject wrong types with the field path', () => {
    const schemas = loadXcartSchemas();
    const order = {
      id: 17, order_number: '100017', total: 10, sub_total: 10, email: 'a@example.com', currency: 'USD', surcharges: [],
      create_date: '2024-05-02T10:11:12+0000', update_date: '2024-05-03T08:00:00+0000',
      payment_status: { id: 99, code: 'XYZ', name: 'Custom', customer_name: 'Custom' },
      shipping_status: null, billing_address: null,
      items: [{ id: 1, sku: 'A', name: 'A', price: 10, amount: 1 }],
    };
    expect(() => schemas.validate('Order', order)).not.toThrow();
    const bad = { ...order, items: [{ ...order.items[0], amount: '1' }] };
    expect(() => schemas.validate('Order', bad)).toThrow('X-Cart Order 17: field /items/0/amount must be integer, found string');
    expect(() => schemas.validate('Order', { ...order, update_date: 'yesterday' })).toThrow(/\/update_date/);
  });
});

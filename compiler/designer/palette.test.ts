// The palette (both operation catalogs with typed parameters, lookup files, entities) and entity
// trees nested as the schemas nest them, with Sage Pro storage facts; a 500-field entity is cheap.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { designContext, entityTree, palette } from './index.js';

const ctx = designContext('mappings/order-to-sales-order.flow');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'designer-palette-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('palette', () => {
  it('lists the operations of both catalogs with typed parameters, read or write', () => {
    const p = palette(ctx);
    expect(p.operations.find((o) => o.id === 'xcart.orders.get')).toMatchObject({ system: 'xcart', kind: 'read', params: [{ name: 'order_id', type: 'int', nullable: false }], returns: 'xcart.Order' });
    expect(p.operations.find((o) => o.id === 'sagepro.sales_orders.create')).toMatchObject({ kind: 'write', params: [{ name: 'order', type: 'sagepro.SalesOrder' }] });
    expect(new Set(p.operations.map((o) => o.system))).toEqual(new Set(['xcart', 'sagepro']));
    expect(p.lookups.find((l) => l.file === 'gl-by-gateway.yaml')).toMatchObject({ name: 'gl_by_gateway', keyType: 'string', valueType: 'string' });
    expect(p.lookups.find((l) => l.file === 'web-warehouses.yaml')).toMatchObject({ valueType: 'bool' });
    expect(p.entities).toContain('xcart.Order');
    expect(p.entities).toContain('sagepro.SalesOrder');
    expect(p.entities.some((e) => e.split('.').length > 2)).toBe(false);
    expect(p.errorClasses).toContain('transient');
  });
});

describe('entityTree', () => {
  it('nests an X-Cart order as its schema does', () => {
    const t = entityTree(ctx, 'xcart.Order');
    const items = t.fields.find((f) => f.name === 'items')!;
    expect(items).toMatchObject({ list: true, type: 'xcart.OrderItem[]' });
    expect(items.children!.find((f) => f.name === 'sku')).toMatchObject({ path: 'items[].sku', type: 'string' });
    expect(t.fields.find((f) => f.name === 'shipping_address')!.children!.some((f) => f.path === 'shipping_address.city')).toBe(true);
  });

  it('gives Sage Pro table, column, storage and width', () => {
    const t = entityTree(ctx, 'sagepro.SalesOrder');
    expect(t.fields.find((f) => f.name === 'customer')).toMatchObject({ required: true, sagepro: { table: 'SOMAST', column: 'CUSTNO', storage: 'C(6)', width: 6 } });
    expect(t.fields.find((f) => f.name === 'lines')!.children!.find((f) => f.name === 'item')).toMatchObject({ path: 'lines[].item', required: true, sagepro: { table: 'SOTRAN', column: 'ITEM', storage: 'C(15)', width: 15 } });
    expect(() => entityTree(ctx, 'sagepro.SalesOrdr')).toThrow(/no entity 'sagepro.SalesOrdr' in the schemas \(did you mean/);
  });

  it('an entity of 500 fields', () => {
    // The shipped schemas folder, plus one wide entity.
    const schemas = path.join(tmp, 'schemas');
    fs.cpSync('mappings/schemas', schemas, { recursive: true });
    const props = Array.from({ length: 500 }, (_, i) => `  f${i}:\n    type: string\n    maxLength: 10\n    description: Field ${i}.\n    x-sagepro: { table: WIDE, column: F${i}, type: "C(10)" }`).join('\n');
    fs.writeFileSync(path.join(schemas, 'sagepro', 'Wide.yaml'), `$schema: https://json-schema.org/draft/2020-12/schema\n$id: https://connect.dev/schemas/sagepro/Wide\ntitle: Wide\ndescription: 500 columns.\ntype: object\nx-sagepro: { table: WIDE, key: [F0] }\nproperties:\n${props}\nrequired: [f0]\nadditionalProperties: false\n`);
    const wide = designContext(path.join(tmp, 'x.flow'), { schemasDir: schemas });
    wide.schemas(); // loading the schemas is not the tree's cost
    const t0 = performance.now();
    const t = entityTree(wide, 'sagepro.Wide');
    const ms = performance.now() - t0;
    expect(t.fields.length).toBe(500);
    expect(t.fields[499]).toMatchObject({ path: 'f499', sagepro: { column: 'F499', width: 10 } });
    expect(entityTree(wide, 'sagepro.Wide')).toBe(t);
    console.log(`entityTree of 500 fields: ${ms.toFixed(1)} ms (then cached)`);
  });
});

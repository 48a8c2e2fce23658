/**
 * requirements.json (compiler/requirements.ts): what a build tells `flowd doctor` about each flow:
 * the operations, the fields a write maps (column, longest value, literals, lookup tables), the
 * lookup values and the fields they feed, and literal comparisons with stored fields.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createProgram } from './program.js';
import { buildProgram } from './emitter/build.js';
import { collectRequirements, type Requirements } from './requirements.js';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
let tmp: string;
let req: Requirements;

const FLOW = `
flow Orders "orders"
  on xcart.order.created
  fetch order: xcart.Order = xcart.orders.get(event.data.order_id)
  table web: string -> string from "web.yaml" on missing default "WEB001"
  let ship = order.shipping_address
  map order -> so: sagepro.SalesOrder {
    external_ref = "XC-" + string(order.id)
    customer     = web[order.currency]
    order_date   = date(order.create_date, "UTC")
    status = match order.payment_status?.code {
      "P" => ""
      else => reject "not paid"
    }
    lines = each order.items as item {
      item     = truncate(upper(trim(item.sku)), 15)
      quantity = item.amount
    }
    ship_to = {
      name     = "Web"
      address1 = truncate(ship?.street ?? "", 35)
      city     = truncate(ship?.city ?? "", 20)
    }
  }
  write sagepro.sales_orders.create(so)

flow Stock "stock"
  on every 5m poll sagepro.InventoryLevel changed key item, location
  skip when event.data.location != "MAIN" because "web warehouse only"
  table web_wh: string -> bool from "wh.yaml" on missing default false
  table region: string -> string from "regions.yaml" on missing default "NONE"
  skip when !web_wh[upper(trim(event.data.location))] because "web warehouses only"
  skip when region[event.data.location] == "X" because "not a keyed skip"
  lookup product: xcart.Product? = xcart.products.find_by_sku(sku: trim(event.data.item))
  skip when product == null because "not in the store"
  write xcart.products.set_stock(product_id: product.id, amount: 1)
`;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-req-'));
  fs.mkdirSync(path.join(tmp, 'lookups'));
  fs.writeFileSync(path.join(tmp, 'lookups', 'web.yaml'), 'entries:\n  USD: WEBUS\n  CAD: WEBCA\n');
  fs.writeFileSync(path.join(tmp, 'lookups', 'wh.yaml'), 'entries:\n  MAIN: true\n  EAST: false\n  WH1: true\n');
  fs.writeFileSync(path.join(tmp, 'lookups', 'regions.yaml'), 'entries:\n  MAIN: X\n  WH1: X\n');
  fs.writeFileSync(path.join(tmp, 'flows.flow'), FLOW);
  const program = createProgram([path.join(tmp, 'flows.flow')], { schemasDir: path.join(REPO, 'mappings/schemas'), lookupsDir: path.join(tmp, 'lookups'), displayBase: tmp });
  expect(program.diagnostics.filter((d) => d.category === 'error').map((d) => d.message)).toEqual([]);
  req = collectRequirements(program);
  // The build writes the same, as requirements.json beside manifest.json.
  expect(JSON.parse(buildProgram(program, { typeCheck: false, emitJs: false }).files.get('requirements.json')!)).toEqual(req);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('a write: every mapped field with its column, longest value, literals and lookup tables', () => {
  const orders = req.flows.Orders!;
  expect(orders.operations.map((o) => [o.operation, o.kind, o.site])).toEqual([
    ['xcart.orders.get', 'read', 'flows.flow:4:30'],
    ['sagepro.sales_orders.create', 'write', 'flows.flow:25:9'],
  ]);
  const fields = orders.operations[1]!.fields!.map((f) => [f.path, f.entity, `${f.table}.${f.column}`, f.type, f.maxLength, f.literals, f.tables, f.references]);
  expect(fields).toEqual([
    ['customer', 'SalesOrder', 'SOMAST.CUSTNO', 'C(6)', 6, [], ['web'], 'ARCUST.CUSTNO'],
    ['external_ref', 'SalesOrder', 'SOMAST.EXTREF', 'C(30)', 23, [], [], undefined],
    ['lines[].item', 'SalesOrder.Line', 'SOTRAN.ITEM', 'C(15)', 15, [], [], 'ICITEM.ITEM'],
    ['lines[].quantity', 'SalesOrder.Line', 'SOTRAN.QTYORD', 'N(12,2)', undefined, [], [], undefined],
    ['order_date', 'SalesOrder', 'SOMAST.SODATE', 'D', undefined, [], [], undefined],
    ['ship_to.address1', 'SalesOrder.ShipTo', 'SOADDR.ADDRESS1', 'C(35)', 35, [], [], undefined],
    ['ship_to.city', 'SalesOrder.ShipTo', 'SOADDR.CITY', 'C(20)', 20, [], [], undefined],
    ['ship_to.name', 'SalesOrder.ShipTo', 'SOADDR.COMPANY', 'C(35)', 3, ['Web'], [], undefined],
    ['status', 'SalesOrder', 'SOMAST.SOSTAT', 'C(1)', 0, [''], [], undefined],
  ]);
});

test('a lookup table: its values (the default included) and the field they feed', () => {
  expect(req.flows.Orders!.tables).toEqual([{
    name: 'web', file: 'web.yaml', values: ['WEB001', 'WEBCA', 'WEBUS'],
    feeds: [{ operation: 'sagepro.sales_orders.create', path: 'customer', entity: 'SalesOrder', field: 'customer', references: 'ARCUST.CUSTNO' }],
  }]);
});

test('a stored field compared with a literal, and a flow whose writes go to X-Cart', () => {
  const stock = req.flows.Stock!;
  expect(stock.comparisons).toEqual([{ entity: 'InventoryLevel', field: 'location', table: 'ICILOC', column: 'LOCTID', type: 'C(6)', op: '!=', literal: 'MAIN', step: 'skip', site: 'flows.flow:29:13' }]);
  expect(stock.operations.map((o) => [o.operation, o.system, o.kind, o.fields?.length ?? 0])).toEqual([
    ['xcart.products.find_by_sku', 'xcart', 'read', 0],
    ['xcart.products.set_stock', 'xcart', 'write', 0],
  ]);
});

test('a lookup table keyed by a stored field (through trim/upper): its keys, and what a row matching none gets', () => {
  const stored = { entity: 'InventoryLevel', field: 'location', table: 'ICILOC', column: 'LOCTID', type: 'C(6)' };
  expect(req.flows.Stock!.keyedLookups).toEqual([
    // EAST: false is the miss value: only MAIN and WH1 let a row through.
    { name: 'web_wh', file: 'wh.yaml', ...stored, through: ['trim', 'upper'], keys: ['MAIN', 'WH1'], onNoMatch: 'skip', step: 'skip', site: 'flows.flow:32:14' },
    { name: 'region', file: 'regions.yaml', ...stored, through: [], keys: ['MAIN', 'WH1'], onNoMatch: 'default', step: 'skip', site: 'flows.flow:33:13' },
  ]);
  expect(req.flows.Orders!.keyedLookups).toEqual([]); // web[order.currency]: an X-Cart field
});

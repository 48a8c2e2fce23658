/**
 * A run's business keys, for the console's search box: the X-Cart order number and id, the Sage Pro
 * sales order number, the customer number and email, and SKUs, taken from the triggering event and
 * from what the run's calls sent and got back (by the operation's entity: X-Cart `orders.*` return an
 * Order with `id`, `order_number`, `email` and `items[].sku`; Sage Pro `sales_orders.*` take and return
 * a SalesOrder with `number`, `customer` and `lines[].item`; `customers.*` a Customer with `number` and
 * `email`; `products.*` and inventory operations an SKU or item). Emails are lowercased.
 */
import type { RunKey, RunKeyKind } from '../../store/store.js';

export interface KeySourceCall { readonly system: string; readonly operation: string; readonly args: unknown; readonly result?: unknown }
export interface KeySourceEvent { readonly type: string; readonly source: string; readonly id?: string; readonly data: unknown }

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const MAX_KEYS = 200;

export function keysOf(event: KeySourceEvent, calls: readonly KeySourceCall[] = []): RunKey[] {
  const out = new Map<string, RunKey>();
  const add = (kind: RunKeyKind, v: unknown) => {
    if (typeof v !== 'string' && typeof v !== 'number') return;
    let value = String(v).trim();
    if (!value || value.length > 200) return;
    if (kind === 'email') value = value.toLowerCase();
    if (out.size < MAX_KEYS) out.set(`${kind}\u0000${value}`, { kind, value });
  };
  const data = isObj(event.data) ? event.data : {};
  if (event.source === 'xcart') {
    add('order_id', data.order_id);
    add('order_number', data.order_number);
    add('email', data.email);
  } else if (event.source === 'sagepro') {
    if (event.type.startsWith('SalesOrder')) { add('sales_order', data.number); add('customer', data.customer); }
    if (event.type.startsWith('Invoice')) { add('sales_order', data.sales_order ?? data.order_number); add('customer', data.customer); }
    if (event.type.startsWith('Inventory')) add('sku', data.item);
    if (event.type.startsWith('Customer')) { add('customer', data.number); add('email', data.email); }
  }
  for (const c of calls) {
    const args = isObj(c.args) ? c.args : {};
    const results = Array.isArray(c.result) ? c.result.filter(isObj) : isObj(c.result) ? [c.result] : [];
    const [entity] = c.operation.split('.');
    if (c.system === 'xcart') {
      if (entity === 'orders') {
        add('order_id', args.id ?? args.order_id); add('order_number', args.number ?? args.order_number);
        for (const r of results) {
          add('order_id', r.id); add('order_number', r.order_number); add('email', r.email);
          if (Array.isArray(r.items)) for (const i of r.items) if (isObj(i)) add('sku', i.sku);
        }
      } else if (entity === 'products') {
        add('sku', args.sku);
        for (const r of results) add('sku', r.sku);
      }
    } else if (c.system === 'sagepro') {
      if (entity === 'sales_orders') {
        const order = isObj(args.order) ? args.order : args;
        for (const so of [order, ...results]) {
          add('sales_order', so.number); add('customer', so.customer);
          if (Array.isArray(so.lines)) for (const l of so.lines) if (isObj(l)) add('sku', l.item);
        }
      } else if (entity === 'customers') {
        add('email', args.email); add('customer', args.number);
        for (const r of results) { add('customer', r.number); add('email', r.email); }
      } else if (entity === 'inventory' || entity === 'items') {
        add('sku', args.item);
        for (const r of results) add('sku', r.item);
      }
    }
  }
  return [...out.values()];
}

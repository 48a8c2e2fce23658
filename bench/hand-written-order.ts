/**
 * OrderToSalesOrder written by hand: what an engineer would write without flowc, for the same
 * mapping as mappings/order-to-sales-order.flow (the `map order -> so` block and its two lets).
 * It uses the runtime builtins only where money, date or string semantics need them: date in
 * America/New_York, decimal-safe sum, round half away from zero, code-point truncate, split_street.
 * Lookup tables are Maps read once from mappings/lookups/*.yaml, with the flow's defaults.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { FlowError } from '../runtime/contract.js';
import { date, round, split_street, sum, truncate } from '../runtime/builtins.js';

const LOOKUPS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../mappings/lookups');

function loadTable(file: string): Map<string, string> {
  const doc = YAML.parse(fs.readFileSync(path.join(LOOKUPS, file), 'utf8')) as { entries: Record<string, unknown> };
  return new Map(Object.entries(doc.entries).map(([k, v]) => [k, String(v)]));
}

const WEB_CUSTOMER = loadTable('web-customers.yaml');
const CARRIER = loadTable('carriers.yaml');

export interface SalesOrderLine { item: string; description: string; quantity: number; price: number }
export interface SalesOrder {
  external_ref: string; po_number: string; customer: string; order_date: string; ship_via: string; status: string;
  tax: number; notes: string; lines: SalesOrderLine[];
  ship_to: { name: string; address1: string; address2: string; address3: string; city: string; state: string; zip: string; country: string };
}

const taxValue = (s: { value: number }) => s.value;

/** order (xcart.Order) + the Sage Pro customer found by email (or null) -> sagepro.SalesOrder. */
export function mapOrderToSalesOrder(order: any, customer: any): SalesOrder {
  const ship = order.shipping_address ?? order.billing_address;
  const street = split_street(ship?.street ?? '', 35)!;

  const code = order.payment_status?.code;
  if (code !== 'P' && code !== 'A' && code !== 'PP' && code !== 'Q') {
    if (code === 'D' || code === 'C') throw new FlowError('payment declined or order canceled', undefined);
    if (code === 'R') throw new FlowError('order refunded before it reached Sage Pro', undefined);
    if (code == null) throw new FlowError('the order has no payment status', undefined);
    throw new FlowError(`no match for ${JSON.stringify(code)} in this match`, undefined);
  }

  const taxes = [];
  for (const s of order.surcharges) if (s.type === 'tax') taxes.push(s);

  const lines: SalesOrderLine[] = [];
  for (const item of order.items) {
    if (!(item.amount > 0)) continue;
    lines.push({
      item: truncate(item.sku.trim(), 15)!.toUpperCase(),
      description: truncate(item.name, 50)!,
      quantity: item.amount,
      price: round(item.price, 4)!,
    });
  }

  return {
    external_ref: 'XC-' + order.id,
    po_number: truncate(order.order_number, 20)!,
    customer: customer?.number ?? WEB_CUSTOMER.get(order.currency) ?? 'WEB001',
    order_date: date(order.create_date, 'America/New_York')!,
    ship_via: CARRIER.get(order.shipping_method_name ?? '') ?? 'BEST',
    status: '',
    tax: sum(taxes, taxValue),
    notes: `X-Cart order ${order.order_number ?? ''} (${order.email})`,
    lines,
    ship_to: {
      name: truncate(`${ship?.firstname ?? ''} ${ship?.lastname ?? ''}`.trim(), 35)!,
      address1: street.line1,
      address2: street.line2,
      address3: street.line3,
      city: truncate(ship?.city ?? '', 20)!,
      state: truncate(ship?.state_name ?? '', 10)!,
      zip: truncate(ship?.zipcode ?? '', 10)!,
      country: truncate(ship?.country_code ?? '', 15)!,
    },
  };
}

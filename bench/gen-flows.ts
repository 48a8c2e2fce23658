/**
 * 500 (or n) variants of the three shipped flows, in memory: unique flow names, other durations,
 * tables (lookup file or inline entries, other defaults / missing policies), other field
 * expressions and widths, a `let` added or removed. Every variant must still check clean; the
 * compile benchmark asserts it.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface FlowVariant { readonly file: string; readonly text: string; readonly base: string }

function mustReplace(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text && !(typeof from === 'string' && from === to)) throw new Error(`variant generator: '${String(from)}' not found`);
  return out;
}

function orderVariant(t: string, i: number): string {
  t = mustReplace(t, 'flow OrderToSalesOrder ', `flow OrderToSalesOrderV${i} `);
  t = mustReplace(t, 'keep 400d', `keep ${30 + (i % 370)}d`);
  t = mustReplace(t, 'retry for 24h backoff exponential 2s..10m', `retry for ${12 + (i % 37)}h backoff exponential ${1 + (i % 5)}s..${5 + (i % 20)}m`);
  t = mustReplace(t, 'truncate(item.name, 50)', `truncate(item.name, ${30 + (i % 21)})`);
  t = mustReplace(t, 'truncate(ship?.city ?? "", 20)', `truncate(ship?.city ?? "", ${10 + (i % 11)})`);
  t = mustReplace(t, 'round(item.price, 4)', `round(item.price, ${2 + (i % 3)})`);
  switch (i % 3) {
    case 0: break;
    case 1: // an inline table instead of carriers.yaml
      t = mustReplace(t, /table carrier: string -> string from "carriers.yaml" on missing default "BEST"/,
        `table carrier: string -> string { "Courier" => "COUR", "UPS Ground" => "UPSG", "FedEx 2Day" => "FEDP", "Method ${i}" => "M${i % 1000}" } on missing default "BEST${i % 10}"`);
      break;
    case 2: // other default; the web customer table a missing key rejects
      t = mustReplace(t, 'on missing default "WEB001"', `on missing default "WEB${i % 100}"`);
      t = mustReplace(t, 'on missing default "BEST"', 'on missing reject');
      break;
  }
  switch (i % 4) {
    case 0: break;
    case 1: // a let added
      t = mustReplace(t, '  let street =', '  let prefix = "X-Cart order "\n  let street =');
      t = mustReplace(t, 'notes = "X-Cart order " + order.order_number', 'notes = prefix + order.order_number');
      break;
    case 2: // a let removed (ship inlined). Not `street`: `split_street(...).line1` inline emits TS that does not
            // type-check (TS2531, see bench/README.md), so that variant would measure a compiler bug.
      t = mustReplace(t, /  let ship = order\.shipping_address \?\? order\.billing_address\n/, '');
      t = t.replaceAll('ship?.', '(order.shipping_address ?? order.billing_address)?.');
      break;
    case 3: // a let added for the tax
      t = mustReplace(t, '  map order -> so:', '  let tax_total = tax_added + 0\n\n  map order -> so:');
      t = mustReplace(t, '      tax = tax_added', '      tax = round(tax_total, 2)');
      break;
  }
  if (i % 5 === 0) t = mustReplace(t, '"P" | "A" | "PP" | "Q" => ""', '"P" | "A" | "PP" => ""\n      "Q"                    => reject "awaiting payment"');
  return t;
}

function inventoryVariant(t: string, i: number): string {
  t = mustReplace(t, 'flow InventoryToXCart ', `flow InventoryToXCartV${i} `);
  t = mustReplace(t, 'on every 5m poll', `on every ${1 + (i % 30)}m poll`);
  t = mustReplace(t, 'because "the item is not sold in the store', `because "the item is not sold in store ${i % 7}`);
  t = mustReplace(t, 'retry for 24h backoff exponential 2s..5m', `retry for ${12 + (i % 9)}h backoff exponential ${1 + (i % 4)}s..${2 + (i % 10)}m`);
  t = mustReplace(t, 'max(0, floor(', `max(${i % 3}, floor(`);
  if (i % 2 === 1) {
    t = mustReplace(t, '  write xcart.products.set_stock(product_id: product?.id ?? 0, amount: int(available) ?? 0)',
      '  let amount = int(available) ?? 0\n  write xcart.products.set_stock(product_id: product?.id ?? 0, amount: amount)');
  }
  return t;
}

function statusVariant(t: string, i: number): string {
  t = mustReplace(t, 'flow SalesOrderStatusToXCart ', `flow SalesOrderStatusToXCartV${i} `);
  t = mustReplace(t, 'on every 1m poll', `on every ${1 + (i % 15)}m poll`);
  t = mustReplace(t, 'retry for 24h backoff exponential 5s..15m', `retry for ${12 + (i % 6)}h backoff exponential ${2 + (i % 8)}s..${10 + (i % 50)}m`);
  t = mustReplace(t, '(event.data.invoice_balance ?? 1) == 0', `(event.data.invoice_balance ?? 1) <= ${i % 2 === 0 ? '0' : '0.005'}`);
  if (i % 3 === 1) t = mustReplace(t, '"V" | "X" => "WND"', '"V"       => "WND"\n    "X"       => "NS"');
  if (i % 2 === 0) {
    t = mustReplace(t, '  let paid =', '  let balance = event.data.invoice_balance ?? 1\n  let paid =');
    t = mustReplace(t, '(event.data.invoice_balance ?? 1)', 'balance');
  }
  return t;
}

const VARIANTS: readonly (readonly [string, (t: string, i: number) => string])[] = [
  ['order-to-sales-order.flow', orderVariant],
  ['inventory-to-xcart.flow', inventoryVariant],
  ['sales-order-status-to-xcart.flow', statusVariant],
];

/** n variants (round-robin over the three shipped flows), as `<dir>/gen/<nnn>-<base>.flow`. */
export function generateFlowVariants(mappingsDir: string, n: number): FlowVariant[] {
  const bases = VARIANTS.map(([file, fn]) => [file, fs.readFileSync(path.join(mappingsDir, file), 'utf8'), fn] as const);
  const out: FlowVariant[] = [];
  for (let i = 0; i < n; i++) {
    const [file, text, fn] = bases[i % bases.length]!;
    out.push({ file: path.join(mappingsDir, 'gen', `${String(i).padStart(3, '0')}-${file}`), text: fn(text, i), base: file });
  }
  return out;
}

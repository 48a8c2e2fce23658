/**
 * Deterministic synthetic X-Cart orders (same shape as mappings/tests/fixtures/order-100001.json)
 * and the Sage Pro customer each one's email resolves to (null for guests and unknown shoppers).
 * Guests carry a customer_id like every X-Cart 5.5 order: checkout attaches an anonymous profile
 * (X-Cart 5.5.0.29 classes/XLite/Controller/Customer/Checkout.php, mergeAnonymousProfile; reference
 * xcart-api.md item 9), so `customer_id == null` never means "guest"; `Sample.guest` says it.
 * Seeded PRNG (mulberry32): the same seed always gives the same orders.
 */
import { mulberry32 } from '../test/support/prng.js';

export { mulberry32 };

export interface Sample {
  readonly order: any;
  readonly customer: any;
  /** The shopper checked out without an account (the order's customer_id is an anonymous profile's). */
  readonly guest: boolean;
}

/** Anonymous profiles (one per guest checkout) are numbered after the registered ones (1..5000). */
export const ANONYMOUS_PROFILE_BASE = 10_000;

const PRODUCTS: readonly (readonly [string, string, number])[] = [
  ['WIDGET-100', 'Widget 100', 19.99], ['WIDGET-200', 'Widget 200 (stainless)', 24.5],
  ['CABLE-USB-C', 'USB-C cable 2 m', 12.9], ['CABLE-HDMI-3M', 'HDMI 2.1 cable 3 m, braided', 17.45],
  ['MONITOR-27', '27-inch monitor with an exceptionally long marketing name that goes on', 249.99],
  ['KB-MECH-US', 'Mechanical keyboard, US layout, brown switches', 89],
  ['MOUSE-WL-BLK', 'Wireless mouse (black)', 29.95], ['DOCK-TB4-PRO-2025', 'Thunderbolt 4 docking station Pro', 219.0],
  ['SSD-1TB-NVME', 'NVMe SSD 1 TB', 74.99], ['LAMP-LED-DESK', 'LED desk lamp with wireless charger', 45.3],
  ['CHAIR-ERGO-XL', 'Ergonomic office chair XL, mesh back, adjustable lumbar support', 389.0],
  ['PAPER-A4-500', 'Copy paper A4, 500 sheets', 6.49], ['PEN-GEL-12', 'Gel pens, pack of 12', 8.75],
  ['HEADSET-BT-NC', 'Bluetooth headset with noise cancelling', 129.99], ['CAM-4K-WEB', '4K webcam', 99.95],
  ['BAG-LAPTOP-15', 'Laptop bag 15"', 39.99], ['STAND-ALU-ADJ', 'Aluminium laptop stand, adjustable', 34.2],
  ['CHARGER-65W-GAN', '65 W GaN charger', 42.0], ['HUB-USB-7P', '7-port USB hub', 23.33], ['TONER-HP-305A', 'Toner cartridge HP 305A black', 61.7],
];
const FIRST = ['Jane', 'John', 'Hans-Peter', 'María José', 'Zoë', 'Li', 'Aleksandr', 'Olivia', 'Noah', 'Fatima', 'Jean-Baptiste', 'Ava', 'Müller', ''];
const LAST = ['Doe', 'Smith', 'Mustermann-Oberhuber von Hohenzollern', 'García Márquez', 'Nguyen', "O'Connor", 'Kowalski', 'van der Berg', 'Schröder', 'Lee'];
const STREETS = [
  '1 Main St', '1200 North Lake Shore Drive', 'Apartment 4B, 1200 North Lake Shore Drive, Building C',
  '742 Evergreen Terrace', 'Suite 1500, 3000 Avenue of the Americas, Attn: Receiving Department, Dock 7',
  'Hauptstraße 12\nHinterhaus, 3. Stock', 'c/o Acme Corp., 55 Water Street, Floor 32, Mailroom',
  'PO Box 1234', '10 Rue de la République  ,  Bâtiment B', '  221B Baker Street  ',
  'Unit 7, 88 Industrial Parkway Northeast Extension Road', 'Rural Route 2, Box 15, Near the old grain elevator on County Road 12',
];
const CITIES: readonly (readonly [string, string, string, string])[] = [
  ['New York', 'New York', '10001', 'US'], ['Chicago', 'Illinois', '60610', 'US'], ['San Francisco', 'California', '94105', 'US'],
  ['Toronto', 'Ontario', 'M5V 2T6', 'CA'], ['Berlin', 'Berlin', '10115', 'DE'], ['Llanfairpwllgwyngyll', 'Isle of Anglesey', 'LL61 5UJ', 'GB'],
  ['Saint-Jean-sur-Richelieu', 'Quebec', 'J3B 1A1', 'CA'], ['Paris', 'Île-de-France', '75001', 'FR'],
];
const CURRENCIES = ['USD', 'USD', 'USD', 'CAD', 'EUR', 'GBP'];            // GBP: not in the table -> "WEB"
const METHODS = ['Courier', 'Local pickup', 'UPS Ground', 'FedEx 2Day', 'USPS Priority', 'DHL Express', null]; // DHL / null -> "BEST"
const PAYMENT: readonly (readonly [number, string, string])[] = [[4, 'P', 'Paid'], [2, 'A', 'Authorized'], [6, 'PP', 'Partially paid'], [1, 'Q', 'Awaiting payment']];

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const cents = (x: number) => Math.round(x * 100) / 100;

export function generateOrders(n: number, seed = 20261028): Sample[] {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: Sample[] = [];
  for (let k = 0; k < n; k++) {
    const id = 100000 + k;
    const base = Date.UTC(2026, 0, 1) / 1000 + int(0, 365 * 86400 - 1);  // any second of 2026 (DST changes, near-midnight)
    const d = new Date(base * 1000);
    const ts = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}+0000`;
    const nItems = int(1, 50);
    const items = [];
    let sub = 0;
    for (let i = 0; i < nItems; i++) {
      const [sku, name, list] = pick(PRODUCTS);
      const price = rnd() < 0.3 ? cents(list * (0.5 + rnd())) : list;
      const amount = rnd() < 0.05 ? 0 : int(1, 12);
      const skuShown = rnd() < 0.1 ? `  ${sku.toLowerCase()} ` : rnd() < 0.05 ? `${sku}-VARIANT-${int(1, 99)}` : sku;
      sub = cents(sub + price * amount);
      items.push({
        id: i + 1, product_id: PRODUCTS.findIndex((p) => p[0] === sku) + 1, sku: skuShown, update_date: ts,
        name: rnd() < 0.1 ? `${name} — édition spéciale ${int(1, 9)}` : name,
        price, item_net_price: price, discounted_subtotal: cents(price * amount), amount, backordered_amount: 0, surcharges: [], variant: null,
      });
    }
    const shipping = pick([0, 4.99, 9.95, 14.5, 29.99]);
    const surcharges: any[] = [{ id: 1, type: 'shipping', code: 'SHIPPING', class: 'XLite\\Logic\\Order\\Modifier\\Shipping', include: false, available: true, value: shipping, name: 'Shipping cost', weight: 0 }];
    const nTax = int(0, 3);
    let taxTotal = 0;
    for (let t = 0; t < nTax; t++) {
      const value = cents(sub * pick([0.04, 0.0625, 0.0875, 0.01, 0.19, 0.13]));
      taxTotal = cents(taxTotal + value);
      surcharges.push({ id: surcharges.length + 1, type: 'tax', code: `CDEV.STAX.${t + 1}`, class: 'CDev\\SalesTax\\Logic\\Order\\Modifier\\Tax', include: false, available: true, value, name: t === 0 ? 'Sales tax' : `County tax ${t}`, weight: t });
    }
    if (rnd() < 0.2) surcharges.push({ id: surcharges.length + 1, type: 'handling', code: 'HANDLING', class: 'XLite\\Logic\\Order\\Modifier\\Handling', include: false, available: true, value: 2.5, name: 'Handling', weight: 9 });
    const guest = rnd() < 0.25;
    const first = pick(FIRST), last = pick(LAST);
    const email = `${(first || 'x').toLowerCase().replace(/[^a-z]/g, '')}.${last.toLowerCase().replace(/[^a-z]/g, '')}${k}@example.${pick(['com', 'de', 'ca', 'co.uk'])}`;
    const addr = (aid: number, billing: boolean, shippingToo: boolean) => {
      const [city, state, zip, cc] = pick(CITIES);
      const a: any = {
        id: aid, is_billing: billing, is_shipping: shippingToo, is_work: rnd() < 0.2, type: '', title: '', firstname: first, lastname: last,
        phone: `555-0${int(100, 999)}`, street: pick(STREETS), zipcode: zip, city, country_code: cc, state: int(1, 60), custom_fields: [],
      };
      if (rnd() < 0.95) a.state_name = state;
      return a;
    };
    const billing = addr(1, true, true);
    const shipAddr = rnd() < 0.15 ? null : rnd() < 0.5 ? { ...billing } : addr(2, false, true);
    const [psId, psCode, psName] = pick(PAYMENT);
    const total = cents(sub + shipping + taxTotal);
    const order = {
      id, order_number: String(id), total, sub_total: sub, email, items, billing_address: billing, shipping_address: shipAddr,
      create_date: ts, update_date: ts,
      payment_status: { id: psId, code: psCode, name: psName, customer_name: psName },
      shipping_status: { id: 1, code: 'N', name: 'New', customer_name: 'New' },
      customer_id: guest ? ANONYMOUS_PROFILE_BASE + k : int(1, 5000), order_profile_id: int(1, 9000), shipping_id: int(1, 9),
      shipping_method_name: pick(METHODS), notes: rnd() < 0.1 ? 'Leave at the door' : '', admin_notes: '',
      currency: pick(CURRENCIES), stock_status: 'reduced', surcharges,
      tracking_numbers: rnd() < 0.3 ? [{ id: 1, date: ts, value: `1Z999AA1${int(10000000, 99999999)}` }] : [],
      used_coupons: [],
    };
    const customer = !guest && rnd() < 0.7
      ? { number: `C${String(int(1, 99999)).padStart(5, '0')}`, name: `${first} ${last}`.trim().slice(0, 35), email }
      : null;
    out.push({ order, customer, guest });
  }
  return out;
}

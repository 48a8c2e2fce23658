/**
 * Seed data of the X-Cart sandbox: a small electronics store. Most SKUs also exist in the Sage Pro
 * sandbox; GIFT-CARD-50 and POSTER-LTD deliberately do not (the "unknown SKU" path of the flows).
 */
import { type Json, type SandboxData, nextId, rfc3339Date } from './state.js';
import { PAYMENT_STATUSES, SHIPPING_STATUSES, placeOrder } from './orders.js';

const DAY = 86_400_000;

/** [sku, name, price, stock, weight, category id] */
const PRODUCTS: [string, string, number, number, number, number][] = [
  ['WIDGET-100', 'Widget 100', 19.99, 250, 0.2, 4],
  ['WIDGET-200', 'Widget 200 Pro', 34.5, 120, 0.3, 4],
  ['GADGET-300', 'Gadget 300', 89, 60, 0.8, 4],
  ['GADGET-310', 'Gadget 310 Max', 119, 35, 0.9, 4],
  ['CABLE-USB-C', 'USB-C cable 2 m', 12.9, 500, 0.1, 3],
  ['CABLE-HDMI', 'HDMI 2.1 cable 1.5 m', 15.5, 400, 0.15, 3],
  ['MOUSE-WL', 'Wireless mouse', 29.99, 180, 0.12, 2],
  ['KEYB-MECH', 'Mechanical keyboard', 109, 75, 1.1, 2],
  ['MONITOR-27', '27" QHD monitor', 329, 24, 6.5, 5],
  ['DOCK-USB4', 'USB4 docking station', 249, 40, 0.7, 3],
  ['SSD-1TB', 'NVMe SSD 1 TB', 79.9, 150, 0.05, 4],
  ['RAM-32GB', 'DDR5 RAM 32 GB kit', 119.9, 90, 0.08, 4],
  ['HEADSET-PRO', 'Headset Pro', 149, 55, 0.4, 5],
  ['WEBCAM-4K', '4K webcam', 129, 45, 0.25, 5],
  ['CHARGER-65W', '65 W GaN charger', 45, 210, 0.18, 3],
  ['STAND-ALU', 'Aluminium laptop stand', 39.9, 130, 1.3, 2],
  ['GIFT-CARD-50', 'Gift card $50', 50, 0, 0, 6],
  ['POSTER-LTD', 'Limited edition poster', 24, 10, 0.3, 6],
];

/**
 * Classed products: product_class and tax_class are {id, name} objects or null, not strings
 * (classes/XLite/API/Endpoint/Product/DTO/Output.php:130,135, ProductClassOutput / TaxClassOutput).
 */
const CLASSES: Record<string, { product_class?: Json; tax_class?: Json }> = {
  'MONITOR-27': { product_class: { id: 1, name: 'Displays' }, tax_class: { id: 1, name: 'Electronics' } },
  'KEYB-MECH': { product_class: { id: 2, name: 'Input devices' } },
  'GIFT-CARD-50': { tax_class: { id: 2, name: 'Tax exempt' } },
};

const CATEGORIES: [number, string, number | null][] = [
  [1, 'Root category', null],
  [2, 'Peripherals', 1],
  [3, 'Cables & power', 1],
  [4, 'Components', 1],
  [5, 'Audio & video', 1],
  [6, 'Gifts', 1],
];

/** [email, first, last, street, zip, city, country, state id, state name, phone] */
const CUSTOMERS: [string, string, string, string, string, string, string, number | null, string | null, string][] = [
  ['jane.doe@example.com', 'Jane', 'Doe', '1 Main St', '10001', 'New York', 'US', 38, 'New York', '555-0100'],
  ['john.smith@example.com', 'John', 'Smith', '42 Market St', '94105', 'San Francisco', 'US', 5, 'California', '555-0142'],
  ['maria.garcia@example.com', 'Maria', 'Garcia', '7 Elm Ave', '60601', 'Chicago', 'US', 14, 'Illinois', '555-0177'],
  ['li.wei@example.com', 'Wei', 'Li', '88 Queen St W', 'M5H 2N2', 'Toronto', 'CA', 66, 'Ontario', '416-555-0188'],
  ['olga.berg@example.com', 'Olga', 'Berg', 'Hauptstrasse 5', '10115', 'Berlin', 'DE', null, null, '+49 30 555 0101'],
];

export function seedData(now: number): SandboxData {
  const data: SandboxData = {
    version: 1, seq: {}, nextOrderNumber: 100001, orders: [], transactions: {}, history: {}, products: [], variants: {},
    profiles: [], addresses: {}, categories: [], categoryProducts: {}, coupons: [], anonymousProfiles: [],
    paymentStatuses: PAYMENT_STATUSES.map((s) => ({ ...s })), shippingStatuses: SHIPPING_STATUSES.map((s) => ({ ...s })),
  };
  // Product and profile dates carry a +HH:MM offset; order dates (placeOrder) +0000.
  const created = rfc3339Date(now - 120 * DAY);

  for (const [id, name, parent] of CATEGORIES) {
    data.categories.push({
      id, enabled: true, show_title: true, position: id * 10, memberships: [], parent,
      clean_url: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), name, description: '', meta_tags: '',
      meta_description: '', meta_title: '', icon: null, banner: null,
    });
    data.categoryProducts[String(id)] = [];
  }
  data.seq.category = CATEGORIES.length + 1;

  for (const [sku, name, price, amount, weight, cat] of PRODUCTS) {
    const id = nextId(data, 'product');
    const gift = sku === 'GIFT-CARD-50';
    data.products.push({
      id, sku, name, description: `<p>${name}.</p>`, brief_description: name, meta_tags: '', meta_description: '',
      meta_title: '', price, enabled: true, weight, separate_box: false, width: 0, length: 0, height: 0,
      free_shipping: gift, taxable: !gift, create_date: created, update_date: created,
      arrival_date: rfc3339Date(now - 120 * DAY - ((now - 120 * DAY) % DAY)), inventory_traceable: !gift, amount,
      product_class: CLASSES[sku]?.product_class ?? null, tax_class: CLASSES[sku]?.tax_class ?? null, memberships: [],
      clean_url: sku.toLowerCase(), images: [],
      market_price: null, cost_price: null,
    });
    data.categoryProducts[String(cat)]!.push(id);
  }
  const headset = data.products.find((p) => p.sku === 'HEADSET-PRO')!;
  data.variants[String(headset.id)] = [
    variant(data, 'HEADSET-PRO-BLK', 30, true), variant(data, 'HEADSET-PRO-WHT', 12, false),
  ];

  // The store administrator, then customers.
  data.profiles.push(profile(data, 'admin@example.com', 100, created));
  CUSTOMERS.forEach(([email, first, last, street, zip, city, country, state, stateName, phone], i) => {
    const p = profile(data, email, 0, rfc3339Date(now - (90 - i * 10) * DAY));
    data.profiles.push(p);
    data.addresses[String(p.id)] = [{
      id: nextId(data, 'address'), is_billing: true, is_shipping: true, is_work: false, type: '', title: '',
      firstname: first, lastname: last, phone, street, zipcode: zip, city, country_code: country, state,
      state_name: stateName, custom_fields: [],
    }];
  });

  data.coupons.push(
    coupon(data, 'SAVE10', '%', 10, 'Ten percent off'),
    coupon(data, 'WELCOME5', '$', 5, 'Five dollars off the first order'),
    coupon(data, 'FREESHIP', 'S', 0, 'Free shipping'),
  );

  // Real payment method service names; an authorisation that was captured keeps type auth and
  // carries a backend capture (see paymentTransaction in orders.ts). Orders 100011-100012 are from a
  // VAT-inclusive price list (tax surcharge include: true, already inside the item prices).
  const orders: [number, Parameters<typeof placeOrder>[1]][] = [
    [30, { email: 'jane.doe@example.com', items: [{ sku: 'WIDGET-100', amount: 2 }, { sku: 'CABLE-USB-C', amount: 3 }], payment_status: 'P', shipping_status: 'D', tracking_numbers: ['1Z999AA10123456784'], payment_method: 'Stripe' }],
    [25, { email: 'john.smith@example.com', items: [{ sku: 'MONITOR-27', amount: 1 }, { sku: 'CABLE-HDMI', amount: 1 }, { sku: 'STAND-ALU', amount: 1 }], payment_status: 'P', shipping_status: 'S', tracking_numbers: ['1Z999AA10123456785'], payment_method: 'AuthorizeNet SIM', payment_type: 'auth', capture: { type: 'capture', share: 1 } }],
    [20, { email: 'maria.garcia@example.com', items: [{ sku: 'KEYB-MECH', amount: 1 }, { sku: 'MOUSE-WL', amount: 1 }], coupon: 'SAVE10', payment_status: 'P', shipping_status: 'P', payment_method: 'PaypalCommercePlatform' }],
    [15, { email: 'guest.buyer@example.net', items: [{ sku: 'SSD-1TB', amount: 2 }, { sku: 'RAM-32GB', amount: 1 }], payment_status: 'Q', shipping_status: 'N', payment_method: 'ExpressCheckout' }],
    [12, { email: 'li.wei@example.com', items: [{ sku: 'DOCK-USB4', amount: 1 }, { sku: 'CHARGER-65W', amount: 2 }, { sku: 'CABLE-USB-C', amount: 2 }], payment_status: 'P', shipping_status: 'N', payment_method: 'Stripe' }],
    [9, { email: 'olga.berg@example.com', items: [{ sku: 'HEADSET-PRO-WHT', amount: 1 }, { sku: 'WEBCAM-4K', amount: 1 }], coupon: 'WELCOME5', payment_status: 'A', shipping_status: 'N', payment_method: 'AuthorizeNet SIM', payment_type: 'auth' }],
    [7, { email: 'jane.doe@example.com', items: [{ sku: 'GIFT-CARD-50', amount: 1 }, { sku: 'POSTER-LTD', amount: 2 }], payment_status: 'P', shipping_status: 'N', payment_method: 'PaypalCommercePlatform' }],
    [5, { email: 'john.smith@example.com', items: [{ sku: 'GADGET-300', amount: 1 }, { sku: 'GADGET-310', amount: 1 }, { sku: 'WIDGET-200', amount: 4 }], payment_status: 'D', shipping_status: 'WND', payment_method: 'Stripe' }],
    [3, { email: 'maria.garcia@example.com', items: [{ sku: 'HEADSET-PRO-BLK', amount: 1 }, { sku: 'CABLE-HDMI', amount: 2 }], coupon: 'FREESHIP', payment_status: 'PP', shipping_status: 'NBA', payment_method: 'Stripe', payment_type: 'auth', capture: { type: 'capturePart', share: 0.5 } }],
    [1, { email: 'li.wei@example.com', items: [{ sku: 'WIDGET-100', amount: 5 }, { sku: 'WIDGET-200', amount: 5 }, { sku: 'SSD-1TB', amount: 1 }], payment_status: 'Q', shipping_status: 'N', notes: 'Please deliver after 5 pm.', payment_method: 'Stripe' }],
    [2, { email: 'olga.berg@example.com', items: [{ sku: 'WEBCAM-4K', amount: 1 }, { sku: 'CHARGER-65W', amount: 1 }], payment_status: 'P', shipping_status: 'N', payment_method: 'Stripe', vat_inclusive: true }],
    [1, { email: 'eu.guest@example.eu', items: [{ sku: 'MONITOR-27', amount: 1 }], payment_status: 'P', shipping_status: 'N', payment_method: 'PaypalCommercePlatform', vat_inclusive: true }],
  ];
  for (const [daysAgo, input] of orders) placeOrder(data, input, now - daysAgo * DAY);
  // A cart (unfinished order): no order number. Integrations must ignore it.
  placeOrder(data, { email: 'olga.berg@example.com', items: [{ sku: 'MOUSE-WL', amount: 1 }], order_number: null }, now - DAY / 2);
  return data;
}

function variant(data: SandboxData, sku: string, amount: number, useProductPrice: boolean): Json {
  return {
    id: nextId(data, 'variant'), price: useProductPrice ? 149 : 159, default_price: useProductPrice, amount,
    default_amount: false, weight: 0.4, default_weight: true, default_variant: useProductPrice, sku, image: null,
    // Attribute value ids, as the real output gives them (ProductVariant/Transformer/OutputTransformer.php
    // assembleSelectValues): Color Black is value 1, White 2.
    attribute_checkbox_values: [], attribute_select_values: [sku.endsWith('BLK') ? 1 : 2],
  };
}

function profile(data: SandboxData, login: string, accessLevel: number, created: string): Json {
  return {
    id: nextId(data, 'profile'), login, access_level: accessLevel, create_date: created, first_login_date: created,
    last_login_date: created, status: 'E', status_comment: '', referer: '', language: 'en', membership_id: null,
    pending_membership_id: null, force_change_password: false, role_ids: accessLevel === 100 ? [1] : [],
  };
}

function coupon(data: SandboxData, code: string, type: string, value: number, comment: string): Json {
  return {
    id: nextId(data, 'coupon'), code, enabled: true, value, type, comment, date_range_begin: null, date_range_end: null,
    total_range_begin: null, total_range_end: null, uses_limit: null, uses_limit_per_user: null, single_use: false,
    specific_products: false, product_classes: [], memberships: [], zones: [], products: [], categories: [],
  };
}

/** The SKU of bulk product `i` (1-based): `BENCH-0000001`, the form the Sage Pro sandbox's scale seed uses for its items. */
export function bulkSku(i: number): string {
  return `BENCH-${String(i).padStart(7, '0')}`;
}

/**
 * Appends `count` products (SKU `bulkSku(i)`, stock `i % 500`, stock tracked) for catalogue-scale
 * benchmarks, with every field of the real product output (classes/XLite/API/Endpoint/Product/DTO/
 * Output.php, as the seeded products above) and ids after the existing ones, as X-Cart assigns them.
 * Plain objects pushed in one loop: 100,000 take well under a second.
 */
export function addBulkProducts(data: SandboxData, count: number, now: number): void {
  if (!Number.isInteger(count) || count < 0) throw new Error(`sandbox: bulk product count must be a whole number, not ${String(count)}`);
  const created = rfc3339Date(now - 30 * DAY);
  const arrival = rfc3339Date(now - 30 * DAY - ((now - 30 * DAY) % DAY));
  for (let i = 1; i <= count; i++) {
    const id = nextId(data, 'product');
    const sku = bulkSku(i);
    data.products.push({
      id, sku, name: `Bench item ${i}`, description: `<p>Bench item ${i}.</p>`, brief_description: `Bench item ${i}`,
      meta_tags: '', meta_description: '', meta_title: '', price: 10 + (i % 90), enabled: true, weight: 0.5,
      separate_box: false, width: 0, length: 0, height: 0, free_shipping: false, taxable: true,
      create_date: created, update_date: created, arrival_date: arrival, inventory_traceable: true, amount: i % 500,
      product_class: null, tax_class: null, memberships: [], clean_url: sku.toLowerCase(), images: [],
      market_price: null, cost_price: null,
    });
  }
}

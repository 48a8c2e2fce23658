/**
 * Order logic of the X-Cart sandbox: placing an order (items, surcharges, coupon, stock) and
 * changing its statuses with the side effects the real store has (history entry, update_date bump,
 * stock returned on decline/cancel).
 */
import { type Json, type SandboxData, type StatusDef, isoDate, nextId, rfc3339Date, round2 } from './state.js';

export const TAX_RATE = 0.08;
/** VAT rate of the VAT-inclusive seeded orders (prices already contain it). */
export const VAT_RATE = 0.2;

/**
 * Payment methods by service name (the name X-Cart's API shows), with the name customers see.
 * Service names come from the modules' config/install.yaml, e.g. modules/XC/Stripe/config/install.yaml
 * (`Stripe`), modules/CDev/Paypal/config/install.yaml (`PaypalCommercePlatform`, `ExpressCheckout`),
 * modules/CDev/AuthorizeNet/config/install.yaml (`AuthorizeNet SIM`: names may contain spaces).
 */
export const PAYMENT_METHODS: Record<string, { id: number; local_name: string }> = {
  Stripe: { id: 11, local_name: 'Credit card (Stripe)' },
  PaypalCommercePlatform: { id: 12, local_name: 'PayPal' },
  ExpressCheckout: { id: 13, local_name: 'PayPal Express Checkout' },
  'AuthorizeNet SIM': { id: 14, local_name: 'Credit card (Authorize.Net)' },
};
export const DEFAULT_PAYMENT_METHOD = 'Stripe';
export const SHIPPING_FLAT = 9.95;

export interface PlaceOrderItem { sku: string; amount: number; price?: number; name?: string }
export interface PlaceOrderInput {
  email: string;
  items: PlaceOrderItem[];
  shipping_address?: Json;
  billing_address?: Json;
  coupon?: string;
  /** The payment method's service name (`Stripe`, `PaypalCommercePlatform`, `AuthorizeNet SIM`, ...). */
  payment_method?: string;
  /** Seed-only knobs. */
  /** Transaction type: `sale` (default) or `auth` (an authorisation). */
  payment_type?: 'sale' | 'auth';
  /** Backend capture of the authorisation: its type and the share of the total captured (status S). */
  capture?: { type: 'capture' | 'capturePart'; share: number };
  /** Prices include VAT at VAT_RATE (the tax surcharge is `include: true`). */
  vat_inclusive?: boolean;
  order_number?: string | null;
  payment_status?: string;
  shipping_status?: string;
  tracking_numbers?: string[];
  notes?: string;
}

export class SandboxInputError extends Error {}

export const PAYMENT_STATUSES: StatusDef[] = [
  { id: 1, code: 'Q', name: 'Awaiting payment', customer_name: 'Awaiting payment' },
  { id: 2, code: 'A', name: 'Authorized', customer_name: 'Authorized' },
  { id: 3, code: 'PP', name: 'Partially paid', customer_name: 'Partially paid' },
  { id: 4, code: 'P', name: 'Paid', customer_name: 'Paid' },
  { id: 5, code: 'D', name: 'Declined', customer_name: 'Declined' },
  { id: 6, code: 'C', name: 'Canceled', customer_name: 'Canceled' },
  { id: 7, code: 'R', name: 'Refunded', customer_name: 'Refunded' },
  // A custom status, as module XC\CustomOrderStatuses allows.
  { id: 8, code: 'CB', name: 'Chargeback', customer_name: 'Disputed' },
];

export const SHIPPING_STATUSES: StatusDef[] = [
  { id: 1, code: 'N', name: 'New', customer_name: 'New' },
  { id: 2, code: 'P', name: 'Processing', customer_name: 'Processing' },
  { id: 3, code: 'S', name: 'Shipped', customer_name: 'Shipped' },
  { id: 4, code: 'D', name: 'Delivered', customer_name: 'Delivered' },
  { id: 5, code: 'WND', name: 'Will not deliver', customer_name: 'Will not deliver' },
  { id: 6, code: 'R', name: 'Returned', customer_name: 'Returned' },
  { id: 7, code: 'WFA', name: 'Waiting for approve', customer_name: 'Processing' },
  { id: 8, code: 'NBA', name: 'New / Backordered', customer_name: 'New' },
  // A custom status.
  { id: 9, code: 'PUP', name: 'Ready for pickup', customer_name: 'Ready for pickup' },
];

function statusObject(defs: StatusDef[], code: string): Json {
  const def = defs.find((d) => d.code === code);
  if (!def) throw new SandboxInputError(`Status code '${code}' is invalid`);
  return { ...def };
}

function findProductBySku(data: SandboxData, sku: string): { product?: Json; variant?: Json } {
  const product = data.products.find((p) => p.sku === sku);
  if (product) return { product };
  for (const [pid, vs] of Object.entries(data.variants)) {
    const variant = vs.find((v) => v.sku === sku);
    if (variant) return { product: data.products.find((p) => p.id === Number(pid)), variant };
  }
  return {};
}

function defaultAddress(data: SandboxData, email: string, profileId: number | undefined, billing: boolean): Json | null {
  if (profileId !== undefined) {
    const list = data.addresses[String(profileId)] ?? [];
    const a = list.find((x) => (billing ? x.is_billing : x.is_shipping)) ?? list[0];
    if (a) return { ...a };
  }
  const local = email.split('@')[0] ?? 'guest';
  return {
    id: nextId(data, 'address'), is_billing: billing, is_shipping: !billing, is_work: false, type: '', title: '',
    firstname: local.charAt(0).toUpperCase() + local.slice(1), lastname: 'Guest', phone: '', street: '1 Guest Street',
    zipcode: '10001', city: 'New York', country_code: 'US', state: 38, state_name: 'New York', custom_fields: [],
  };
}

function normaliseAddress(data: SandboxData, a: Json, billing: boolean): Json {
  return {
    id: nextId(data, 'address'), is_billing: billing, is_shipping: !billing, is_work: false, type: '', title: '',
    firstname: '', lastname: '', phone: '', street: '', zipcode: '', city: '', country_code: 'US', state: null,
    state_name: null, custom_fields: [], ...a,
  };
}

/** Checks the shape of a POST /sandbox/orders body; throws SandboxInputError with a message. */
export function checkPlaceOrderInput(body: unknown): PlaceOrderInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new SandboxInputError('body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(b.email)) throw new SandboxInputError('email must be an email address');
  if (!Array.isArray(b.items) || b.items.length === 0) throw new SandboxInputError('items must be a non-empty array');
  b.items.forEach((it: unknown, i: number) => {
    const x = it as Record<string, unknown> | null;
    if (!x || typeof x !== 'object') throw new SandboxInputError(`items[${i}] must be an object`);
    if (typeof x.sku !== 'string' || x.sku === '') throw new SandboxInputError(`items[${i}].sku must be a non-empty string`);
    if (!Number.isInteger(x.amount) || (x.amount as number) < 1) throw new SandboxInputError(`items[${i}].amount must be a positive integer`);
    if (x.price !== undefined && (typeof x.price !== 'number' || x.price < 0)) throw new SandboxInputError(`items[${i}].price must be a non-negative number`);
    if (x.name !== undefined && typeof x.name !== 'string') throw new SandboxInputError(`items[${i}].name must be a string`);
  });
  for (const k of ['shipping_address', 'billing_address'] as const) {
    if (b[k] !== undefined && (b[k] === null || typeof b[k] !== 'object' || Array.isArray(b[k]))) throw new SandboxInputError(`${k} must be an object`);
  }
  for (const k of ['coupon', 'payment_method'] as const) {
    if (b[k] !== undefined && typeof b[k] !== 'string') throw new SandboxInputError(`${k} must be a string`);
  }
  return b as unknown as PlaceOrderInput;
}

/** Places an order (or a cart when order_number is null) and returns it. */
export function placeOrder(data: SandboxData, input: PlaceOrderInput, now: number): Json {
  const date = isoDate(now);
  const orderId = nextId(data, 'order');
  const isCart = input.order_number === null;
  const registered = data.profiles.find((p) => !isAnonymous(data, p) && String(p.login).toLowerCase() === input.email.toLowerCase());
  // A guest checkout attaches an anonymous profile to the order, so customer_id is never null for a
  // placed order (classes/XLite/Controller/Customer/Checkout.php, mergeAnonymousProfile; ProfileOutput
  // has no "anonymous" flag). The sandbox keeps which profiles are anonymous in data.anonymousProfiles.
  const customerId = registered ? (registered.id as number) : anonymousProfile(data, input.email, date).id as number;
  // Carts hold no stock; seeded declined/canceled orders already gave theirs back.
  const holdsStock = !isCart && !['D', 'C'].includes(input.payment_status ?? 'Q');
  const items: Json[] = input.items.map((it) => {
    const { product, variant } = findProductBySku(data, it.sku);
    const price = round2(it.price ?? (variant && variant.default_price === false ? (variant.price as number) : (product?.price as number | undefined)) ?? 0);
    if (holdsStock && product && product.inventory_traceable) {
      if (variant && variant.default_amount === false) variant.amount = (variant.amount as number) - it.amount;
      else { product.amount = (product.amount as number) - it.amount; product.update_date = rfc3339Date(now); }
    }
    return {
      id: nextId(data, 'orderItem'), product_id: product ? product.id : null, sku: it.sku, update_date: date,
      name: it.name ?? (product?.name as string | undefined) ?? it.sku, price, item_net_price: price,
      discounted_subtotal: round2(price * it.amount), amount: it.amount, backordered_amount: 0, surcharges: [],
      variant: variant ? variant.id : null,
    };
  });
  const subTotal = round2(items.reduce((s, i) => s + (i.discounted_subtotal as number), 0));

  const usedCoupons: Json[] = [];
  let discount = 0;
  let shipping = SHIPPING_FLAT;
  let couponRow: Json | undefined;
  if (input.coupon) {
    couponRow = data.coupons.find((c) => String(c.code).toLowerCase() === input.coupon!.toLowerCase() && c.enabled);
    if (!couponRow) throw new SandboxInputError(`coupon '${input.coupon}' does not exist`);
    if (couponRow.type === '%') discount = round2(subTotal * (couponRow.value as number) / 100);
    else if (couponRow.type === '$') discount = Math.min(subTotal, couponRow.value as number);
    else shipping = 0;
  }
  // VAT-inclusive stores: the tax is already inside the item prices, so its surcharge has
  // include: true and is not added to the total (classes/XLite/Model/Base/Surcharge.php `include`).
  const vat = input.vat_inclusive === true;
  const tax = vat ? round2((subTotal - discount) * VAT_RATE / (1 + VAT_RATE)) : round2((subTotal - discount) * TAX_RATE);
  const surcharges: Json[] = [
    { id: nextId(data, 'surcharge'), type: 'shipping', code: 'SHIPPING', class: 'XLite\\Logic\\Order\\Modifier\\Shipping',
      include: false, available: true, value: shipping, name: 'Shipping cost', weight: 0 },
    vat
      ? { id: nextId(data, 'surcharge'), type: 'tax', code: 'CDEV.STAX.2', class: 'CDev\\SalesTax\\Logic\\Order\\Modifier\\Tax',
          include: true, available: true, value: tax, name: 'VAT', weight: 0 }
      : { id: nextId(data, 'surcharge'), type: 'tax', code: 'CDEV.STAX.1', class: 'CDev\\SalesTax\\Logic\\Order\\Modifier\\Tax',
          include: false, available: true, value: tax, name: 'Sales tax', weight: 0 },
  ];
  if (couponRow) {
    usedCoupons.push({ id: nextId(data, 'usedCoupon'), code: couponRow.code, value: discount, type: couponRow.type, coupon_id: couponRow.id });
    if (discount > 0) {
      surcharges.push({ id: nextId(data, 'surcharge'), type: 'discount', code: 'DCOUPON', class: 'CDev\\Coupons\\Logic\\Order\\Modifier\\Discount',
        include: false, available: true, value: -discount, name: 'Coupon discount', weight: 0 });
    }
  }
  const total = round2(subTotal - discount + shipping + (vat ? 0 : tax));

  const orderNumber = isCart ? null : input.order_number ?? String(data.nextOrderNumber++);
  const order: Json = {
    id: orderId,
    order_number: orderNumber,
    total,
    sub_total: subTotal,
    email: input.email,
    items,
    billing_address: input.billing_address ? normaliseAddress(data, input.billing_address, true) : defaultAddress(data, input.email, customerId, true),
    shipping_address: input.shipping_address ? normaliseAddress(data, input.shipping_address, false) : defaultAddress(data, input.email, customerId, false),
    create_date: date,
    update_date: date,
    payment_status: statusObject(data.paymentStatuses, input.payment_status ?? 'Q'),
    shipping_status: statusObject(data.shippingStatuses, input.shipping_status ?? 'N'),
    customer_id: customerId,
    order_profile_id: nextId(data, 'profile'),
    shipping_id: 3,
    shipping_method_name: 'Courier',
    notes: input.notes ?? '',
    admin_notes: '',
    currency: 'USD',
    stock_status: isCart ? '' : holdsStock ? 'reduced' : 'increased',
    surcharges,
    tracking_numbers: (input.tracking_numbers ?? []).map((value) => ({ id: nextId(data, 'tracking'), date, value })),
    used_coupons: usedCoupons,
  };
  data.orders.push(order);
  if (!isCart) {
    data.transactions[String(orderId)] = [paymentTransaction(data, orderId, input, total, date)];
    data.history[String(orderId)] = [{
      id: nextId(data, 'history'), date, code: 'PLACE_ORDER', description: 'Order placed', data: [], comment: '',
      profile_id: customerId, profile_name: input.email, ip: '127.0.0.1', details: [],
    }];
  }
  return order;
}

export type StatusKind = 'payment' | 'shipping';

/**
 * Sets a status by code. Returns false when the order already had that code (no change, no bump).
 * Throws SandboxInputError for an unknown code, with X-Cart's messages.
 */
export function setOrderStatus(data: SandboxData, order: Json, kind: StatusKind, code: unknown, now: number): boolean {
  const defs = kind === 'payment' ? data.paymentStatuses : data.shippingStatuses;
  const def = typeof code === 'string' ? defs.find((d) => d.code === code) : undefined;
  if (!def) throw new SandboxInputError(`Status code '${String(code)}' is ${kind === 'payment' ? 'invalid' : 'wrong'}`);
  const field = kind === 'payment' ? 'payment_status' : 'shipping_status';
  const old = order[field] as StatusDef | null;
  if (old && old.code === def.code) return false;
  const date = isoDate(now);
  order[field] = { ...def };
  order.update_date = date;
  // Stock goes back when an order with reduced stock is declined or canceled (order_status_property matrix, simplified).
  if (kind === 'payment' && (def.code === 'D' || def.code === 'C') && order.stock_status === 'reduced') {
    for (const it of order.items as Json[]) {
      const p = data.products.find((x) => x.id === it.product_id);
      if (!p || !p.inventory_traceable) continue;
      const v = it.variant != null ? (data.variants[String(p.id)] ?? []).find((x) => x.id === it.variant) : undefined;
      if (v && v.default_amount === false) v.amount = (v.amount as number) + (it.amount as number);
      else { p.amount = (p.amount as number) + (it.amount as number); p.update_date = rfc3339Date(now); }
    }
    order.stock_status = 'increased';
  }
  const list = (data.history[String(order.id)] ??= []);
  list.push({
    id: nextId(data, 'history'), date, code: kind === 'payment' ? 'CHANGE_PAYMENT_STATUS_ORDER' : 'CHANGE_SHIPPING_STATUS_ORDER',
    description: `Order ${kind} status changed from ${old ? old.name : '(none)'} to ${def.name}`,
    data: [{ name: 'oldStatus', value: old ? old.code : null }, { name: 'newStatus', value: def.code }], comment: '',
    profile_id: null, profile_name: 'API', ip: '127.0.0.1', details: [],
  });
  return true;
}

/**
 * The order's payment transaction as GET /api/orders/{id}/payment_transactions shows it.
 * `status` is the payment method's name, not a status code: the real output transformer sets
 * `$dto->status = $object->getMethodName()` (classes/XLite/API/Endpoint/OrderPaymentTransaction/
 * Transformer/OutputTransformer.php:41). The S/W/F codes appear only in backend_transactions[].status
 * (.../Transformer/BackendTransaction/OutputTransformer.php). A captured authorisation keeps
 * `type = auth`; the capture is a backend transaction of type capture / capturePart / captureMulti
 * (classes/XLite/Model/Payment/BackendTransaction.php).
 */
function paymentTransaction(data: SandboxData, orderId: number, input: PlaceOrderInput, total: number, date: string): Json {
  const name = input.payment_method ?? DEFAULT_PAYMENT_METHOD;
  const method = PAYMENT_METHODS[name];
  const backend: Json[] = [];
  if (input.capture) {
    backend.push({
      id: nextId(data, 'backendTransaction'), type: input.capture.type, date, status: 'S',
      value: round4(total * input.capture.share), data: [],
    });
  }
  return {
    id: nextId(data, 'transaction'), public_id: `TX${String(orderId).padStart(6, '0')}`, public_txn_id: null,
    method_id: method ? method.id : null, type: input.payment_type ?? 'sale', date, status: name, name,
    local_name: method ? method.local_name : name, currency: 'USD', value: total, note: '', data: [],
    backend_transactions: backend,
  };
}

/** Money columns are decimal(14,4). */
function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

export function isAnonymous(data: SandboxData, p: Json): boolean {
  return (data.anonymousProfiles ?? []).includes(p.id as number);
}

/** The anonymous profile of a guest's email (created at the first guest checkout). */
function anonymousProfile(data: SandboxData, email: string, date: string): Json {
  const anon = (data.anonymousProfiles ??= []);
  const found = data.profiles.find((p) => anon.includes(p.id as number) && String(p.login).toLowerCase() === email.toLowerCase());
  if (found) return found;
  const p: Json = {
    id: nextId(data, 'profile'), login: email, access_level: 0, create_date: profileDate(date), first_login_date: null,
    last_login_date: null, status: 'E', status_comment: '', referer: '', language: 'en', membership_id: null,
    pending_membership_id: null, force_change_password: false, role_ids: [],
  };
  data.profiles.push(p);
  anon.push(p.id as number);
  data.addresses[String(p.id)] = [];
  return p;
}

/** Profile dates use a `+00:00` offset (orders use `+0000`). */
export function profileDate(orderStyle: string): string {
  return orderStyle.replace(/\+0000$/, '+00:00');
}

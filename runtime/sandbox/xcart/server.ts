/**
 * X-Cart 5.5+ sandbox: a real node:http server that answers the admin REST API endpoints the
 * connector uses, with the same shapes (bare JSON arrays, snake_case, `+0000` dates), the same
 * token rules (read token: GET only; write token: everything) and persistent state.
 *
 * Everything under /sandbox/ is NOT part of X-Cart's API: it places orders (X-Cart's API cannot),
 * switches faults on and off, resets the state. Event push (`push`) is NOT an X-Cart feature either:
 * it stands in for a custom X-Cart module that posts signed events (see xcart-api.md §6).
 */
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type Json, type SandboxData, isoDate, loadState, nextId, parseDate, rfc3339Date, saveState, STATE_FILE, DEFAULT_ADDITIONAL_ADDRESS_FIELDS } from './state.js';
import { addBulkProducts, seedData } from './seed.js';
import { SandboxInputError, checkPlaceOrderInput, isAnonymous, placeOrder, setOrderStatus } from './orders.js';
import { addConnectModuleRoutes } from './connect-module.js';
import { checkRefundInput, refundOrder } from './refunds.js';

/** The X-Cart versions the sandbox imitates. */
export const XCART_VERSIONS = ['5.5.0', '5.5.1'] as const;
export type XcartVersion = (typeof XCART_VERSIONS)[number];

export interface FaultSwitches {
  /** Added delay before every /api/ answer, in ms. */
  latencyMs: number;
  /** Share (0..1) of /api/ requests answered with 503. */
  errorRate: number;
  /** Every n-th /api/ request is answered 429 with Retry-After; null = off. */
  rateLimit: { every: number; retryAfterSeconds: number } | null;
  /** Share (0..1) of /api/ requests whose connection is destroyed without an answer. */
  dropRate: number;
  /** /api/ answers 200 with an HTML page (a maintenance or proxy page) instead of JSON. */
  htmlPage: boolean;
  /** /api/ answers 200 application/json whose body is cut in the middle. */
  truncatedJson: boolean;
  /**
   * Orders whose first item's product is deleted: the API cannot serialise them and answers 500 for
   * the order and for every /api/orders page that holds it.
   */
  deletedProductOrders: number[];
}

const NO_FAULTS: FaultSwitches = { latencyMs: 0, errorRate: 0, rateLimit: null, dropRate: 0, htmlPage: false, truncatedJson: false, deletedProductOrders: [] };

export interface PushEventRecord { type: string; id: number; status: number | 'error'; error?: string }

export interface XcartSandboxStateHandle {
  /** The live data the server answers from; edit it and call save() to corrupt or tweak it in tests. */
  readonly data: SandboxData;
  /** Path of the JSON state file. */
  readonly file: string;
  /** Writes the state file now (atomically). */
  save(): void;
}

export interface XcartSandboxOptions {
  port: number;
  host?: string;
  readToken?: string;
  writeToken?: string;
  stateDir: string;
  push?: { url: string; secret: string };
  /** Clock for dates (ms since epoch); tests pass a controllable one. Default Date.now. */
  now?: () => number;
  /**
   * Which X-Cart version to imitate. Default 5.5.0 (the 5.5.0.29 source): no `lastRenewDate[...]`
   * filter. 5.5.1 adds that filter (5.5.1 API docs); everything else behaves the same.
   */
  xcartVersion?: XcartVersion;
  /**
   * Whether `/api/orders` honours the `lastRenewDate[...]` filters. Default: true on 5.5.1, false on
   * 5.5.0, which ignores the unknown parameter and returns every order.
   */
  lastRenewDateFilter?: boolean;
  /** Bulk products (seed.ts addBulkProducts, SKUs BENCH-0000001...) added to a new store's seed. Default 0. */
  products?: number;
  /**
   * When the state file is written: after every change (default), or only on close(), for stores of
   * catalogue size, where rewriting the whole state on every PUT would dwarf the request itself.
   */
  persist?: 'every-write' | 'on-close';
  /**
   * Whether the store has the Connect X-Cart module (xcart-module/): its endpoints under
   * /api/connect/ (connect-module.ts). Default false: those paths are 404, as on a store without it.
   */
  connectModule?: boolean;
}

export interface XcartSandbox {
  url: string;
  /** The X-Cart version imitated. */
  version: XcartVersion;
  readToken: string;
  writeToken: string;
  close(): Promise<void>;
  faults: FaultSwitches;
  state: XcartSandboxStateHandle;
  /** Outcome of every push attempt, newest last (memory only). */
  pushes: PushEventRecord[];
  /** Resolves when every push started so far has finished. */
  flushPushes(): Promise<void>;
  /** /api/ requests received since start, by method and path without the query (`GET /api/products`); never reset. */
  requests: Map<string, number>;
  /** Whether the Connect module's endpoints answer; switch it to install or remove the module. */
  connectModule: { installed: boolean };
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) { super(message); }
}

const MAX_ITEMS_PER_PAGE = 100;
const DEFAULT_ITEMS_PER_PAGE = 30;

type Handler = (req: Ctx) => unknown | Promise<unknown>;
interface Ctx {
  method: string;
  params: string[];
  query: URLSearchParams;
  body: unknown;
  write: boolean;
}
interface Route { method: string; re: RegExp; handler: Handler; status?: number }

export async function startXcartSandbox(opts: XcartSandboxOptions): Promise<XcartSandbox> {
  const now = opts.now ?? Date.now;
  const readToken = opts.readToken ?? 'read-' + crypto.randomBytes(12).toString('hex');
  const writeToken = opts.writeToken ?? 'write-' + crypto.randomBytes(12).toString('hex');
  const version: XcartVersion = opts.xcartVersion ?? '5.5.0';
  if (!XCART_VERSIONS.includes(version)) throw new Error(`xcartVersion must be one of ${XCART_VERSIONS.join(', ')}, not '${String(version)}'`);
  // 5.5.0.29: classes/XLite/Model/Order.php declares only IntegerDateFilter(date), OrderFilter(date,
  // lastRenewDate) and SearchFilter(paymentStatus.code, shippingStatus.code, profile.login); an unknown
  // lastRenewDate[after] is ignored. The 5.5.1 docs list lastRenewDate[before|after|...].
  const lastRenewFilter = opts.lastRenewDateFilter ?? version !== '5.5.0';
  fs.mkdirSync(opts.stateDir, { recursive: true });

  let data: SandboxData = loadState(opts.stateDir) ?? (() => {
    const d = seedData(now());
    if (opts.products) addBulkProducts(d, opts.products, now());
    return d;
  })();
  const saveNow = () => saveState(opts.stateDir, data);
  const save = opts.persist === 'on-close' ? () => undefined : saveNow;
  save();

  const faults: FaultSwitches = { ...NO_FAULTS, deletedProductOrders: [] };
  let apiRequests = 0;
  const requests = new Map<string, number>();
  const pushes: PushEventRecord[] = [];
  const pending = new Set<Promise<void>>();

  function push(type: string, id: number, payload: Json): void {
    if (!opts.push) return;
    const { url, secret } = opts.push;
    const body = JSON.stringify({ type, id, occurred_at: isoDate(now()), data: payload });
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = crypto.createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    const p = fetch(url, {
      method: 'POST', body,
      headers: { 'content-type': 'application/json', 'x-connect-timestamp': ts, 'x-connect-signature': `sha256=${sig}` },
      signal: AbortSignal.timeout(10_000),
    }).then(async (res) => { await res.arrayBuffer().catch(() => undefined); pushes.push({ type, id, status: res.status }); },
      (err: unknown) => { pushes.push({ type, id, status: 'error', error: (err as Error).message }); })
      .finally(() => { pending.delete(p); });
    pending.add(p);
  }

  // ---- helpers --------------------------------------------------------------------------------
  const idParam = (s: string | undefined): number => {
    if (!s || !/^\d+$/.test(s)) throw new HttpError(404, 'Not Found');
    return Number(s);
  };
  // Carts live in the order table, but the order repository adds `NOT INSTANCE OF XLite\Model\Cart`
  // to every query (classes/XLite/Model/Repo/Order.php:175-184): /api/orders never lists a cart and
  // GET /api/orders/{cartId} is 404.
  const order = (id: number, carts = false): Json => {
    const o = data.orders.find((x) => x.id === id && (carts ? x.order_number === null : x.order_number !== null));
    if (!o) throw new HttpError(404, 'Not Found');
    return o;
  };
  // Status sub-resources look the order up themselves and throw InvalidArgumentException, which the
  // API answers 400 (classes/XLite/API/Endpoint/OrderPaymentStatus/DataProvider/ItemDataProvider.php:40,
  // and OrderShippingStatus/DataProvider/ItemDataProvider.php).
  const statusOrder = (s: string | undefined): Json => {
    const id = idParam(s);
    const o = data.orders.find((x) => x.id === id && x.order_number !== null);
    if (!o) throw new HttpError(400, `Order with ID ${id} not found`);
    return o;
  };
  // OrderItemOutput::$product_id is a non-null int (classes/XLite/API/Endpoint/Order/DTO/OrderItem/
  // OrderItemOutput.php); an item whose product was deleted yields a stub with a null id, so the
  // serializer throws and the API answers 500 for the order and for any page that holds it.
  const serialisable = (o: Json): Json => {
    const items = (o.items as Json[] | undefined) ?? [];
    if (faults.deletedProductOrders.includes(o.id as number) || items.some((i) => i.product_id === null)) {
      throw new HttpError(500, 'Internal Server Error');
    }
    return o;
  };
  // Where each product id sits in data.products; checked on every use and rebuilt when the list moved
  // (tests edit data directly), so a catalogue of 100,000 is not searched per request.
  let productAt = new Map<number, number>();
  const product = (id: number): Json => {
    let i = productAt.get(id);
    if (i === undefined || data.products[i]?.id !== id) {
      productAt = new Map(data.products.map((x, k) => [x.id as number, k]));
      i = productAt.get(id);
    }
    const p = i === undefined ? undefined : data.products[i];
    if (!p) throw new HttpError(404, 'Not Found');
    return p;
  };
  const profileById = (id: number): Json => {
    const p = data.profiles.find((x) => x.id === id);
    if (!p) throw new HttpError(404, 'Not Found');
    return p;
  };
  const objectBody = (body: unknown): Json => {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'Input validations failed: body must be a JSON object');
    return body as Json;
  };
  function paginate<T>(list: T[], q: URLSearchParams): T[] {
    const page = q.has('page') ? Number(q.get('page')) : 1;
    if (!Number.isInteger(page) || page < 1) throw new HttpError(400, 'Page should not be less than 1');
    let per = q.has('itemsPerPage') ? Number(q.get('itemsPerPage')) : DEFAULT_ITEMS_PER_PAGE;
    if (!Number.isInteger(per) || per < 0) throw new HttpError(400, 'Item per page parameter should not be less than 0');
    per = Math.min(per, MAX_ITEMS_PER_PAGE);
    return list.slice((page - 1) * per, page * per);
  }
  function dateFilter(list: Json[], q: URLSearchParams, param: string, field: string): Json[] {
    for (const [op, cmp] of [
      ['after', (a: number, b: number) => a >= b], ['strictly_after', (a: number, b: number) => a > b],
      ['before', (a: number, b: number) => a <= b], ['strictly_before', (a: number, b: number) => a < b],
    ] as const) {
      const raw = q.get(`${param}[${op}]`);
      if (raw === null) continue;
      const bound = parseDate(raw);
      if (bound === undefined) continue; // API Platform ignores unparsable dates
      const b = Math.floor(bound / 1000);
      list = list.filter((o) => cmp(Math.floor(parseDate(String(o[field]))! / 1000), b));
    }
    return list;
  }
  function sortBy(list: Json[], q: URLSearchParams, param: string, field: string): Json[] {
    const dir = q.get(`order[${param}]`);
    if (dir !== 'asc' && dir !== 'desc') return list;
    const sign = dir === 'asc' ? 1 : -1;
    return [...list].sort((a, b) => sign * (parseDate(String(a[field]))! - parseDate(String(b[field]))!) || sign * ((a.id as number) - (b.id as number)));
  }
  const updateProduct = (p: Json, body: Json, fields: Record<string, 'int' | 'number' | 'bool' | 'string'>) => {
    for (const [k, t] of Object.entries(fields)) {
      if (!(k in body)) continue;
      const v = body[k];
      const ok = t === 'int' ? Number.isInteger(v) : t === 'number' ? typeof v === 'number' : t === 'bool' ? typeof v === 'boolean' : typeof v === 'string';
      if (!ok) throw new HttpError(400, `Input validations failed: ${k}: This value should be of type ${t}.`);
    }
    for (const k of Object.keys(fields)) if (k in body) p[k] = body[k];
  };

  // ---- routes ---------------------------------------------------------------------------------
  const routes: Route[] = [];
  const get = (re: RegExp, handler: Handler) => routes.push({ method: 'GET', re, handler });
  const put = (re: RegExp, handler: Handler) => routes.push({ method: 'PUT', re, handler });
  const post = (re: RegExp, handler: Handler) => routes.push({ method: 'POST', re, handler, status: 201 });

  // The Connect X-Cart module's endpoints, only when the store has it (connect-module.ts).
  const connectModule = { installed: opts.connectModule === true };
  addConnectModuleRoutes({
    data: () => data, now, save, installed: () => connectModule.installed,
    fail: (status, message) => { throw new HttpError(status, message); },
    get, put, post,
  });

  // Orders
  get(/^\/api\/orders$/, ({ query }) => {
    let list = data.orders.filter((o) => o.order_number !== null);
    list = dateFilter(list, query, 'date', 'create_date');
    if (lastRenewFilter) list = dateFilter(list, query, 'lastRenewDate', 'update_date');
    for (const [param, field] of [['paymentStatus.code', 'payment_status'], ['shippingStatus.code', 'shipping_status']] as const) {
      const codes = [...query.getAll(param), ...query.getAll(param + '[]')];
      if (codes.length) list = list.filter((o) => codes.includes(String((o[field] as Json | null)?.code)));
    }
    const login = query.get('profile.login');
    if (login) list = list.filter((o) => String(o.email).toLowerCase().includes(login.toLowerCase()));
    list = sortBy(list, query, 'date', 'create_date');
    list = sortBy(list, query, 'lastRenewDate', 'update_date');
    return paginate(list, query).map(serialisable);
  });
  get(/^\/api\/orders\/by_number\/(\w+)$/, ({ params }) => {
    const o = data.orders.find((x) => x.order_number !== null && x.order_number === params[0]);
    if (!o) throw new HttpError(404, 'Not Found');
    return serialisable(o);
  });
  get(/^\/api\/orders\/([^/]+)$/, ({ params }) => serialisable(order(idParam(params[0]))));
  for (const kind of ['payment', 'shipping'] as const) {
    const re = new RegExp(`^/api/orders/([^/]+)/${kind}_status$`);
    get(re, ({ params }) => statusOrder(params[0])[`${kind}_status`]);
    put(re, ({ params, body }) => {
      const o = statusOrder(params[0]);
      const b = objectBody(body);
      try {
        if (setOrderStatus(data, o, kind, b.code, now())) {
          save();
          push('order.updated', o.id as number, o);
        }
      } catch (e) {
        if (e instanceof SandboxInputError) throw new HttpError(400, e.message);
        throw e;
      }
      return o[`${kind}_status`];
    });
  }
  get(/^\/api\/orders\/([^/]+)\/payment_transactions$/, ({ params, query }) => {
    const o = order(idParam(params[0]));
    return paginate(data.transactions[String(o.id)] ?? [], query);
  });
  get(/^\/api\/orders\/([^/]+)\/history$/, ({ params, query }) => {
    const o = order(idParam(params[0]));
    return paginate(data.history[String(o.id)] ?? [], query);
  });
  get(/^\/api\/orders\/([^/]+)\/details$/, ({ params }) => {
    order(idParam(params[0]));
    return [];
  });
  get(/^\/api\/carts$/, ({ query }) => paginate(data.orders.filter((o) => o.order_number === null), query));
  get(/^\/api\/carts\/([^/]+)$/, ({ params }) => order(idParam(params[0]), true));

  // Products and variants
  get(/^\/api\/products$/, ({ query }) => {
    let list = data.products;
    for (const f of ['name', 'price', 'arrivalDate'] as const) {
      const dir = query.get(`order[${f}]`);
      if (dir !== 'asc' && dir !== 'desc') continue;
      const key = f === 'arrivalDate' ? 'arrival_date' : f;
      const sign = dir === 'asc' ? 1 : -1;
      list = [...list].sort((a, b) => sign * (a[key]! < b[key]! ? -1 : a[key]! > b[key]! ? 1 : 0));
    }
    return paginate(list, query);
  });
  get(/^\/api\/products\/([^/]+)$/, ({ params }) => product(idParam(params[0])));
  put(/^\/api\/products\/([^/]+)$/, ({ params, body }) => {
    const p = product(idParam(params[0]));
    const b = objectBody(body);
    if ('sku' in b && (typeof b.sku !== 'string' || b.sku.length < 1 || b.sku.length > 32)) throw new HttpError(400, 'Input validations failed: sku: This value should have 1 to 32 characters.');
    updateProduct(p, b, {
      sku: 'string', name: 'string', description: 'string', brief_description: 'string', price: 'number', enabled: 'bool',
      weight: 'number', amount: 'int', inventory_traceable: 'bool', free_shipping: 'bool', taxable: 'bool',
      market_price: 'number', cost_price: 'number',
    });
    p.update_date = rfc3339Date(now());
    // The real input transformer resets arrival_date to midnight on every PUT.
    const arrival = parseDate(String(p.arrival_date)) ?? now();
    p.arrival_date = rfc3339Date(arrival - (arrival % 86_400_000));
    save();
    return p;
  });
  // Create: classes/XLite/API/Endpoint/Product/DTO/Input.php (sku 1..32 and name 1..255 required,
  // price >= 0; amount defaults to 1000 and enabled to true when not given).
  post(/^\/api\/products$/, ({ body }) => {
    const b = objectBody(body);
    if (typeof b.sku !== 'string' || b.sku.length < 1 || b.sku.length > 32) throw new HttpError(400, 'Input validations failed: sku: This value should have 1 to 32 characters.');
    if (typeof b.name !== 'string' || b.name.trim().length < 1 || b.name.length > 255) throw new HttpError(400, 'Input validations failed: name: This value should not be blank.');
    if ('price' in b && (typeof b.price !== 'number' || b.price < 0)) throw new HttpError(400, 'Input validations failed: price: This value should be either positive or zero.');
    const date = rfc3339Date(now());
    const p: Json = {
      id: nextId(data, 'product'), sku: b.sku, name: b.name, description: '', brief_description: '', meta_tags: '', meta_description: '',
      meta_title: '', price: 0, enabled: true, weight: 0, separate_box: false, width: 0, length: 0, height: 0, free_shipping: false,
      taxable: true, create_date: date, update_date: date, arrival_date: rfc3339Date(now() - (now() % 86_400_000)), inventory_traceable: true,
      amount: 1000, product_class: null, tax_class: null, memberships: [], clean_url: String(b.sku).toLowerCase(), images: [],
      market_price: null, cost_price: null,
    };
    updateProduct(p, b, {
      description: 'string', brief_description: 'string', price: 'number', enabled: 'bool', weight: 'number', amount: 'int',
      inventory_traceable: 'bool', free_shipping: 'bool', taxable: 'bool',
    });
    data.products.push(p);
    save();
    return p;
  });
  // Variants: the ProductVariants module's resource (modules/XC/ProductVariants/src/Model/ProductVariant.php,
  // @ApiResource: GET/POST /products/{product_id}/variants, GET/PUT/DELETE /products/{product_id}/variants/{id}).
  // There is no SKU filter and no top-level variant collection: a client finds a variant by SKU by
  // listing each product's variants. The product resource says nothing about variants
  // (classes/XLite/API/Endpoint/Product/DTO/Output.php has no variant field).
  // A missing product: ItemNotFoundException 'Product with ID %d not found', answered 404
  // (API/Endpoint/ProductVariant/DataProvider/CollectionDataProvider.php and ItemDataProvider.php).
  const variantProduct = (pid: string | undefined): Json => {
    const id = idParam(pid);
    try { return product(id); } catch { throw new HttpError(404, `Product with ID ${id} not found`); }
  };
  get(/^\/api\/products\/([^/]+)\/variants$/, ({ params, query }) => {
    const p = variantProduct(params[0]);
    return paginate(data.variants[String(p.id)] ?? [], query);
  });
  const variantOf = (pid: string | undefined, vid: string | undefined): Json => {
    const p = variantProduct(pid);
    // SubExtension.php adds `product = :product_id` to the item query: another product's variant id is 404.
    const v = (data.variants[String(p.id)] ?? []).find((x) => x.id === idParam(vid));
    if (!v) throw new HttpError(404, 'Not Found');
    return v;
  };
  get(/^\/api\/products\/([^/]+)\/variants\/([^/]+)$/, ({ params }) => variantOf(params[0], params[1]));
  // PUT: DTO/ProductVariantUpdate.php (price, default_price, amount, default_amount, weight,
  // default_weight, default_variant, sku, image; no attribute values), pre-filled from the stored
  // variant by Transformer/InputTransformer.php `initialize`, so fields left out are kept. A price
  // counts only with default_price false, a stock only with default_amount false (Model/ProductVariant.php
  // getClearPrice, getPublicAmount). A SKU another variant has: InvalidArgumentException 'SKU must
  // be unique' (400); a SKU is cut to 32 characters (Model/ProductVariant.php setSku). default_variant
  // true clears it on the product's other variants (Controller/API/ProductVariant/Put.php).
  put(/^\/api\/products\/([^/]+)\/variants\/([^/]+)$/, ({ params, body }) => {
    const v = variantOf(params[0], params[1]);
    const b = objectBody(body);
    const fields = {
      amount: 'int', default_amount: 'bool', price: 'number', default_price: 'bool', weight: 'number', default_weight: 'bool',
      default_variant: 'bool',
    } as const;
    if ('sku' in b && b.sku !== null && typeof b.sku !== 'string') throw new HttpError(400, 'Input validations failed: sku: This value should be of type string.');
    const sku = 'sku' in b ? (b.sku === null || b.sku === '' ? null : (b.sku as string).slice(0, 32)) : undefined;
    if (sku) {
      const clash = Object.values(data.variants).flat().find((x) => x.sku === sku && x.id !== v.id);
      if (clash) throw new HttpError(400, 'SKU must be unique');
    }
    // Only weight has a constraint (@Assert\PositiveOrZero in ProductVariantUpdate.php); a negative
    // price is taken as it is.
    if (typeof b.weight === 'number' && b.weight < 0) throw new HttpError(400, 'Input validations failed: weight: This value should be either positive or zero.');
    updateProduct(v, b, fields);
    if (sku !== undefined) v.sku = sku;
    const p = product(idParam(params[0]));
    if (v.default_variant === true) for (const o of data.variants[String(p.id)] ?? []) if (o !== v) o.default_variant = false;
    p.update_date = rfc3339Date(now());
    save();
    return v;
  });

  // Profiles and addresses
  get(/^\/api\/profiles$/, ({ query }) => {
    const login = query.get('login');
    const list = login ? data.profiles.filter((p) => String(p.login).toLowerCase().includes(login.toLowerCase())) : data.profiles;
    return paginate(list, query);
  });
  get(/^\/api\/profiles\/([^/]+)$/, ({ params }) => profileById(idParam(params[0])));
  const checkProfileBody = (b: Json, creating: boolean, selfId?: number) => {
    if (creating || 'login' in b) {
      if (typeof b.login !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(b.login)) throw new HttpError(400, 'Input validations failed: login: This value is not a valid email address.');
      // classes/XLite/API/InputRule/SubRule/CheckUniqueField.php:55. Anonymous (guest) profiles are
      // not counted (an assumption: a guest may register later with the same email).
      const clash = data.profiles.find((p) => !isAnonymous(data, p) && String(p.login).toLowerCase() === String(b.login).toLowerCase() && p.id !== selfId);
      if (clash) throw new HttpError(400, 'Field "login" must be unique');
    }
    for (const k of ['access_level', 'membership_id'] as const) {
      if (k in b && b[k] !== null && !Number.isInteger(b[k])) throw new HttpError(400, `Input validations failed: ${k}: This value should be of type int.`);
    }
    if ('status' in b && b.status !== 'E' && b.status !== 'D') throw new HttpError(400, "Input validations failed: status: The value you selected is not a valid choice.");
  };
  const PROFILE_FIELDS = ['login', 'access_level', 'status', 'status_comment', 'referer', 'language', 'membership_id', 'pending_membership_id', 'force_change_password'];
  post(/^\/api\/profiles$/, ({ body }) => {
    const b = objectBody(body);
    checkProfileBody(b, true);
    const date = rfc3339Date(now());
    const p: Json = {
      id: nextId(data, 'profile'), login: b.login, access_level: 0, create_date: date, first_login_date: null, last_login_date: null,
      status: 'E', status_comment: '', referer: '', language: 'en', membership_id: null, pending_membership_id: null,
      force_change_password: false, role_ids: [],
    };
    for (const k of PROFILE_FIELDS) if (k in b) p[k] = b[k];
    data.profiles.push(p);
    data.addresses[String(p.id)] = [];
    save();
    push('customer.updated', p.id as number, p);
    return p;
  });
  put(/^\/api\/profiles\/([^/]+)$/, ({ params, body }) => {
    const p = profileById(idParam(params[0]));
    const b = objectBody(body);
    checkProfileBody(b, false, p.id as number);
    for (const k of PROFILE_FIELDS) if (k in b) p[k] = b[k];
    save();
    push('customer.updated', p.id as number, p);
    return p;
  });
  get(/^\/api\/profiles\/([^/]+)\/addresses$/, ({ params, query }) => paginate(data.addresses[String(profileById(idParam(params[0])).id)] ?? [], query));
  const ADDRESS_FIELDS = ['is_billing', 'is_shipping', 'is_work', 'type', 'title', 'firstname', 'lastname', 'phone', 'street', 'zipcode', 'city', 'country_code', 'state', 'state_name', 'custom_fields'];
  // classes/XLite/API/Endpoint/ProfileAddress/DTO/ProfileAddressInput.php (type R|C, zipcode <= 32,
  // country_code 2 letters) and Transformer/InputTransformer.php::updateCustomFields (a custom field
  // must be one of the store's additional address fields; the list given replaces the address's own).
  const checkAddressBody = (b: Json) => {
    if ('type' in b && b.type !== 'R' && b.type !== 'C' && b.type !== '') throw new HttpError(400, 'Input validations failed: type: The value you selected is not a valid choice.');
    if ('zipcode' in b && (typeof b.zipcode !== 'string' || b.zipcode.length > 32)) throw new HttpError(400, 'Input validations failed: zipcode: This value is too long. It should have 32 characters or less.');
    if ('country_code' in b && b.country_code !== null && (typeof b.country_code !== 'string' || b.country_code.length !== 2)) throw new HttpError(400, 'Input validations failed: country_code: This value should have exactly 2 characters.');
    if ('custom_fields' in b) {
      if (!Array.isArray(b.custom_fields)) throw new HttpError(400, 'Input validations failed: custom_fields: This value should be of type array.');
      const known = data.additionalAddressFields ?? DEFAULT_ADDITIONAL_ADDRESS_FIELDS;
      for (const f of b.custom_fields as Json[]) {
        if (!known.includes(String(f?.name))) throw new HttpError(400, `Field with "${String(f?.name)}" service name not found`);
      }
    }
  };
  post(/^\/api\/profiles\/([^/]+)\/addresses$/, ({ params, body }) => {
    const p = profileById(idParam(params[0]));
    const b = objectBody(body);
    checkAddressBody(b);
    const a: Json = {
      id: nextId(data, 'address'), is_billing: false, is_shipping: false, is_work: false, type: '', title: '', firstname: '', lastname: '',
      phone: '', street: '', zipcode: '', city: '', country_code: 'US', state: null, state_name: null, custom_fields: [],
    };
    for (const k of ADDRESS_FIELDS) if (k in b) a[k] = b[k];
    (data.addresses[String(p.id)] ??= []).push(a);
    save();
    push('customer.updated', p.id as number, p);
    return a;
  });
  const addressOf = (pid: string | undefined, aid: string | undefined): [Json, Json] => {
    const p = profileById(idParam(pid));
    const a = (data.addresses[String(p.id)] ?? []).find((x) => x.id === idParam(aid));
    if (!a) throw new HttpError(404, 'Not Found');
    return [p, a];
  };
  get(/^\/api\/profiles\/([^/]+)\/addresses\/([^/]+)$/, ({ params }) => addressOf(params[0], params[1])[1]);
  put(/^\/api\/profiles\/([^/]+)\/addresses\/([^/]+)$/, ({ params, body }) => {
    const [p, a] = addressOf(params[0], params[1]);
    const b = objectBody(body);
    checkAddressBody(b);
    for (const k of ADDRESS_FIELDS) if (k in b) a[k] = b[k];
    save();
    push('customer.updated', p.id as number, p);
    return a;
  });

  // Categories
  // Without `parent` the filter uses the root category id, so only the first level is listed and the
  // root itself never is (classes/XLite/API/Endpoint/Category/Filter/ParentFilter.php).
  get(/^\/api\/categories$/, ({ query }) => {
    const root = data.categories.find((c) => c.parent === null);
    const parent = query.get('parent') ?? String(root?.id ?? '');
    return paginate(data.categories.filter((c) => String(c.parent) === parent), query);
  });
  const category = (s: string | undefined): Json => {
    const c = data.categories.find((x) => x.id === idParam(s));
    if (!c) throw new HttpError(404, 'Not Found');
    return c;
  };
  get(/^\/api\/categories\/([^/]+)$/, ({ params }) => category(params[0]));
  // Real output of this sub-resource: [{product_id}] (classes/XLite/API/Endpoint/Category/DTO/
  // CategoryProductOutput.php). It ignores page/itemsPerPage: one GET returns every product.
  get(/^\/api\/categories\/([^/]+)\/products$/, ({ params }) =>
    (data.categoryProducts[String(category(params[0]).id)] ?? []).map((product_id) => ({ product_id })));

  // Coupons
  get(/^\/api\/coupons$/, ({ query }) => paginate(data.coupons, query));
  get(/^\/api\/coupons\/([^/]+)$/, ({ params }) => {
    const c = data.coupons.find((x) => x.id === idParam(params[0]));
    if (!c) throw new HttpError(404, 'Not Found');
    return c;
  });
  post(/^\/api\/coupons$/, ({ body }) => {
    const b = objectBody(body);
    if (typeof b.code !== 'string' || b.code.length < 1 || b.code.length > 16) throw new HttpError(400, 'Input validations failed: code: This value should have 1 to 16 characters.');
    // classes/XLite/API/InputRule/SubRule/CheckUniqueField.php:55
    if (data.coupons.some((c) => String(c.code).toLowerCase() === String(b.code).toLowerCase())) throw new HttpError(400, 'Field "code" must be unique');
    if (!['%', '$', 'S'].includes(String(b.type))) throw new HttpError(400, 'Input validations failed: type: The value you selected is not a valid choice.');
    if ('value' in b && typeof b.value !== 'number') throw new HttpError(400, 'Input validations failed: value: This value should be of type float.');
    const c: Json = {
      id: nextId(data, 'coupon'), code: b.code, enabled: true, value: 0, type: b.type, comment: '', date_range_begin: null,
      date_range_end: null, total_range_begin: null, total_range_end: null, uses_limit: null, uses_limit_per_user: null,
      single_use: false, specific_products: false, product_classes: [], memberships: [], zones: [], products: [], categories: [],
    };
    for (const k of Object.keys(c)) if (k !== 'id' && k in b) c[k] = b[k];
    data.coupons.push(c);
    save();
    return c;
  });

  // ---- sandbox-only endpoints (NOT part of X-Cart's API) ----------------------------------------
  const sandboxRoutes: Route[] = [
    { method: 'POST', re: /^\/sandbox\/orders$/, status: 201, handler: ({ body }) => {
      let input;
      try {
        input = checkPlaceOrderInput(body);
        const o = placeOrder(data, { ...input, order_number: undefined, payment_status: undefined, shipping_status: undefined, tracking_numbers: undefined }, now());
        save();
        push('order.created', o.id as number, o);
        return o;
      } catch (e) {
        if (e instanceof SandboxInputError) throw new HttpError(400, e.message);
        throw e;
      }
    } },
    // A refund from the admin order page (refunds.ts): backend refund transaction, payment status, returned goods.
    { method: 'POST', re: /^\/sandbox\/orders\/(\d+)\/refund$/, handler: ({ params, body }) => {
      const o = data.orders.find((x) => x.id === Number(params[0]) && x.order_number !== null);
      if (!o) throw new HttpError(404, `Order with ID ${params[0]} not found`);
      try {
        refundOrder(data, o, checkRefundInput(body), now());
      } catch (e) {
        if (e instanceof SandboxInputError) throw new HttpError(400, e.message);
        throw e;
      }
      save();
      push('order.updated', o.id as number, o);
      return o;
    } },
    { method: 'GET', re: /^\/sandbox\/faults$/, handler: () => faults },
    { method: 'POST', re: /^\/sandbox\/faults$/, handler: ({ body }) => {
      const b = objectBody(body);
      const rate = (k: string) => {
        if (!(k in b)) return;
        const v = b[k];
        if (typeof v !== 'number' || v < 0 || v > 1) throw new HttpError(400, `${k} must be a number between 0 and 1`);
        (faults as unknown as Json)[k] = v;
      };
      if ('latencyMs' in b) {
        if (typeof b.latencyMs !== 'number' || b.latencyMs < 0) throw new HttpError(400, 'latencyMs must be a non-negative number');
        faults.latencyMs = b.latencyMs;
      }
      rate('errorRate');
      rate('dropRate');
      for (const k of ['htmlPage', 'truncatedJson'] as const) {
        if (!(k in b)) continue;
        if (typeof b[k] !== 'boolean') throw new HttpError(400, `${k} must be true or false`);
        faults[k] = b[k];
      }
      if ('deletedProductOrders' in b) {
        const v = b.deletedProductOrders;
        if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) throw new HttpError(400, 'deletedProductOrders must be a list of order ids');
        faults.deletedProductOrders = [...v] as number[];
      }
      if ('rateLimit' in b) {
        const r = b.rateLimit as Json | null;
        if (r === null) faults.rateLimit = null;
        else if (r && Number.isInteger(r.every) && (r.every as number) >= 1 && typeof r.retryAfterSeconds === 'number' && r.retryAfterSeconds >= 0) {
          faults.rateLimit = { every: r.every as number, retryAfterSeconds: r.retryAfterSeconds };
          apiRequests = 0;
        } else throw new HttpError(400, 'rateLimit must be null or {every: integer >= 1, retryAfterSeconds: number >= 0}');
      }
      return faults;
    } },
    { method: 'POST', re: /^\/sandbox\/reset$/, handler: () => {
      data = seedData(now());
      handle.data = data;
      Object.assign(faults, { ...NO_FAULTS, deletedProductOrders: [] });
      save();
      return { ok: true };
    } },
  ];

  // ---- server ---------------------------------------------------------------------------------
  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { type: 'https://tools.ietf.org/html/rfc2616#section-10', title: 'An error occurred', detail: (err as Error).message });
      else res.destroy();
    });
  });

  const apiResponses = new WeakSet<http.ServerResponse>();

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const pathName = url.pathname.replace(/\.json$/, '');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);

    if (pathName.startsWith('/sandbox/')) {
      return dispatch(sandboxRoutes, method, pathName, url.searchParams, raw, res, true);
    }
    if (!pathName.startsWith('/api/')) return send(res, 404, problem('Not Found'));
    apiResponses.add(res);
    const route = `${method} ${pathName}`;
    requests.set(route, (requests.get(route) ?? 0) + 1);

    // Faults apply to the API only, after the request was read.
    apiRequests++;
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (faults.dropRate > 0 && Math.random() < faults.dropRate) { req.socket.destroy(); return; }
    if (faults.errorRate > 0 && Math.random() < faults.errorRate) return send(res, 503, problem('Service Unavailable'));
    if (faults.rateLimit && apiRequests % faults.rateLimit.every === 0) {
      return send(res, 429, problem('Too Many Requests'), { 'retry-after': String(faults.rateLimit.retryAfterSeconds) });
    }

    if (faults.htmlPage) {
      // What a maintenance page or a proxy in front of the store answers: 200, text/html.
      const html = '<!DOCTYPE html><html><head><title>Store maintenance</title></head><body><h1>We will be back soon</h1></body></html>';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
      res.end(html);
      return;
    }
    const token = req.headers['x-auth-token'];
    const role = token === writeToken ? 'write' : token === readToken ? 'read' : undefined;
    if (!role) return send(res, 401, { message: token ? 'Invalid API token.' : 'API token is missing.' });
    const isWrite = method !== 'GET' && method !== 'HEAD';
    if (isWrite && role !== 'write') return send(res, 403, problem('Access Denied.'));
    return dispatch(routes, method, pathName, url.searchParams, raw, res, isWrite);
  }

  async function dispatch(list: Route[], method: string, pathName: string, query: URLSearchParams, raw: string, res: http.ServerResponse, write: boolean): Promise<void> {
    let pathMatched = false;
    for (const r of list) {
      const m = r.re.exec(pathName);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      try {
        let body: unknown;
        if (raw.length > 0) {
          try { body = JSON.parse(raw); } catch { throw new HttpError(400, 'Syntax error: the request body is not valid JSON'); }
        }
        const result = await r.handler({ method, params: m.slice(1), query, body, write });
        return send(res, r.status ?? 200, result);
      } catch (e) {
        if (e instanceof HttpError) return send(res, e.status, problem(e.message), e.headers);
        throw e;
      }
    }
    // A wrong method falls into X-Cart's catch-all route: 404, not 405 (and there is no PATCH).
    void pathMatched;
    return send(res, 404, problem('Not Found'));
  }

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (faults.truncatedJson && status === 200 && apiResponses.has(res)) {
      // A body cut in the middle (a proxy or PHP worker that died while writing).
      const text = JSON.stringify(body ?? null);
      const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(cut) });
      res.end(cut);
      return;
    }
    sendJson(res, status, body, headers);
  }

  const handle: { data: SandboxData } = { data };
  const stateHandle: XcartSandboxStateHandle = {
    get data() { return handle.data; },
    file: `${opts.stateDir}/${STATE_FILE}`,
    save,
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  return {
    url: `http://${host}:${addr.port}`,
    version,
    readToken,
    writeToken,
    faults,
    state: stateHandle,
    pushes,
    requests,
    connectModule,
    async flushPushes() { while (pending.size) await Promise.allSettled([...pending]); },
    async close() {
      await Promise.allSettled([...pending]);
      if (opts.persist === 'on-close') saveNow();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function problem(detail: string): Json {
  return { type: 'https://tools.ietf.org/html/rfc2616#section-10', title: 'An error occurred', detail };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body ?? null);
  const type = status >= 400 && !(body && typeof body === 'object' && 'message' in body) ? 'application/problem+json' : 'application/json';
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * X-Cart 5.5+ connector: one method per operation of mappings/schemas/xcart/operations.yaml, and
 * `call(name, args)` dispatching by catalog name. Every response is validated against the entity
 * schemas; a mismatch is a ConnectorError of class `invalid` naming the entity and the field.
 */
import path from 'node:path';
import { ConnectorError } from '../errors.js';
import { XcartClient, type XcartClientConfig } from './client.js';
import { checkArgs, loadXcartCatalog, type OperationCatalog } from './catalog.js';
import { loadXcartSchemas, type XcartSchemas } from './schemas.js';
import { SkuIndex } from './sku-index.js';
import { VariantIndex } from './variant-index.js';
import { TrackingWriter, type ModuleSetting, type TrackingMode } from './tracking.js';
import * as cc from './contacts-catalogue.js';

type Json = Record<string, unknown>;
export type XcartOrder = Json & { id: number; order_number: string | null; update_date: string };
export type XcartProduct = Json & { id: number; sku: string; amount: number };
export type XcartProfile = Json & { id: number; login: string };

export interface XcartConnectorConfig extends XcartClientConfig {
  /**
   * How `orders.list_changed` finds changed orders: `lastRenewDate` filter (5.5.1+), `scan` (5.5.0:
   * sort by lastRenewDate desc and page back to the watermark), or `auto` (probe once). Default auto.
   */
  changedFilter?: 'auto' | 'lastRenewDate' | 'scan';
  /** After how long the SKU index of products.find_by_sku is paged again in full, in ms. Default 24 h (sku-index.ts). */
  skuCacheTtlMs?: number;
  /** Least time between two incremental index refreshes caused by an unknown SKU, in ms. Default 30 000. */
  skuMissRefreshMs?: number;
  /**
   * How long variants.find_by_sku waits for the first listing of every product's variants before
   * failing as transient (the listing goes on in the background), in ms. Default 10 000 (variant-index.ts).
   */
  variantIndexWaitMs?: number;
  /**
   * Folder of the X-Cart entity schemas and operations.yaml the connector validates against
   * (flowd: `<flows.dir>/schemas/xcart`, from the build). Default XCART_SCHEMA_DIR.
   */
  schemaDir?: string;
  /** `connections.xcart.tracking`: where Sage Pro tracking numbers go (tracking.ts). Default auto. */
  tracking?: TrackingMode;
  /** `connections.xcart.module`: whether the store has the Connect module; auto probes it. Default auto. */
  module?: ModuleSetting;
}

/**
 * An order the store cannot serialise (HTTP 500 for it and for every page that holds it, e.g. an
 * item whose product was deleted). `orderId` is null when probing could not find its id.
 */
export interface UnreadableOrder { orderId: number | null; reason: string }

/** Polling state: the newest update_date seen and the orders already delivered at exactly that time. */
export interface OrderWatermark { since: string; seen: string[] }

/** Key used to deliver each order version once: id + update_date (xcart-api.md §6). */
/**
 * One observed state of an order: its id, update time and what the flows act on (payment and
 * shipping status, total). X-Cart's update time (`lastRenewDate`) is a unix timestamp in seconds, so
 * two changes within one second (a status written by flowd, then a refund) share it: the id and time
 * alone made the second change look already seen, and its event a duplicate (found by the refund
 * e2e test). Two polls of the same state still give the same key.
 */
export function orderVersionKey(o: { id: number; update_date: string; payment_status?: unknown; shipping_status?: unknown; total?: unknown }): string {
  const code = (s: unknown) => (s && typeof s === 'object' ? String((s as { code?: unknown }).code ?? '') : '');
  const total = typeof o.total === 'number' || typeof o.total === 'string' ? String(o.total) : '';
  return `${o.id}@${o.update_date}#${code(o.payment_status)}/${code(o.shipping_status)}/${total}`;
}

/** Drops orders already delivered at the watermark and computes the next watermark. */
export function advanceWatermark(wm: OrderWatermark, orders: XcartOrder[]): { fresh: XcartOrder[]; next: OrderWatermark } {
  const seen = new Set(wm.seen);
  const fresh = orders.filter((o) => !seen.has(orderVersionKey(o)));
  if (fresh.length === 0) return { fresh, next: wm };
  let max = wm.since;
  let maxMs = dateMs(wm.since);
  for (const o of fresh) { const ms = dateMs(o.update_date); if (ms > maxMs) { maxMs = ms; max = o.update_date; } }
  const atMax = orders.filter((o) => dateMs(o.update_date) === maxMs).map(orderVersionKey);
  const keep = maxMs === dateMs(wm.since) ? wm.seen : [];
  return { fresh, next: { since: max, seen: [...new Set([...keep, ...atMax])] } };
}

/** The address fields of addresses.update / addresses.create, in catalog order. */
const ADDRESS_PARAMS = ['street', 'city', 'zipcode', 'state_name', 'country_code', 'phone', 'company', 'company_field'];

interface Dispatch { params: string[]; run(c: XcartConnector, a: Record<string, unknown>): Promise<unknown> }

/** Catalog name → method. The catalog test checks this table against operations.yaml. */
export const XCART_DISPATCH: Record<string, Dispatch> = {
  'orders.get': { params: ['order_id'], run: (c, a) => c.getOrder(a.order_id as number) },
  'orders.get_by_number': { params: ['order_number'], run: (c, a) => c.getOrderByNumber(a.order_number as string) },
  'orders.list_changed': { params: ['since'], run: (c, a) => c.listChangedSince(a.since as string | Date) },
  'orders.payment_transactions': { params: ['order_id'], run: (c, a) => c.getPaymentTransactions(a.order_id as number) },
  'orders.set_payment_status': { params: ['order_id', 'code'], run: (c, a) => c.setPaymentStatus(a.order_id as number, a.code as string) },
  'orders.set_shipping_status': { params: ['order_id', 'code'], run: (c, a) => c.setShippingStatus(a.order_id as number, a.code as string) },
  'products.list': { params: [], run: (c) => c.listProducts() },
  'products.find_by_sku': { params: ['sku'], run: (c, a) => c.findProductBySku(a.sku as string) },
  'products.set_stock': { params: ['product_id', 'amount'], run: (c, a) => c.setProductStock(a.product_id as number, a.amount as number) },
  'variants.find_by_sku': { params: ['sku'], run: (c, a) => c.findVariantBySku(a.sku as string) },
  'variants.set_stock': { params: ['product_id', 'variant_id', 'amount'], run: (c, a) => c.setVariantStock(a.product_id as number, a.variant_id as number, a.amount as number) },
  'profiles.find_by_email': { params: ['email'], run: (c, a) => c.findProfileByEmail(a.email as string) },
  'profiles.create': { params: ['profile'], run: (c, a) => c.createProfile(a.profile as Json) },
  'profiles.update': { params: ['profile_id', 'profile'], run: (c, a) => c.updateProfile(a.profile_id as number, a.profile as Json) },
  'categories.list': { params: [], run: (c) => c.listCategories() },
  'categories.products': { params: ['category_id'], run: (c, a) => c.getCategoryProducts(a.category_id as number) },
  'categories.of_products': { params: ['product_ids'], run: (c, a) => c.categoriesOfProducts(a.product_ids as number[]) },
  'coupons.list': { params: [], run: (c) => c.listCoupons() },
  'coupons.create': { params: ['coupon'], run: (c, a) => c.createCoupon(a.coupon as Json) },
  'tracking.target': { params: ['order_id', 'number'], run: (c, a) => c.trackingTarget(a.order_id as number, a.number as string) },
  'orders.set_tracking': { params: ['order_id', 'number'], run: (c, a) => c.setTracking(a.order_id as number, a.number as string) },
  'orders.add_staff_note': { params: ['order_id', 'line'], run: (c, a) => c.addStaffNote(a.order_id as number, a.line as string) },
  // Sage Pro -> X-Cart customers and products (contacts-catalogue.ts)
  'profiles.get': { params: ['profile_id'], run: (c, a) => c.getProfile(a.profile_id as number) },
  'profiles.find_by_phone': { params: ['phone'], run: (c, a) => c.findProfileByPhone(a.phone as string) },
  'addresses.list': { params: ['profile_id'], run: (c, a) => c.listAddresses(a.profile_id as number) },
  'addresses.update': { params: ['profile_id', 'address_id', ...ADDRESS_PARAMS], run: (c, a) => c.updateAddress(a.profile_id as number, a.address_id as number, a as cc.AddressChange) },
  'addresses.create': { params: ['profile_id', ...ADDRESS_PARAMS], run: (c, a) => c.createAddress(a.profile_id as number, a as cc.AddressChange) },
  'products.update': { params: ['product_id', 'name', 'description', 'price', 'enabled'], run: (c, a) => c.updateProduct(a.product_id as number, a) },
  'products.create': { params: ['sku', 'name', 'price', 'enabled', 'description'], run: (c, a) => c.createProduct(a as { sku: string; name: string; price: number; enabled: boolean }) },
  'variants.list': { params: ['product_id'], run: (c, a) => c.listVariants(a.product_id as number) },
  'variants.update': { params: ['product_id', 'variant_id', 'price'], run: (c, a) => c.updateVariant(a.product_id as number, a.variant_id as number, a) },
};

/** Fields the API computes; they are not sent back on create/update. */
const READ_ONLY = new Set(['id', 'create_date', 'update_date', 'first_login_date', 'last_login_date', 'role_ids']);

const FAR_FUTURE = '2999-01-01T00:00:00+0000';

/** Orders read by the first request of a 5.5.0 change scan (more pages only when all changed). */
export const SCAN_FIRST_PAGE = 10;

export class XcartConnector {
  readonly client: XcartClient;
  private readonly schemas: XcartSchemas;
  private readonly catalog: OperationCatalog;
  private changedMode: 'lastRenewDate' | 'scan' | undefined;
  private readonly skus: SkuIndex;
  private readonly variantSkus: VariantIndex;
  /** Order ids found unreadable (HTTP 500) by earlier polls. */
  private readonly unreadableIds = new Set<number>();
  private readonly tracking: TrackingWriter;

  constructor(private readonly cfg: XcartConnectorConfig) {
    this.client = new XcartClient(cfg);
    this.schemas = loadXcartSchemas(cfg.schemaDir);
    this.catalog = loadXcartCatalog(cfg.schemaDir === undefined ? undefined : path.join(cfg.schemaDir, 'operations.yaml'));
    this.changedMode = cfg.changedFilter === 'auto' || cfg.changedFilter === undefined ? undefined : cfg.changedFilter;
    this.skus = new SkuIndex(this.client, {
      operation: 'products.find_by_sku',
      ...(cfg.skuCacheTtlMs !== undefined ? { rebuildMs: cfg.skuCacheTtlMs } : {}),
      ...(cfg.skuMissRefreshMs !== undefined ? { missRefreshMs: cfg.skuMissRefreshMs } : {}),
    });
    this.variantSkus = new VariantIndex(this.client, this.skus, {
      operation: 'variants.find_by_sku',
      ...(cfg.variantIndexWaitMs !== undefined ? { buildWaitMs: cfg.variantIndexWaitMs } : {}),
      ...(cfg.skuCacheTtlMs !== undefined ? { rebuildMs: cfg.skuCacheTtlMs } : {}),
      ...(cfg.skuMissRefreshMs !== undefined ? { missRefreshMs: cfg.skuMissRefreshMs } : {}),
    });
    this.tracking = new TrackingWriter(this.client, { ...(cfg.tracking ? { tracking: cfg.tracking } : {}), ...(cfg.module !== undefined ? { module: cfg.module } : {}), logger: cfg.logger });
  }

  /** Runs a catalog operation by name, checking the arguments against the catalog first. */
  async call(operation: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const op = this.catalog.operations.get(operation);
    const d = XCART_DISPATCH[operation];
    if (!op || !d) {
      throw new ConnectorError(`X-Cart has no operation '${operation}'`, { errorClass: 'invalid', system: 'xcart', operation });
    }
    checkArgs(op, args);
    return d.run(this, args);
  }

  async close(): Promise<void> {
    this.skus.close();
    this.variantSkus.close();
    await this.client.close();
  }

  // ---- orders ---------------------------------------------------------------------------------

  async getOrder(orderId: number): Promise<XcartOrder> {
    const op = 'orders.get';
    return this.valid('Order', await this.client.get(`/api/orders/${int(orderId, op, 'order_id')}`, undefined, op), op) as XcartOrder;
  }

  async getOrderByNumber(orderNumber: string): Promise<XcartOrder | null> {
    const op = 'orders.get_by_number';
    if (!/^\w+$/.test(orderNumber)) return null; // the route only matches \w+
    try {
      return this.valid('Order', await this.client.get(`/api/orders/by_number/${encodeURIComponent(orderNumber)}`, undefined, op), op) as XcartOrder;
    } catch (e) {
      if (e instanceof ConnectorError && e.errorClass === 'not_found') return null;
      throw e;
    }
  }

  /**
   * Orders whose update_date is at or after `since`, oldest change first, one entry per order, carts
   * (no order_number) left out. Uses `lastRenewDate[after]` when the store honours it (5.5.1+),
   * otherwise pages `order[lastRenewDate]=desc` back to the watermark (5.5.0).
   */
  async listChangedSince(since: string | Date): Promise<XcartOrder[]> {
    return (await this.scanChanged(since)).orders;
  }

  /**
   * listChangedSince, plus the orders the store could not serialise. A page that answers 500 is read
   * again in smaller pages (100 → 10 → 1) so that one broken order costs its own position only; its
   * id is then found by probing GET /api/orders/{id} next to its neighbours (xcart-api.md item 9: an
   * order whose item's product was deleted answers 500 alone and in every page that holds it).
   */
  async scanChanged(since: string | Date): Promise<{ orders: XcartOrder[]; unreadable: UnreadableOrder[] }> {
    const op = 'orders.list_changed';
    const sinceMs = typeof since === 'string' ? dateMs(since) : since.getTime();
    if (Number.isNaN(sinceMs)) throw new ConnectorError(`X-Cart ${op}: 'since' is not a date`, { errorClass: 'invalid', system: 'xcart', operation: op, field: 'since' });
    const sinceSec = Math.floor(sinceMs / 1000) * 1000;
    const sinceStr = xcartDate(sinceSec);
    if (!this.changedMode) this.changedMode = (await this.probeLastRenewFilter()) ? 'lastRenewDate' : 'scan';

    const byId = new Map<number, XcartOrder>();
    const take = (o: XcartOrder) => {
      if (o.order_number === null || o.order_number === undefined || o.order_number === '') return; // a cart
      if (dateMs(o.update_date) < sinceSec) return;
      const prev = byId.get(o.id);
      if (!prev || dateMs(prev.update_date) <= dateMs(o.update_date)) byId.set(o.id, o);
    };
    /** Every slot read, in the order the store listed them; null = a position the store could not serialise. */
    const slots: (XcartOrder | null)[] = [];
    const brokenAt: number[] = [];
    const record = (list: (XcartOrder | null)[]) => {
      for (const o of list) {
        if (o === null) { brokenAt.push(slots.length); slots.push(null); continue; }
        slots.push(o);
        take(o);
      }
    };

    if (this.changedMode === 'lastRenewDate') {
      // Keyset paging on update_date: each request starts at the newest date seen so far, so an order
      // that changes while we page moves ahead of the key instead of shifting a page boundary.
      let key = sinceStr;
      let page = 1;
      for (let guard = 0; guard < 100_000; guard++) {
        const list = await this.readOrdersPage({ 'lastRenewDate[after]': key, 'order[lastRenewDate]': 'asc' }, page, 100, op);
        if (list.some((o) => o !== null && dateMs(o.update_date) < sinceSec)) {
          // The store ignored the filter (5.5.0): switch to scanning and start over.
          this.changedMode = 'scan';
          return this.scanChanged(since);
        }
        record(list);
        if (list.length < 100) break;
        const lastOrder = [...list].reverse().find((o): o is XcartOrder => o !== null);
        const last = lastOrder?.update_date ?? key;
        if (dateMs(last) === dateMs(key)) page++; // a full page within one second: advance by page
        else { key = last; page = 1; }
      }
    } else {
      // Most polls find few changes: the newest SCAN_FIRST_PAGE orders first, and pages of 100 only
      // when all of those changed since the watermark. A page of 100 full orders every poll was most
      // of a poll's cost, in flowd (parse, schema check) and in the store (X-Cart serialises each
      // order: classes/XLite/API/Endpoint/Order/Transformer/OutputTransformer.php).
      const q = { 'order[lastRenewDate]': 'desc' };
      const first = await this.readOrdersPage(q, 1, SCAN_FIRST_PAGE, op);
      const older = (list: (XcartOrder | null)[]) => list.some((o) => o !== null && dateMs(o.update_date) < sinceSec);
      if (first.length < SCAN_FIRST_PAGE || older(first)) record(first);
      else {
        // Offsets of pages of 100 start at 0 again: the first orders are read twice, not skipped.
        for (let page = 1; page <= 100_000; page++) {
          const list = await this.readOrdersPage(q, page, 100, op);
          record(list);
          if (list.length < 100) break;
          if (older(list)) break;
        }
      }
    }
    const unreadable = brokenAt.length ? await this.identifyBroken(slots, brokenAt, sinceSec, op) : [];
    const orders = [...byId.values()].sort((a, b) => dateMs(a.update_date) - dateMs(b.update_date) || a.id - b.id);
    return { orders, unreadable };
  }

  /**
   * One page of /api/orders, validated. On HTTP 500 the same positions are read again in pages of 10,
   * then of 1; a single position that still answers 500 becomes null. When every position fails the
   * store is down (not one broken order) and the first error goes up.
   */
  private async readOrdersPage(query: Record<string, string>, page: number, per: number, op: string, retries?: number): Promise<(XcartOrder | null)[]> {
    let first: ConnectorError;
    try {
      const raw = await this.client.get<unknown>('/api/orders', { ...query, page, itemsPerPage: per }, op, retries);
      return this.validList('Order', raw, op) as XcartOrder[];
    } catch (e) {
      if (!(e instanceof ConnectorError) || e.status !== 500) throw e;
      if (per === 1) return [null];
      first = e;
    }
    const sub = per > 10 ? 10 : 1;
    const parts = per / sub;
    const out: (XcartOrder | null)[] = [];
    for (let i = 0; i < parts; i++) {
      const list = await this.readOrdersPage(query, (page - 1) * parts + i + 1, sub, op, 0);
      out.push(...list);
      if (list.length < sub) break;
    }
    if (out.length === 0 || out.every((o) => o === null)) throw first;
    return out;
  }

  /** Finds the ids of unreadable positions by probing ids next to their neighbours (GET answers 500). */
  private async identifyBroken(slots: (XcartOrder | null)[], brokenAt: number[], sinceSec: number, op: string): Promise<UnreadableOrder[]> {
    const seen = new Set(slots.filter((o): o is XcartOrder => o !== null).map((o) => o.id));
    const probed = new Set<number>();
    const out: UnreadableOrder[] = [];
    const PROBES = 40;
    for (const at of brokenAt) {
      const before = [...slots.slice(0, at)].reverse().find((o): o is XcartOrder => o !== null);
      const after = slots.slice(at + 1).find((o): o is XcartOrder => o !== null);
      // In the newest-first scan, an unreadable order after the first one older than the watermark
      // is older too: not part of this poll.
      if (this.changedMode === 'scan' && before && dateMs(before.update_date) < sinceSec) continue;
      const anchors = [before?.id, after?.id].filter((x): x is number => x !== undefined);
      // Orders found unreadable before are tried first: a broken order among the newest changes is
      // met again on every poll.
      const candidates: number[] = [...this.unreadableIds].filter((id) => !seen.has(id) && !probed.has(id));
      for (let d = 1; candidates.length < PROBES && d <= PROBES * 4; d++) {
        for (const a of anchors) for (const id of [a + d, a - d]) {
          if (id > 0 && !seen.has(id) && !probed.has(id) && !candidates.includes(id)) candidates.push(id);
        }
      }
      let found: number | null = null;
      for (const id of candidates.slice(0, PROBES + this.unreadableIds.size)) {
        probed.add(id);
        try {
          await this.client.get(`/api/orders/${id}`, undefined, op, 0);
          this.unreadableIds.delete(id); // readable again
        } catch (e) {
          if (e instanceof ConnectorError && e.status === 500) { found = id; this.unreadableIds.add(id); break; }
          if (e instanceof ConnectorError && e.errorClass === 'not_found') continue;
          throw e;
        }
      }
      const where = `between orders ${before ? before.id : '(start)'} and ${after ? after.id : '(end)'} of the lastRenewDate order`;
      out.push({
        orderId: found,
        reason: found !== null
          ? `X-Cart answers HTTP 500 for order ${found} (it cannot serialise it; usually an item whose product was deleted); stepped past it, ${where}`
          : `X-Cart answers HTTP 500 for one order ${where} and its id was not found by probing; stepped past it`,
      });
    }
    return out;
  }

  /**
   * Orders placed at or after `since` and before `until` (when given), oldest first: X-Cart's own
   * filter on the placed date, `date[after]` / `date[strictly_before]` (5.5.0.29 declares
   * `IntegerDateFilter` on `date` in classes/XLite/Model/Order.php; the filter compares the unix
   * timestamp, src/Framework/ApiPlatform/Core/Bridge/Doctrine/Orm/Filter/IntegerDateFilter.php),
   * sorted `order[date]=asc`, paged by 100. Placed dates do not change, so offset paging is stable
   * (new orders arrive at the end). Used by `flowd resync --since` (runtime/resync.ts); not a flow
   * operation. Unreadable orders (HTTP 500) are stepped past and returned as with the poll.
   */
  async listPlacedBetween(since: string | Date, until?: string | Date): Promise<{ orders: XcartOrder[]; unreadable: UnreadableOrder[] }> {
    const op = 'orders.list_placed';
    const ms = (d: string | Date) => (typeof d === 'string' ? dateMs(d) : d.getTime());
    const sinceMs = ms(since);
    const untilMs = until === undefined ? undefined : ms(until);
    if (Number.isNaN(sinceMs) || (untilMs !== undefined && Number.isNaN(untilMs))) {
      throw new ConnectorError(`X-Cart ${op}: 'since' or 'until' is not a date`, { errorClass: 'invalid', system: 'xcart', operation: op, field: 'since' });
    }
    const sinceSec = Math.floor(sinceMs / 1000) * 1000;
    const query: Record<string, string> = { 'date[after]': xcartDate(sinceSec), 'order[date]': 'asc' };
    // X-Cart dates are whole seconds: before 10:00:00.5 means at or before 10:00:00.
    if (untilMs !== undefined) query['date[strictly_before]'] = xcartDate(Math.ceil(untilMs / 1000) * 1000);
    const slots: (XcartOrder | null)[] = [];
    const brokenAt: number[] = [];
    for (let page = 1; page <= 100_000; page++) {
      const list = await this.readOrdersPage(query, page, 100, op);
      for (const o of list) { if (o === null) brokenAt.push(slots.length); slots.push(o); }
      if (list.length < 100) break;
    }
    const byId = new Map<number, XcartOrder>();
    for (const o of slots) if (o !== null && o.order_number) byId.set(o.id, o);
    const unreadable = brokenAt.length ? await this.identifyBroken(slots, brokenAt, sinceSec, op) : [];
    return { orders: [...byId.values()], unreadable };
  }

  /** Polls once from a watermark: the orders not delivered yet and the watermark to store afterwards. */
  async pollChangedOrders(wm: OrderWatermark): Promise<{ orders: XcartOrder[]; watermark: OrderWatermark; unreadable: UnreadableOrder[] }> {
    const { orders, unreadable } = await this.scanChanged(wm.since);
    const { fresh, next } = advanceWatermark(wm, orders);
    return { orders: fresh, watermark: next, unreadable };
  }

  /** Which `orders.list_changed` strategy is in use (after the first call when auto). */
  get changedFilterMode(): 'lastRenewDate' | 'scan' | undefined {
    return this.changedMode;
  }

  async getPaymentTransactions(orderId: number): Promise<Json[]> {
    const op = 'orders.payment_transactions';
    const list = await this.client.getAll<unknown>(`/api/orders/${int(orderId, op, 'order_id')}/payment_transactions`, {}, { operation: op });
    return this.validList('PaymentTransaction', list, op);
  }

  async setPaymentStatus(orderId: number, code: string): Promise<XcartOrder> {
    return this.setStatus('payment', orderId, code);
  }

  async setShippingStatus(orderId: number, code: string): Promise<XcartOrder> {
    return this.setStatus('shipping', orderId, code);
  }

  private async setStatus(kind: 'payment' | 'shipping', orderId: number, code: string): Promise<XcartOrder> {
    const op = `orders.set_${kind}_status`;
    const id = int(orderId, op, 'order_id');
    if (typeof code !== 'string' || code === '') throw new ConnectorError(`X-Cart ${op}: code must be a non-empty string`, { errorClass: 'invalid', system: 'xcart', operation: op, field: 'code' });
    const status = await this.client.put(`/api/orders/${id}/${kind}_status`, { code }, op);
    this.valid(kind === 'payment' ? 'PaymentStatus' : 'ShippingStatus', status, op);
    return this.valid('Order', await this.client.get(`/api/orders/${id}`, undefined, op), op) as XcartOrder;
  }

  // ---- tracking (through the Connect module: tracking.ts) ----------------------------------------

  /** Where this order's tracking number goes: module, staff_note, skip (warned) or none (blank number). */
  trackingTarget(orderId: number, number: string): Promise<string> {
    return this.tracking.target(int(orderId, 'tracking.target', 'order_id'), number);
  }

  async setTracking(orderId: number, number: string): Promise<Json> {
    const op = 'orders.set_tracking';
    return this.valid('TrackingNumber', await this.tracking.setTracking(int(orderId, op, 'order_id'), number), op);
  }

  addStaffNote(orderId: number, line: string): Promise<void> {
    return this.tracking.addStaffNote(int(orderId, 'orders.add_staff_note', 'order_id'), line);
  }

  /** Whether the store has the Connect module (connections.xcart.module, or a probe). */
  hasConnectModule(): Promise<boolean> {
    return this.tracking.hasModule();
  }

  // ---- products -------------------------------------------------------------------------------

  async listProducts(): Promise<XcartProduct[]> {
    const op = 'products.list';
    const raw = await this.client.getAll<unknown>('/api/products', {}, { operation: op });
    this.skus.put(raw);
    return this.validList('Product', raw, op) as XcartProduct[];
  }

  /**
   * The API has no SKU filter: the catalogue is paged once and indexed, then refreshed incrementally
   * (sku-index.ts), so a lookup costs no request. Only the
   * product returned is validated, so one odd product elsewhere in the catalogue cannot fail every
   * lookup.
   */
  async findProductBySku(sku: string): Promise<XcartProduct | null> {
    const p = await this.skus.find(sku);
    return p === null ? null : (this.valid('Product', p, 'products.find_by_sku') as XcartProduct);
  }

  async setProductStock(productId: number, amount: number): Promise<XcartProduct> {
    const op = 'products.set_stock';
    const id = int(productId, op, 'product_id');
    let answer: unknown;
    try {
      answer = await this.client.put(`/api/products/${id}`, { amount: int(amount, op, 'amount') }, op);
    } catch (e) {
      if (e instanceof ConnectorError && e.errorClass === 'not_found') this.skus.forget(id);
      throw e;
    }
    const p = this.valid('Product', answer, op) as XcartProduct;
    this.skus.put([p]);
    return p;
  }

  /**
   * The variant with this SKU and its product's id (`product_id`, which the variant resource itself
   * does not return), or null; an empty SKU is null without a request. The API has no variant SKU
   * filter: variant-index.ts lists each product's variants once and keeps an index.
   */
  async findVariantBySku(sku: string): Promise<Json | null> {
    const op = 'variants.find_by_sku';
    if (typeof sku !== 'string') throw new ConnectorError(`X-Cart ${op}: sku must be a string`, { errorClass: 'invalid', system: 'xcart', operation: op, field: 'sku' });
    const found = await this.variantSkus.find(sku);
    return found === null ? null : { ...this.valid('ProductVariant', found.variant, op), product_id: found.productId };
  }

  async setVariantStock(productId: number, variantId: number, amount: number): Promise<Json> {
    const op = 'variants.set_stock';
    const pid = int(productId, op, 'product_id');
    const vid = int(variantId, op, 'variant_id');
    const body = { amount: int(amount, op, 'amount'), default_amount: false };
    return this.variantWrite(pid, vid, () => this.client.put(`/api/products/${pid}/variants/${vid}`, body, op), op);
  }

  /** A variant PUT: the answer replaces the index entry, a 404 drops it. */
  private async variantWrite(productId: number, variantId: number, put: () => Promise<unknown>, op: string): Promise<Json> {
    let answer: unknown;
    try {
      answer = await put();
    } catch (e) {
      if (e instanceof ConnectorError && e.errorClass === 'not_found') this.variantSkus.forget(variantId);
      throw e;
    }
    const v = this.valid('ProductVariant', answer, op);
    this.variantSkus.put(productId, v);
    return v;
  }

  // ---- profiles -------------------------------------------------------------------------------

  async findProfileByEmail(email: string): Promise<XcartProfile | null> {
    const op = 'profiles.find_by_email';
    const wanted = email.trim().toLowerCase();
    if (!wanted) return null;
    const list = this.validList('Profile', await this.client.getAll<unknown>('/api/profiles', { login: wanted }, { operation: op }), op) as XcartProfile[];
    return list.find((p) => p.login.toLowerCase() === wanted) ?? null;
  }

  async createProfile(profile: Json): Promise<XcartProfile> {
    const op = 'profiles.create';
    return this.valid('Profile', await this.client.post('/api/profiles', writable(profile), op), op) as XcartProfile;
  }

  async updateProfile(profileId: number, profile: Json): Promise<XcartProfile> {
    const op = 'profiles.update';
    return this.valid('Profile', await this.client.put(`/api/profiles/${int(profileId, op, 'profile_id')}`, writable(profile), op), op) as XcartProfile;
  }

  // ---- Sage Pro -> X-Cart: profiles by id or phone, address book, product and variant writes ----

  private get io(): cc.XcartIo {
    return { client: this.client, valid: (e, v, op) => this.valid(e, v, op), validList: (e, v, op) => this.validList(e, v, op) };
  }

  getProfile(profileId: number): Promise<Json | null> { return cc.getProfile(this.io, profileId); }
  findProfileByPhone(phone: string): Promise<Json | null> { return cc.findProfileByPhone(this.io, phone); }
  listAddresses(profileId: number): Promise<Json[]> { return cc.listAddresses(this.io, profileId); }
  updateAddress(profileId: number, addressId: number, change: cc.AddressChange): Promise<Json> { return cc.updateAddress(this.io, profileId, addressId, change); }
  createAddress(profileId: number, change: cc.AddressChange): Promise<Json> { return cc.createAddress(this.io, profileId, change); }
  listVariants(productId: number): Promise<Json[]> { return cc.listVariants(this.io, productId); }
  updateVariant(productId: number, variantId: number, fields: { price?: number | null }): Promise<Json> {
    return this.variantWrite(productId, variantId, () => cc.updateVariant(this.io, productId, variantId, fields), 'variants.update');
  }

  async updateProduct(productId: number, fields: { name?: string | null; description?: string | null; price?: number | null; enabled?: boolean | null }): Promise<XcartProduct> {
    const p = await cc.updateProduct(this.io, productId, fields) as XcartProduct;
    this.skus.put([p]);
    return p;
  }

  async createProduct(product: { sku: string; name: string; price: number; enabled: boolean; description?: string | null }): Promise<XcartProduct> {
    const p = await cc.createProduct(this.io, product) as XcartProduct;
    this.skus.put([p]);
    return p;
  }

  // ---- categories and coupons -----------------------------------------------------------------

  /**
   * Every category below the root. GET /api/categories without `parent` lists only the first level
   * (classes/XLite/API/Endpoint/Category/Filter/ParentFilter.php), so the tree is walked with
   * `parent=<id>`, breadth first.
   */
  async listCategories(): Promise<Json[]> {
    const op = 'categories.list';
    const out: Json[] = [];
    const seen = new Set<number>();
    let level = this.validList('Category', await this.client.getAll<unknown>('/api/categories', {}, { operation: op }), op);
    for (let depth = 0; level.length > 0 && depth < 100; depth++) {
      const next: Json[] = [];
      for (const c of level) {
        const id = c.id as number;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(c);
        next.push(...this.validList('Category', await this.client.getAll<unknown>('/api/categories', { parent: id }, { operation: op }), op));
      }
      level = next;
    }
    return out;
  }

  /**
   * The sub-resource lists {product_id}; products come from the catalogue index, or one GET each if
   * missing. It ignores page/itemsPerPage (one GET returns every product), so it is read with one GET:
   * a pager waiting for a short page would loop on a category of 100 products or more.
   */
  async getCategoryProducts(categoryId: number): Promise<XcartProduct[]> {
    const op = 'categories.products';
    const refs = this.validList('CategoryProduct', await this.client.get<unknown>(`/api/categories/${int(categoryId, op, 'category_id')}/products`, undefined, op), op);
    if (refs.length === 0) return [];
    const out: XcartProduct[] = [];
    const ids = new Set<number>();
    for (const r of refs) {
      const id = r.product_id as number;
      if (ids.has(id)) continue;
      ids.add(id);
      const p = (await this.skus.byId(id)) ?? await this.client.get(`/api/products/${id}`, undefined, op);
      out.push(this.valid('Product', p, op) as XcartProduct);
    }
    return out;
  }

  /**
   * The categories of each product and the ancestry of its first one (nearest first, up to the root's
   * child). X-Cart's Product output has no categories, so the assignments come from each category's
   * GET /api/categories/{id}/products (product ids only: the products themselves are not fetched),
   * and the tree from categories.list. Nothing is requested for an empty list.
   */
  async categoriesOfProducts(productIds: number[]): Promise<Json[]> {
    const op = 'categories.of_products';
    if (!Array.isArray(productIds)) throw new ConnectorError('product_ids must be a list of product ids', { errorClass: 'invalid', system: 'xcart', operation: op, field: 'product_ids' });
    const wanted = [...new Set(productIds.map((id) => int(id, op, 'product_ids')))];
    if (wanted.length === 0) return [];
    const tree = await this.listCategories();
    const parent = new Map<number, number | null>(tree.map((c) => [c.id as number, (c.parent as number | null) ?? null]));
    const of = new Map<number, number[]>(wanted.map((id) => [id, []]));
    for (const c of tree) {
      const id = c.id as number;
      const refs = this.validList('CategoryProduct', await this.client.get<unknown>(`/api/categories/${id}/products`, undefined, op), op);
      for (const r of refs) of.get(r.product_id as number)?.push(id);
    }
    return wanted.map((pid) => {
      const cats = [...new Set(of.get(pid)!)];
      const ancestry: number[] = [];
      for (let at: number | null | undefined = cats[0]; at !== undefined && at !== null && parent.has(at) && !ancestry.includes(at); at = parent.get(at)) ancestry.push(at);
      return { product_id: pid, category_ids: cats, ancestry };
    });
  }

  async listCoupons(): Promise<Json[]> {
    const op = 'coupons.list';
    return this.validList('Coupon', await this.client.getAll<unknown>('/api/coupons', {}, { operation: op }), op);
  }

  async createCoupon(coupon: Json): Promise<Json> {
    const op = 'coupons.create';
    return this.valid('Coupon', await this.client.post('/api/coupons', writable(coupon), op), op);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** True when the store honours lastRenewDate[after] (5.5.1+): a far-future bound must return nothing. */
  private async probeLastRenewFilter(): Promise<boolean> {
    let list: unknown;
    try {
      list = await this.client.get<unknown>('/api/orders', { 'lastRenewDate[after]': FAR_FUTURE, itemsPerPage: 1 }, 'orders.list_changed');
    } catch (e) {
      // A store that honours the filter has no order to serialise here; a 500 means it listed one
      // (and could not serialise it): the filter was ignored.
      if (e instanceof ConnectorError && e.status === 500) return false;
      throw e;
    }
    return Array.isArray(list) && list.length === 0;
  }

  private valid(entity: string, value: unknown, operation: string): Json {
    this.schemas.validate(entity, value, { operation });
    return value as Json;
  }

  private validList(entity: string, value: unknown, operation: string): Json[] {
    if (!Array.isArray(value)) {
      throw new ConnectorError(`X-Cart ${operation}: expected a list of ${entity}`, { errorClass: 'invalid', system: 'xcart', operation });
    }
    for (const v of value) this.schemas.validate(entity, v, { operation });
    return value as Json[];
  }
}

function writable(entity: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(entity)) if (!READ_ONLY.has(k) && v !== undefined) out[k] = v;
  return out;
}

function int(v: unknown, operation: string, field: string): number {
  if (!Number.isInteger(v)) throw new ConnectorError(`X-Cart ${operation}: ${field} must be an integer`, { errorClass: 'invalid', system: 'xcart', operation, field });
  return v as number;
}

function dateMs(s: string): number {
  return Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** X-Cart's ISO 8601 form, `2024-05-02T10:11:12+0000`. */
export function xcartDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + '+0000';
}

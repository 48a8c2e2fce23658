/**
 * The X-Cart connector's SKU → product index (products.find_by_sku). X-Cart 5.5 has no product
 * filter by SKU or by update date (GET /api/products takes only `order[name|price|arrivalDate]`,
 * ../../../../shared/reference/xcart-api.md), so:
 * - the catalogue is paged once (100 a page) and indexed; each product is kept as its JSON text,
 *   which is several times smaller than the parsed object, and parsed again only when looked up;
 * - a SKU the index lacks refreshes it incrementally, at most once per `missRefreshMs`: products are
 *   listed by id ascending (API Platform's default order, no `order` set on the Product resource in
 *   X-Cart 5.5.0.29 classes/XLite/Model/Product.php), so new products are on the last pages: the
 *   refresh steps back from the page after the last known product until a page starts at or below
 *   the highest id known, then reads forward to the end (a few GETs, not the whole catalogue);
 * - a product written through the connector (PUT) replaces its entry from the response; one the
 *   store answers 404 for is dropped (`forget`);
 * - the whole catalogue is paged again only after `rebuildMs` (SKU edits of existing products).
 */
import type { XcartClient } from './client.js';

type Product = Record<string, unknown> & { id: number; sku: string };

export interface SkuIndexOptions {
  /** Page the whole catalogue again after this long, in ms. Default 24 h. */
  rebuildMs?: number;
  /** Least time between two incremental refreshes caused by unknown SKUs, in ms. Default 30 s. */
  missRefreshMs?: number;
  /** The operation named in errors and metrics. */
  operation?: string;
  now?: () => number;
}

const PER_PAGE = 100;

export class SkuIndex {
  /** Lower-cased SKU → product id. */
  private bySku = new Map<string, number>();
  /** Product id → its JSON text. */
  private texts = new Map<number, string>();
  private maxId = 0;
  private builtAt: number | undefined;
  private refreshedAt = 0;
  private loading: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly client: XcartClient, private readonly o: SkuIndexOptions = {}) {
    this.now = o.now ?? Date.now;
  }

  get size(): number { return this.texts.size; }

  /** The product with this SKU (case-insensitive), or null; builds or refreshes the index as needed. */
  async find(sku: string): Promise<Product | null> {
    await this.ready();
    let p = this.lookup(sku);
    if (p === null && this.now() - this.refreshedAt >= (this.o.missRefreshMs ?? 30_000)) {
      await this.shared(() => this.refreshTail());
      p = this.lookup(sku);
    }
    return p;
  }

  /** The indexed product with this id, or null (builds the index first if needed). */
  async byId(id: number): Promise<Product | null> {
    await this.ready();
    const text = this.texts.get(id);
    return text === undefined ? null : (JSON.parse(text) as Product);
  }

  /** Adds or replaces products (every page read, every PUT answered). */
  put(products: readonly unknown[]): void {
    for (const x of products) {
      if (!x || typeof x !== 'object') continue;
      const p = x as Product;
      if (!Number.isInteger(p.id)) continue;
      const old = this.texts.get(p.id);
      if (old !== undefined) {
        const oldSku = (JSON.parse(old) as Product).sku;
        if (typeof oldSku === 'string' && this.bySku.get(oldSku.toLowerCase()) === p.id) this.bySku.delete(oldSku.toLowerCase());
      }
      this.texts.set(p.id, JSON.stringify(p));
      if (typeof p.sku === 'string') this.bySku.set(p.sku.toLowerCase(), p.id);
      if (p.id > this.maxId) this.maxId = p.id;
    }
  }

  /** Drops a product the store no longer has. */
  forget(id: number): void {
    const text = this.texts.get(id);
    if (text === undefined) return;
    const sku = (JSON.parse(text) as Product).sku;
    if (typeof sku === 'string' && this.bySku.get(sku.toLowerCase()) === id) this.bySku.delete(sku.toLowerCase());
    this.texts.delete(id);
  }

  private lookup(sku: string): Product | null {
    const id = this.bySku.get(sku.toLowerCase());
    const text = id === undefined ? undefined : this.texts.get(id);
    return text === undefined ? null : (JSON.parse(text) as Product);
  }

  private async ready(): Promise<void> {
    if (this.builtAt !== undefined && this.now() - this.builtAt < (this.o.rebuildMs ?? 86_400_000)) return;
    await this.shared(() => this.build());
  }

  /** Concurrent callers share one load. */
  private shared(load: () => Promise<void>): Promise<void> {
    this.loading ??= load().finally(() => { this.loading = undefined; });
    return this.loading;
  }

  private async build(): Promise<void> {
    const at = this.now();
    const fresh = new SkuIndex(this.client, this.o);
    for await (const page of this.client.pages<unknown>('/api/products', {}, this.pageOpts())) fresh.put(page);
    this.bySku = fresh.bySku; this.texts = fresh.texts; this.maxId = fresh.maxId;
    this.builtAt = at;
    this.refreshedAt = at;
  }

  private async refreshTail(): Promise<void> {
    this.refreshedAt = this.now();
    let page = Math.max(1, Math.floor(this.texts.size / PER_PAGE) + 1);
    // Step back while the page starts above the highest known id (products deleted before it).
    for (;;) {
      const items = await this.getPage(page);
      const first = items[0] as Product | undefined;
      if (page > 1 && (first === undefined || first.id > this.maxId)) { page--; continue; }
      this.put(items);
      if (items.length < PER_PAGE) return;
      break;
    }
    for (page++; ; page++) {
      const items = await this.getPage(page);
      this.put(items);
      if (items.length < PER_PAGE) return;
    }
  }

  private async getPage(page: number): Promise<unknown[]> {
    const items = await this.client.get<unknown>('/api/products', { page, itemsPerPage: PER_PAGE }, this.o.operation);
    return Array.isArray(items) ? items : [];
  }

  private pageOpts(): { itemsPerPage: number; operation?: string } {
    return this.o.operation === undefined ? { itemsPerPage: PER_PAGE } : { itemsPerPage: PER_PAGE, operation: this.o.operation };
  }
}

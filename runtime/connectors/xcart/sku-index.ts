/**
 * The X-Cart connector's SKU → product index (products.find_by_sku). X-Cart 5.5 has no product
 * filter by SKU or by update date (GET /api/products takes only `order[name|price|arrivalDate]`,
 * ../../../../shared/reference/xcart-api.md), so:
 * - the catalogue is paged once (100 a page) and indexed off the heap, in a private temporary SQLite
 *   database (deleted when closed; SQLite keeps a small page cache and the rest on disk), each product
 *   as its JSON text, so 100,000 products do not weigh on flowd's memory; a look-up is one indexed
 *   SELECT and a JSON.parse;
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
import { openDatabase, type Database, type Statement } from '../../store/sqlite-driver.js';

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

/** One generation of the index: a private temporary database ('' = on disk, removed on close). */
class Table {
  private readonly db: Database;
  private readonly upsert: Statement;
  private readonly bySkuStmt: Statement<string>;
  private readonly byIdStmt: Statement<string>;
  private readonly del: Statement;
  private readonly idsStmt: Statement<number>;
  private readonly tx: (rows: readonly Product[]) => void;
  size = 0;
  maxId = 0;

  constructor() {
    this.db = openDatabase('');
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -2048'); // 2 MB of pages in memory, the rest on disk
    this.db.exec('CREATE TABLE product (id INTEGER PRIMARY KEY, sku TEXT, json TEXT NOT NULL); CREATE INDEX product_sku ON product (sku)');
    this.upsert = this.db.prepare('INSERT INTO product (id, sku, json) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, json = excluded.json');
    this.bySkuStmt = this.db.prepare<string>('SELECT json FROM product WHERE sku = ? ORDER BY id DESC LIMIT 1').pluck();
    this.byIdStmt = this.db.prepare<string>('SELECT json FROM product WHERE id = ?').pluck();
    this.del = this.db.prepare('DELETE FROM product WHERE id = ?');
    this.idsStmt = this.db.prepare<number>('SELECT id FROM product WHERE id > ? ORDER BY id').pluck();
    const has = this.db.prepare<number>('SELECT 1 FROM product WHERE id = ?').pluck();
    this.tx = this.db.transaction((rows: readonly Product[]) => {
      for (const p of rows) {
        if (has.get(p.id) === undefined) this.size++;
        this.upsert.run(p.id, typeof p.sku === 'string' ? p.sku.toLowerCase() : null, JSON.stringify(p));
        if (p.id > this.maxId) this.maxId = p.id;
      }
    });
  }
  put(rows: readonly Product[]): void { if (rows.length) this.tx(rows); }
  bySku(sku: string): Product | null { const t = this.bySkuStmt.get(sku.toLowerCase()); return t === undefined ? null : (JSON.parse(t) as Product); }
  byId(id: number): Product | null { const t = this.byIdStmt.get(id); return t === undefined ? null : (JSON.parse(t) as Product); }
  forget(id: number): void { if (this.del.run(id).changes) this.size--; }
  ids(afterId: number): number[] { return this.idsStmt.all(afterId); }
  close(): void { if (this.db.open) this.db.close(); }
}

export class SkuIndex {
  private table = new Table();
  private builtAt: number | undefined;
  private refreshedAt = 0;
  private loading: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly client: XcartClient, private readonly o: SkuIndexOptions = {}) {
    this.now = o.now ?? Date.now;
  }

  get size(): number { return this.table.size; }

  /** Removes the temporary database. */
  close(): void { this.table.close(); }

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
    return this.table.byId(id);
  }

  /** Adds or replaces products (every page read, every PUT answered). */
  put(products: readonly unknown[]): void {
    this.table.put(products.filter((x): x is Product => !!x && typeof x === 'object' && Number.isInteger((x as Product).id)));
  }

  /** The ids of the indexed products above `afterId`, ascending (builds the index first if needed). */
  async productIds(afterId = 0): Promise<number[]> {
    await this.ready();
    return this.table.ids(afterId);
  }

  /** Drops a product the store no longer has. */
  forget(id: number): void { this.table.forget(id); }

  private lookup(sku: string): Product | null { return this.table.bySku(sku); }

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
    const fresh = new Table();
    try {
      for await (const page of this.client.pages<unknown>('/api/products', {}, this.pageOpts())) {
        fresh.put(page.filter((x): x is Product => !!x && typeof x === 'object' && Number.isInteger((x as Product).id)));
      }
    } catch (e) { fresh.close(); throw e; }
    const old = this.table;
    this.table = fresh;
    old.close();
    this.builtAt = at;
    this.refreshedAt = at;
  }

  private async refreshTail(): Promise<void> {
    this.refreshedAt = this.now();
    let page = Math.max(1, Math.floor(this.table.size / PER_PAGE) + 1);
    // Step back while the page starts above the highest known id (products deleted before it).
    for (;;) {
      const items = await this.getPage(page);
      const first = items[0] as Product | undefined;
      if (page > 1 && (first === undefined || first.id > this.table.maxId)) { page--; continue; }
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

/**
 * The X-Cart connector's SKU → product variant index (variants.find_by_sku). The real X-Cart
 * 5.5.0.29 API has a variant resource only under its product
 * (modules/XC/ProductVariants/src/Model/ProductVariant.php: GET /api/products/{product_id}/variants,
 * no @ApiFilter, no top-level collection; runtime/sandbox/xcart/README.md, "Product variants"), and
 * the product resource does not say whether a product has variants
 * (classes/XLite/API/Endpoint/Product/DTO/Output.php). So:
 * - the first look-up lists the variants of every product in the product SKU index (sku-index.ts):
 *   one GET per product (more for a product with over 100 variants), once per `rebuildMs` (default
 *   24 h). On a catalogue of N products that is N requests at `connections.xcart.rate_per_second`:
 *   the price of finding variants by SKU on this API. The listing runs in the background: a look-up
 *   waits for it up to `buildWaitMs` (10 s), then fails as transient naming how far it got (the
 *   flow's retry policy runs the item again), so a flow job is never held for hours; a later
 *   listing replaces the index when done while the old one answers;
 * - a SKU the index lacks lists the variants of the products added since (ids above the last one
 *   scanned; the product index has just refreshed its tail for the same miss), at most once per
 *   `missRefreshMs`; a variant added to an older product is found at the next full scan;
 * - a variant written through the connector (PUT) replaces its entry from the answer, one the store
 *   answers 404 for is dropped;
 * - entries live in a private temporary SQLite database (removed on close), as the product index's.
 * Variant SKUs are matched case-insensitively, like product SKUs. A variant without a SKU of its own
 * (null or empty: the store shows the product's, Model/ProductVariant.php getDisplaySku) is not
 * indexed: a Sage Pro item with that SKU is the product. A product answered 404 while scanning
 * (deleted meanwhile) is passed over.
 */
import type { XcartClient } from './client.js';
import type { SkuIndex } from './sku-index.js';
import { ConnectorError } from '../errors.js';
import { openDatabase, type Database, type Statement } from '../../store/sqlite-driver.js';

type Variant = Record<string, unknown> & { id: number; sku: string | null };

/** A variant found by SKU: the variant as the API returns it and the id of its product. */
export interface FoundVariant { productId: number; variant: Variant }

export interface VariantIndexOptions {
  /** List every product's variants again after this long, in ms. Default 24 h. */
  rebuildMs?: number;
  /** Least time between two scans of new products caused by unknown SKUs, in ms. Default 30 s. */
  missRefreshMs?: number;
  /** How long a look-up waits for the first listing before failing as transient, in ms. Default 10 s. */
  buildWaitMs?: number;
  /** The operation named in errors and metrics. */
  operation?: string;
  now?: () => number;
}

const PER_PAGE = 100;

class Table {
  private readonly db: Database;
  private readonly upsert: Statement;
  private readonly bySkuStmt: Statement<{ product_id: number; json: string }>;
  private readonly delProduct: Statement;
  private readonly delOne: Statement;
  private readonly tx: (productId: number, rows: readonly Variant[]) => void;

  constructor() {
    this.db = openDatabase('');
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -1024');
    this.db.exec('CREATE TABLE variant (id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL, sku TEXT, json TEXT NOT NULL); CREATE INDEX variant_sku ON variant (sku); CREATE INDEX variant_product ON variant (product_id)');
    this.upsert = this.db.prepare('INSERT INTO variant (id, product_id, sku, json) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET product_id = excluded.product_id, sku = excluded.sku, json = excluded.json');
    this.bySkuStmt = this.db.prepare<{ product_id: number; json: string }>('SELECT product_id, json FROM variant WHERE sku = ? ORDER BY id DESC LIMIT 1');
    this.delProduct = this.db.prepare('DELETE FROM variant WHERE product_id = ?');
    this.delOne = this.db.prepare('DELETE FROM variant WHERE id = ?');
    this.tx = this.db.transaction((productId: number, rows: readonly Variant[]) => {
      for (const v of rows) this.upsert.run(v.id, productId, typeof v.sku === 'string' && v.sku !== '' ? v.sku.toLowerCase() : null, JSON.stringify(v));
    });
  }
  /** Replaces the variants of one product. */
  replace(productId: number, rows: readonly Variant[]): void { this.delProduct.run(productId); this.tx(productId, rows); }
  put(productId: number, v: Variant): void { this.tx(productId, [v]); }
  forget(id: number): void { this.delOne.run(id); }
  bySku(sku: string): FoundVariant | null {
    const r = this.bySkuStmt.get(sku.toLowerCase());
    return r === undefined ? null : { productId: r.product_id, variant: JSON.parse(r.json) as Variant };
  }
  close(): void { if (this.db.open) this.db.close(); }
}

const isVariant = (x: unknown): x is Variant => !!x && typeof x === 'object' && Number.isInteger((x as Variant).id);

export class VariantIndex {
  private table = new Table();
  private builtAt: number | undefined;
  private refreshedAt = 0;
  /** The highest product id whose variants were listed. */
  private scannedTo = 0;
  /** The full listing under way (in the background), and how far it got. */
  private building: Promise<void> | undefined;
  private progress = { done: 0, of: 0 };
  private buildError: unknown;
  private refreshing: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly client: XcartClient, private readonly products: SkuIndex, private readonly o: VariantIndexOptions = {}) {
    this.now = o.now ?? Date.now;
  }

  close(): void { this.table.close(); }

  /** The variant with this SKU (case-insensitive) and its product id, or null. */
  async find(sku: string): Promise<FoundVariant | null> {
    if (sku.trim() === '') return null;
    await this.ready();
    let v = this.table.bySku(sku);
    if (v === null && this.now() - this.refreshedAt >= (this.o.missRefreshMs ?? 30_000)) {
      this.refreshing ??= this.scanNew(sku).finally(() => { this.refreshing = undefined; });
      await this.refreshing;
      v = this.table.bySku(sku);
    }
    return v;
  }

  /** A variant the store answered for a write. */
  put(productId: number, v: unknown): void { if (isVariant(v) && this.builtAt !== undefined) this.table.put(productId, v); }

  /** A variant the store no longer has. */
  forget(variantId: number): void { this.table.forget(variantId); }

  /**
   * The first listing runs in the background: a look-up waits for it up to `buildWaitMs`, then fails
   * as transient (the flow's retry policy runs it again later), so no flow job is held for the
   * hours a big catalogue takes. A later full listing (after `rebuildMs`) replaces the index when
   * done, while the old one keeps answering.
   */
  private async ready(): Promise<void> {
    if (this.buildError !== undefined) { const e = this.buildError; this.buildError = undefined; throw e; }
    const stale = this.builtAt === undefined || this.now() - this.builtAt >= (this.o.rebuildMs ?? 86_400_000);
    if (stale && !this.building) {
      const b = this.build();
      this.building = b;
      // A failed later listing leaves the old index answering; a failed first one is the next look-up's error.
      b.then(() => { this.building = undefined; }, (e: unknown) => { this.building = undefined; if (this.builtAt === undefined) this.buildError = e; });
    }
    if (this.builtAt !== undefined || !this.building) return;
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      this.building.then(() => 'built', () => 'failed'),
      new Promise<'waiting'>((r) => { timer = setTimeout(() => r('waiting'), this.o.buildWaitMs ?? 10_000); }),
    ]).finally(() => clearTimeout(timer));
    if (waited === 'failed') { const e = this.buildError; this.buildError = undefined; throw e; }
    if (waited === 'waiting') {
      throw new ConnectorError(`X-Cart ${this.o.operation ?? 'variants.find_by_sku'}: listing every product's variants to find variants by SKU (the API has no SKU filter): ${this.progress.done} of ${this.progress.of} products so far; try again later`, {
        errorClass: 'transient', system: 'xcart', ...(this.o.operation !== undefined ? { operation: this.o.operation } : {}),
      });
    }
  }

  private async build(): Promise<void> {
    const at = this.now();
    const fresh = new Table();
    let to = 0;
    try {
      const ids = await this.products.productIds(0);
      this.progress = { done: 0, of: ids.length };
      for (const id of ids) { await this.scan(fresh, id); to = id; this.progress.done++; }
    } catch (e) { fresh.close(); throw e; }
    const old = this.table;
    this.table = fresh;
    old.close();
    this.scannedTo = to;
    this.builtAt = at;
    this.refreshedAt = at;
  }

  private async scanNew(sku: string): Promise<void> {
    this.refreshedAt = this.now();
    await this.products.find(sku); // a miss there reads the product list's last pages (new products)
    for (const id of await this.products.productIds(this.scannedTo)) { await this.scan(this.table, id); this.scannedTo = id; }
  }

  /** Lists one product's variants into the table; a product deleted meanwhile (404) has none. */
  private async scan(table: Table, productId: number): Promise<void> {
    const rows: Variant[] = [];
    try {
      for await (const page of this.client.pages<unknown>(`/api/products/${productId}/variants`, {}, this.pageOpts())) rows.push(...page.filter(isVariant));
    } catch (e) {
      if (e instanceof ConnectorError && e.errorClass === 'not_found') { this.products.forget(productId); table.replace(productId, []); return; }
      throw e;
    }
    table.replace(productId, rows);
  }

  private pageOpts(): { itemsPerPage: number; operation?: string } {
    return this.o.operation === undefined ? { itemsPerPage: PER_PAGE } : { itemsPerPage: PER_PAGE, operation: this.o.operation };
  }
}

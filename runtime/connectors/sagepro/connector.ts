/**
 * The Sage Pro connector: one method per catalog operation (mappings/schemas/sagepro/operations.yaml),
 * each in one database transaction, over ODBC with parameterised statements only.
 *
 * Columns come from the install (SQLColumns, cached per table), property ↔ column mapping and
 * justification from the entity schemas; the storage rules (storage.ts) apply to every write.
 * Derived totals are maintained as Sage Pro's own order entry would: ICILOC.LSOALOC,
 * ARCUST.ONORDER, ARCUST.BALANCE; next numbers the way the site says (numbering.ts).
 *
 * Installs differ (reference 0b): tables are found through the site's layout (tables.ts), the
 * writes fill only the columns the install has (read once per table with SQLColumns), optional
 * columns are read only when present, and a column a flow maps but the install lacks is an
 * `invalid` error before the first write. Every write that is not naturally repeatable records a
 * reference inside its own transaction and checks it, so a repeat returns the first result.
 *
 * This file is the public face; the work is by concern: context.ts (connection, transactions,
 * catalog, row helpers), sales-orders.ts, customers.ts, inventory.ts, receivables.ts (and GL),
 * polling.ts (the change queries the triggers run).
 */
import { ConnectorError } from '../errors.js';
import type { PreviousHashes, RowChange } from './changes.js';
import type { Dialect } from './dialect.js';
import { checkInstall, installTablesOf, type InstallProblem } from './preflight.js';
import type { Catalog, SchemaSet } from './schemas.js';
import type { TableShape } from './storage.js';
import type { TableResolver } from './tables.js';
import { SageProContext, type Obj, type SageProConnectorOptions } from './context.js';
import * as salesOrders from './sales-orders.js';
import * as customers from './customers.js';
import * as inventory from './inventory.js';
import * as receivables from './receivables.js';
import * as polling from './polling.js';
import * as creditMemos from './credit-memos.js';
import * as salesOrderChanges from './sales-order-changes.js';

export { loadSageProCatalog } from './schemas.js';
export { evalComputed, type SageProConnectorOptions } from './context.js';

export class SageProConnector {
  readonly dialect: Dialect;
  readonly schemas: SchemaSet;
  readonly catalog: Catalog;
  readonly tables: TableResolver;
  private readonly c: SageProContext;
  private readonly methods: Record<string, (args: Obj) => Promise<unknown>>;

  constructor(options: SageProConnectorOptions) {
    this.c = new SageProContext(options);
    this.dialect = this.c.dialect;
    this.schemas = this.c.schemas;
    this.catalog = this.c.catalog;
    this.tables = this.c.tables;
    this.methods = {
      'sales_orders.create': (a) => this.createSalesOrder(a.order as Obj),
      'sales_orders.get': (a) => this.getSalesOrder(String(a.number)),
      'sales_orders.find_by_ref': (a) => this.findSalesOrderByRef(String(a.external_ref)),
      'sales_orders.status': (a) => this.salesOrderStatus(String(a.number)),
      'customers.get': (a) => this.getCustomer(String(a.number)),
      'customers.find_by_email': (a) => this.findCustomerByEmail(String(a.email)),
      'customers.upsert': (a) => this.upsertCustomer(a.customer as Obj),
      'customers.set_email': (a) => this.setCustomerEmail(String(a.number), String(a.email)),
      'inventory.level': (a) => this.inventoryLevel(String(a.item), String(a.location)),
      'inventory.levels': (a) => this.inventoryLevels(a.location === undefined || a.location === null ? null : String(a.location)),
      'inventory.item': (a) => this.inventoryItem(String(a.item)),
      'receivables.post_invoice': (a) => this.postInvoice(a.invoice as Obj),
      'receivables.post_payment': (a) => this.postPayment(a.payment as Obj),
      'gl.accounts': () => this.glAccounts(),
      'receivables.get_invoice': (a) => creditMemos.getInvoice(this.c, String(a.number)),
      'receivables.post_credit_memo': (a) => this.postCreditMemo(a.memo as Obj),
      'sales_orders.cancel': (a) => salesOrderChanges.cancelSalesOrder(this.c, String(a.number)),
      'sales_orders.reduce': (a) => salesOrderChanges.reduceSalesOrder(this.c, a.change as Obj),
    };
  }

  /** Catalog names this connector implements. */
  operationNames(): string[] { return Object.keys(this.methods); }

  /** Calls an operation by its catalog name. */
  async call(operation: string, args: Record<string, unknown>): Promise<unknown> {
    const m = this.methods[operation];
    if (!m || !this.catalog.operations[operation]) {
      throw new ConnectorError(`unknown Sage Pro operation '${operation}'`, { errorClass: 'invalid', system: 'sagepro', operation });
    }
    for (const p of this.catalog.operations[operation]!.params) {
      if (!p.type.endsWith('?') && (args[p.name] === undefined || args[p.name] === null)) {
        throw new ConnectorError(`${operation}: parameter '${p.name}' is required`, { errorClass: 'invalid', system: 'sagepro', operation, field: p.name });
      }
    }
    return this.c.guard(operation, () => m(args));
  }

  close(): Promise<void> { return this.c.close(); }

  /** The install's columns of a table (SQLColumns), cached; an `invalid` error when the install has no such table. */
  shape(table: string): Promise<TableShape> { return this.c.shape(table); }

  /** As shape(), null when the install has no such table (optional tables such as ARCASH). */
  shapeOrNull(table: string): Promise<TableShape | null> { return this.c.shapeOrNull(table); }

  /** Forgets cached table shapes (after a schema change on the install). */
  resetShapes(): void { this.c.resetShapes(); }

  /** The problems of this install for a set of operations (pure check over the catalog read here; writes nothing). */
  async checkInstall(operations: string[] = Object.keys(this.catalog.operations)): Promise<InstallProblem[]> {
    const catalog = new Map<string, TableShape | null>();
    for (const t of installTablesOf(operations, this.c.numbering)) catalog.set(t, await this.shapeOrNull(t));
    return checkInstall({
      operations, catalog, numbering: this.c.numbering, defaultLocation: this.c.opts.defaultLocation, schemas: this.schemas,
      externalRefColumn: this.c.externalRefColumn(),
      tableName: (t) => this.tables.resolve(t).sql,
    });
  }

  /**
   * Start-up check: the configuration's own mistakes (a default location wider than LOCTID, a
   * numbering table or column the install lacks) are an `invalid` error listing them; a
   * database that cannot be reached is left to the operations (transient, retried).
   */
  async verifyConfiguration(): Promise<InstallProblem[]> {
    const problems = await this.checkInstall();
    const fatal = problems.filter((p) => p.severity === 'error' && p.config);
    if (fatal.length) {
      throw new ConnectorError(`Sage Pro configuration does not fit this install:\n${fatal.map((p) => `  ${p.config}: ${p.message}`).join('\n')}`, {
        errorClass: 'invalid', system: 'sagepro', operation: 'start', ...(fatal[0]!.table ? { table: fatal[0]!.table } : {}), ...(fatal[0]!.column ? { column: fatal[0]!.column } : {}),
      });
    }
    return problems;
  }

  // ---------------------------------------------------------------- the operations (one file per concern)

  getSalesOrder(number: string): Promise<Obj | null> { return salesOrders.getSalesOrder(this.c, number); }
  findSalesOrderByRef(externalRef: string): Promise<Obj | null> { return salesOrders.findSalesOrderByRef(this.c, externalRef); }
  createSalesOrder(order: Obj): Promise<Obj> { return salesOrders.createSalesOrder(this.c, order); }
  salesOrderStatus(number: string): Promise<Obj | null> { return salesOrders.salesOrderStatus(this.c, number); }

  getCustomer(number: string): Promise<Obj | null> { return customers.getCustomer(this.c, number); }
  findCustomerByEmail(email: string): Promise<Obj | null> { return customers.findCustomerByEmail(this.c, email); }
  upsertCustomer(customer: Obj): Promise<Obj> { return customers.upsertCustomer(this.c, customer); }
  setCustomerEmail(number: string, email: string): Promise<Obj> { return customers.setCustomerEmail(this.c, number, email); }

  inventoryLevel(item: string, location: string): Promise<Obj | null> { return inventory.inventoryLevel(this.c, item, location); }
  inventoryLevels(location: string | null): Promise<Obj[]> { return inventory.inventoryLevels(this.c, location); }
  inventoryItem(item: string): Promise<Obj | null> { return inventory.inventoryItem(this.c, item); }

  postInvoice(invoice: Obj): Promise<Obj> { return receivables.postInvoice(this.c, invoice); }
  postPayment(payment: Obj): Promise<Obj> { return receivables.postPayment(this.c, payment); }
  glAccounts(): Promise<Obj[]> { return receivables.glAccounts(this.c); }
  postCreditMemo(memo: Obj): Promise<Obj> { return creditMemos.postCreditMemo(this.c, memo); }

  /**
   * Rows of an entity's main table whose hash differs from `previous` (added / changed), then the
   * previously known keys that are gone (deleted; needs `previous.keys`); see polling.ts.
   */
  changedRows(entity: string, previous: PreviousHashes, opts: { keyColumns?: string[]; fetchSize?: number; table?: string } = {}): AsyncGenerator<RowChange<Obj>> {
    return polling.changedRows(this.c, entity, previous, opts);
  }
}

/**
 * Minimal Sage Pro items (ICITEM + one ICILOC row), made by `sales_orders.create` when the order's
 * unknown-item policy is `create_item`: an X-Cart SKU that Sage Pro lacks becomes an item so the
 * order can be booked, for a person to complete later (costs, GL links, product line).
 *
 * What a minimal item is, from the reference (sagepro-tables.md 2.4): ICITEM.ITEM C(15) (the key),
 * ITMDESC, PRICE and the item class ITMCLSS (lookups/category-item-class.yaml through the X-Cart
 * category tree); every other column gets its blank / zero / empty-date default (no NULLs, storage
 * rules). The item/location row in ICILOC (ITEM + LOCTID, every quantity 0) is what lets the order's
 * line allocate there (LSOALOC), as for any stocked item. Both rows are written in the order's own
 * transaction, so a failed order leaves no item behind and a repeat finds the item made the first time.
 */
import type { Session } from './odbc.js';
import type { SageProContext } from './context.js';

export interface MinimalItem {
  item: string;
  description: string;
  price: number;
  /** ICITEM.ITMCLSS; '' when no category of the product is mapped. */
  itemClass: string;
  location: string;
}

export async function createMinimalItem(c: SageProContext, s: Session, it: MinimalItem, op: string): Promise<void> {
  await c.insert(s, 'ICITEM', { ITEM: it.item, ITMDESC: it.description, PRICE: it.price, ITMCLSS: it.itemClass, IONHAND: 0, ...c.stamp() }, op);
  await c.insert(s, 'ICILOC', { ITEM: it.item, LOCTID: it.location, LONHAND: 0, LSOALOC: 0, LWOALOC: 0, ...c.stamp() }, op);
}

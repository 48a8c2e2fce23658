/** Inventory reads: one item at one location, all levels (of a location), an item (ICILOC, ICITEM). */
import type { Param } from './odbc.js';
import type { Obj, SageProContext } from './context.js';

export function inventoryLevel(c: SageProContext, item: string, location: string): Promise<Obj | null> {
  return c.tx('inventory.level', async (s) => {
    const e = c.schemas.get('InventoryLevel');
    const r = await c.selectRows(s, e, 'ICILOC', [['ITEM', await c.key('ICILOC', 'ITEM', item)], ['LOCTID', await c.key('ICILOC', 'LOCTID', location)]]);
    return r.rows.length ? c.decode(e, r.maps, r.rows[0]!) : null;
  });
}

export function inventoryLevels(c: SageProContext, location: string | null): Promise<Obj[]> {
  return c.tx('inventory.levels', async (s) => {
    const e = c.schemas.get('InventoryLevel');
    const where: [string, Param][] = location ? [['LOCTID', await c.key('ICILOC', 'LOCTID', location)]] : [];
    const r = await c.selectRows(s, e, 'ICILOC', where, ['ITEM', 'LOCTID']);
    return r.rows.map((row) => c.decode(e, r.maps, row));
  });
}

export function inventoryItem(c: SageProContext, item: string): Promise<Obj | null> {
  return c.tx('inventory.item', async (s) => {
    const e = c.schemas.get('InventoryItem');
    const r = await c.selectRows(s, e, 'ICITEM', [['ITEM', await c.key('ICITEM', 'ITEM', item)]]);
    return r.rows.length ? c.decode(e, r.maps, r.rows[0]!) : null;
  });
}

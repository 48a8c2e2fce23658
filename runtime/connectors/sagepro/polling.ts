/**
 * The queries the triggers poll: an entity's main table streamed through an ODBC cursor and
 * compared row by row with the hashes the store keeps (changes.ts).
 */
import { ConnectorError } from '../errors.js';
import { ident } from './dialect.js';
import { Session, toConnectorError } from './odbc.js';
import { changedRows as changedRowsOf, type PreviousHashes, type RowChange } from './changes.js';
import type { Obj, SageProContext } from './context.js';

/**
 * Rows of an entity's main table whose hash differs from `previous` (added / changed), then the
 * previously known keys that are gone (deleted; needs `previous.keys`). Streams through an ODBC
 * cursor `fetchSize` rows at a time. Keys are the trimmed key columns joined with '|'
 * (default: the schema's `x-sagepro.key`). The row given back is the entity in logical form.
 */
export async function* changedRows(c: SageProContext, entity: string, previous: PreviousHashes, opts: { keyColumns?: string[]; fetchSize?: number; table?: string } = {}): AsyncGenerator<RowChange<Obj>> {
  const e = c.schemas.get(entity);
  const table = (opts.table ?? e.table).toUpperCase();
  const keyCols = (opts.keyColumns ?? e.key).map((k) => ident(k.toUpperCase()));
  if (!keyCols.length) throw c.invalid(`${entity}: no key columns`, 'changes');
  const maps = await c.present(e, table);
  const cols = new Set([...keyCols, ...maps.map((m) => m.column)]);
  for (const x of e.computed) for (const t of x.expression.match(/[A-Za-z_]\w*/g) ?? []) cols.add(t.toUpperCase());
  const sql = `SELECT ${[...cols].map(ident).join(', ')} FROM ${c.t(table)}${c.where([])} ORDER BY ${keyCols.join(', ')}`;
  const conn = await c.pool.acquire();
  let broken = false;
  try {
    yield* changedRowsOf(new Session(conn), {
      sql,
      key: (r) => keyCols.map((k) => String(r[k] ?? '').trim()).join('|'),
      project: (r) => c.decode(e, maps, r),
    }, previous, opts.fetchSize !== undefined ? { fetchSize: opts.fetchSize } : {});
  } catch (err) {
    broken = !(err instanceof ConnectorError);
    throw err instanceof ConnectorError ? err : toConnectorError(err, { dsn: c.opts.dsn, operation: 'changes', table });
  } finally {
    c.pool.release(conn, broken);
  }
}

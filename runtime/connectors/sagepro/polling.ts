/**
 * The queries the triggers poll: an entity's main table streamed through an ODBC cursor and
 * compared row by row with the hashes the store keeps (changes.ts). The cursor binds only the
 * columns the entity maps, at their real widths, with a fetch size that fits (fetch-plan.ts).
 */
import { ConnectorError } from '../errors.js';
import { ident } from './dialect.js';
import { Session, toConnectorError } from './odbc.js';
import { changedRows as changedRowsOf, type PreviousHashes, type RowChange } from './changes.js';
import type { Obj, SageProContext } from './context.js';
import { planFetch } from './fetch-plan.js';

/**
 * Rows of an entity's main table whose hash differs from `previous` (added / changed), then the
 * previously known keys that are gone (deleted; needs `previous.keys`). Streams through an ODBC
 * cursor at most `fetchSize` rows at a time (fewer when they would not fit the budget). Keys are the trimmed key columns joined with '|'
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
  const shape = await c.shape(table);
  const where = c.where([]);
  const conn = await c.pool.acquire();
  let broken = false;
  try {
    const session = new Session(conn);
    // Only these columns, memos in pieces of a real width, as many rows per fetch as fit (fetch-plan.ts).
    const plan = await planFetch(session, { dialect: c.dialect, shape, tableSql: c.t(table), columns: [...cols], where, ...(opts.fetchSize !== undefined ? { fetchSize: opts.fetchSize } : {}) });
    const sql = `SELECT ${plan.select.join(', ')} FROM ${c.t(table)}${where} ORDER BY ${keyCols.join(', ')}`;
    yield* changedRowsOf(session, {
      sql,
      key: (r) => keyCols.map((k) => String(r[k] ?? '').trim()).join('|'),
      project: (r) => c.decode(e, maps, plan.rebuild(r)),
    }, previous, { fetchSize: plan.fetchSize });
  } catch (err) {
    broken = !(err instanceof ConnectorError);
    throw err instanceof ConnectorError ? err : toConnectorError(err, { dsn: c.opts.dsn, operation: 'changes', table });
  } finally {
    c.pool.release(conn, broken);
  }
}

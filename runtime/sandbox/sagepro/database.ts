/**
 * The Sage Pro sandbox: a Sage Pro-shaped database (SQLite file by default; the same DDL and seed
 * load into PostgreSQL) reached through ODBC like a real install.
 *
 *   createSageProSandbox({ dbPath }) → { dsn: 'Driver=SQLite3;Database=<abs path>', created }
 *   sandboxDdl(engine)               → CREATE TABLE / CREATE INDEX statements
 *   loadSandbox(conn, engine)        → creates the tables and inserts the seed rows (every column supplied, no NULLs)
 *
 * Plain SQL of its own (types.ts, rows.ts, ddl.ts): nothing here comes from the connector.
 */
import fs from 'node:fs';
import path from 'node:path';
import odbc from 'odbc';
import { layoutDdl, type TableLayout } from './ddl.js';
import { insertRow, type SqlRunner } from './rows.js';
import { seedSandbox } from './seed.js';
import { SANDBOX_TABLES, sandboxTable } from './tables.js';
import type { Engine } from './types.js';

export { SEED_CUSTOMERS, SEED_GL_ACCOUNTS, SEED_ITEMS, SEED_ORDERS, seedSandbox } from './seed.js';
export { RIGHT_JUSTIFIED, type SqlRunner } from './rows.js';

/** The standard layout on an engine: `arcust` on SQLite / PostgreSQL, `arcust01` in VFP DDL. */
export function standardLayout(engine: Engine): TableLayout {
  return { engine, tables: SANDBOX_TABLES, physical: (t) => t.toLowerCase() + (engine === 'vfp' ? '01' : '') };
}

export function sandboxDdl(engine: Engine): string[] {
  return layoutDdl(standardLayout(engine));
}

/**
 * Inserts one complete row into a sandbox table, as the seed does (given values padded, every other
 * column blank): how tests add ERP-side data (a new item, a customer) without the connector.
 */
export async function insertSandboxRow(conn: SqlRunner, table: string, values: Record<string, unknown>, layout: TableLayout = standardLayout('sqlite')): Promise<void> {
  const t = layout.tables.find((x) => x.name === table.toUpperCase()) ?? sandboxTable(table);
  await insertRow(conn, layout.physical(t.name), t, values, layout.engine);
}

/** Creates the tables and seed rows in one transaction over an open connection. */
export async function loadSandbox(conn: odbc.Connection, engine: 'sqlite' | 'postgres'): Promise<void> {
  const layout = standardLayout(engine);
  await conn.beginTransaction();
  try {
    for (const stmt of layoutDdl(layout)) await conn.query(stmt);
    await seedSandbox(conn, layout);
    await conn.commit();
  } catch (e) {
    await conn.rollback().catch(() => undefined);
    throw e;
  }
}

/**
 * Creates the SQLite sandbox at `dbPath` (seeding it) unless it already holds the tables.
 * Returns the ODBC connection string for the SQLite3 driver.
 */
export async function createSageProSandbox(opts: { dbPath: string }): Promise<{ dsn: string; created: boolean }> {
  const abs = path.resolve(opts.dbPath);
  if (/[;{}]/.test(abs)) throw new Error('the sandbox database path must not contain ; { or }');
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  // Timeout: how long a connection waits for another's write lock (ms) before "database is locked",
  // which the connector classifies as transient (retried), instead of the driver's long default.
  const dsn = `Driver=SQLite3;Database=${abs};Timeout=5000`;
  // The DSN handed out says NoCreat=1: if the file goes missing later, connecting fails (an outage,
  // retried) instead of silently creating an empty database where every order would fail.
  const serveDsn = `${dsn};NoCreat=1`;
  const conn = await odbc.connect(dsn);
  try {
    // WAL (kept in the file): readers, such as a change-detection cursor, never block the writer.
    await conn.query('PRAGMA journal_mode=WAL');
    const tables = await conn.tables(null, null, 'somast', null);
    if (tables.length > 0) return { dsn: serveDsn, created: false };
    await loadSandbox(conn, 'sqlite');
    return { dsn: serveDsn, created: true };
  } finally {
    await conn.close();
  }
}

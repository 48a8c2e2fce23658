/**
 * The Sage Pro sandbox: a Sage Pro-shaped database (SQLite file by default; the same DDL and seed
 * load into PostgreSQL) reached through ODBC like a real install, in one of the install profiles of
 * profiles.ts (`standard` by default, `minimal`, `vfp-modules`).
 *
 *   createSageProSandbox({ dbPath, profile }) → { dsn, created, profile, attach, siteConfig }
 *   connectSageProSandbox(sandbox)            → an odbc Connection with the module files attached
 *   sandboxDdl(engine, profile)               → CREATE TABLE / CREATE INDEX statements
 *   loadSandbox(conn, engine, { profile })    → creates the tables and inserts the seed rows (every column supplied, no NULLs)
 *   insertSandboxRow(conn, table, values)     → one more complete row, as the seed writes them
 *
 * Plain SQL of its own (types.ts, rows.ts, ddl.ts): nothing here comes from the connector.
 */
import fs from 'node:fs';
import path from 'node:path';
import odbc from 'odbc';
import { layoutDdl, type TableLayout } from './ddl.js';
import { moduleFiles, PROFILE_NAMES, profileLayout, SAGEPRO_PROFILES, sandboxProfile, type ProfileName, type SandboxProfile, type SiteConfig } from './profiles.js';
import { insertRow, type SqlRunner } from './rows.js';
import { seedSandbox } from './seed.js';
import type { Engine } from './types.js';

export { SEED_CUSTOMERS, SEED_GL_ACCOUNTS, SEED_ITEMS, SEED_ORDERS, seedSandbox, seedInventoryScale, scaleItem } from './seed.js';
export { RIGHT_JUSTIFIED, EMPTY_DATE, type SqlRunner } from './rows.js';
export type { TableLayout } from './ddl.js';
export { DEFAULT_PROFILE, PROFILE_NAMES, SAGEPRO_PROFILES, sageproYaml, sandboxProfile, type ProfileName, type SandboxProfile, type SiteConfig } from './profiles.js';

/** The layout of a profile (default standard) on an engine: `arcust` on SQLite / PostgreSQL, `arcust01` in VFP DDL. */
export function standardLayout(engine: Engine, profile: SandboxProfile = SAGEPRO_PROFILES.standard): TableLayout {
  return profileLayout(profile, engine);
}

/** The table layout of a profile by name: `sandboxLayout('vfp-modules').physical('ARCUST')` is `ardata.arcust01`. */
export function sandboxLayout(profile: ProfileName = 'standard', engine: Engine = 'sqlite'): TableLayout {
  return profileLayout(sandboxProfile(profile), engine);
}

export function sandboxDdl(engine: Engine, profile: ProfileName = 'standard'): string[] {
  return layoutDdl(profileLayout(sandboxProfile(profile), engine));
}

/**
 * Inserts one complete row into a sandbox table, as the seed does (given values padded, every other
 * column blank; a column the table lacks is an error): how tests add ERP-side data (a new item, a
 * customer) without the connector. `layout` defaults to the standard profile on SQLite.
 */
export async function insertSandboxRow(conn: SqlRunner, table: string, values: Record<string, unknown>, layout: TableLayout = standardLayout('sqlite')): Promise<void> {
  const t = layout.tables.find((x) => x.name === table.toUpperCase());
  if (!t) throw new Error(`sandbox: this install has no table ${table}`);
  await insertRow(conn, layout.physical(t.name), t, values, layout.engine);
}

/**
 * `ATTACH DATABASE` statements for module files (SQLite: a VFP install's module folders). Unless
 * `create`, each file is named by a `file:` URI with `mode=rw`, so a missing file is an error
 * ("unable to open database") instead of a new empty database: the NoCreat=1 of the DSN, for
 * attached files.
 */
export function attachStatements(attach: Readonly<Record<string, string>>, opts: { create?: boolean } = {}): string[] {
  return Object.entries(attach).map(([name, file]) => {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`sandbox: bad module name '${name}'`);
    const target = opts.create ? file : `file:${encodeURI(file).replace(/\?/g, '%3F').replace(/#/g, '%23')}?mode=rw`;
    return `ATTACH DATABASE '${target.replace(/'/g, "''")}' AS ${name}`;
  });
}

/**
 * Creates the tables and seed rows of a profile in one transaction over an open connection. On SQLite
 * the module files of `vfp-modules` must already be attached (see createSageProSandbox); on PostgreSQL
 * its modules become schemas.
 */
export async function loadSandbox(conn: odbc.Connection, engine: 'sqlite' | 'postgres', opts: { profile?: ProfileName } = {}): Promise<void> {
  const profile = sandboxProfile(opts.profile);
  const layout = profileLayout(profile, engine);
  await conn.beginTransaction();
  try {
    if (engine === 'postgres') for (const m of Object.keys(profile.modules)) await conn.query(`CREATE SCHEMA IF NOT EXISTS ${m}`);
    for (const stmt of layoutDdl(layout)) await conn.query(stmt);
    await seedSandbox(conn, layout, profile);
    if (engine === 'sqlite') await conn.query(`PRAGMA user_version = ${PROFILE_NAMES.indexOf(profile.name) + 1}`);
    await conn.commit();
  } catch (e) {
    await conn.rollback().catch(() => undefined);
    throw e;
  }
}

export interface SageProSandbox {
  /** ODBC connection string of the main file (SQLite3 driver, NoCreat=1). */
  readonly dsn: string;
  /** True when this call created and seeded the database. */
  readonly created: boolean;
  readonly profile: ProfileName;
  /** Module name → database file, attached on every connection (`vfp-modules`; else empty). */
  readonly attach: Readonly<Record<string, string>>;
  /** The Sage Pro keys of connect.yaml (`connections.sagepro`) for this install. */
  readonly siteConfig: SiteConfig;
}

/** An ODBC connection to the sandbox, with its module files attached (what a connector on it must do too). */
export async function connectSageProSandbox(sb: Pick<SageProSandbox, 'dsn' | 'attach'>): Promise<odbc.Connection> {
  const conn = await odbc.connect(sb.dsn);
  try {
    for (const stmt of attachStatements(sb.attach)) await conn.query(stmt);
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw e;
  }
  return conn;
}

/**
 * Creates the SQLite sandbox of `profile` (default standard) at `dbPath`, seeding it, unless the file
 * already holds one; `vfp-modules` puts its module databases beside it (`ardata.db`, `sodata.db`,
 * `icdata.db`). Reusing a file made with another profile is an error naming both. Returns the ODBC
 * connection string for the SQLite3 driver, the module files and the profile's connect.yaml keys.
 */
export async function createSageProSandbox(opts: { dbPath: string; profile?: ProfileName | string }): Promise<SageProSandbox> {
  const profile = sandboxProfile(opts.profile);
  const abs = path.resolve(opts.dbPath);
  if (/[;{}']/.test(abs)) throw new Error("the sandbox database path must not contain ; { } or '");
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const attach = moduleFiles(profile, abs);
  // Timeout: how long a connection waits for another's write lock (ms) before "database is locked",
  // which the connector classifies as transient (retried), instead of the driver's long default.
  const dsn = `Driver=SQLite3;Database=${abs};Timeout=5000`;
  // The DSN handed out says NoCreat=1: if the file goes missing later, connecting fails (an outage,
  // retried) instead of silently creating an empty database where every order would fail.
  const serveDsn = `${dsn};NoCreat=1`;
  const result = (created: boolean): SageProSandbox => ({ dsn: serveDsn, created, profile: profile.name, attach, siteConfig: profile.siteConfig({ attach }) });
  const existed = fs.existsSync(abs);
  const conn = await odbc.connect(dsn);
  try {
    const version = Number(Array.from(await conn.query<{ user_version: number }>('PRAGMA user_version'))[0]?.user_version ?? 0);
    // A file from before the profiles (user_version 0 with the tables) is a standard sandbox.
    const made = version > 0 ? PROFILE_NAMES[version - 1] : (await conn.tables(null, null, 'somast', null)).length > 0 ? 'standard' : undefined;
    if (made) {
      if (made !== profile.name) throw new Error(`${abs} holds a Sage Pro sandbox of profile '${made}', not '${profile.name}': choose that profile or remove the file`);
      // ATTACH would create a missing module file, empty: refuse instead.
      for (const [m, f] of Object.entries(attach)) if (!fs.existsSync(f)) throw new Error(`${abs}: the module database ${m} (${f}) is missing`);
      return result(false);
    }
    if (existed && fs.statSync(abs).size > 0) {
      const any = Array.from(await conn.query<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'"))[0]?.n ?? 0;
      if (Number(any) > 0) throw new Error(`${abs} is a SQLite database but not a Sage Pro sandbox: give another path`);
    }
    for (const f of Object.values(attach)) {
      if (fs.existsSync(f)) throw new Error(`${f} exists but ${abs} holds no sandbox: remove it or give another path`);
    }
    // WAL (kept in the file): readers, such as a change-detection cursor, never block the writer.
    await conn.query('PRAGMA journal_mode=WAL');
    for (const stmt of attachStatements(attach, { create: true })) await conn.query(stmt);
    for (const m of Object.keys(attach)) await conn.query(`PRAGMA ${m}.journal_mode=WAL`);
    await loadSandbox(conn, 'sqlite', { profile: profile.name });
    return result(true);
  } finally {
    await conn.close();
  }
}

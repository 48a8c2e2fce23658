/**
 * Introspection against real ODBC drivers: the SQLite sandbox (always) and a PostgreSQL server the
 * test starts (when installed). The entity schemas are copied to a temp folder first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import odbc from 'odbc';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { createSageProSandbox, loadSandbox } from '../../runtime/sandbox/sagepro/database.js';
import { postgresAvailable, startPostgres, type StartedPostgres } from '../../test/support/postgres.js';
import { introspect, IntrospectUsageError, STANDARD_SCHEMAS } from './introspect.js';

const SCHEMAS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../mappings/schemas/sagepro');
const tmp: string[] = [];
afterAll(() => { for (const d of tmp) fs.rmSync(d, { recursive: true, force: true }); });

function copySchemas(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-introspect-'));
  tmp.push(dir);
  const out = path.join(dir, 'schemas');
  fs.mkdirSync(out);
  for (const f of fs.readdirSync(SCHEMAS)) fs.copyFileSync(path.join(SCHEMAS, f), path.join(out, f));
  // A hand-written comment that must survive.
  const so = path.join(out, 'SalesOrder.yaml');
  fs.writeFileSync(so, fs.readFileSync(so, 'utf8').replace('  number:\n', '  # keep: SONO is right-justified at every site\n  number:\n'));
  return out;
}

async function exec(dsn: string, sql: string[]): Promise<void> {
  const c = await odbc.connect(dsn);
  try { for (const s of sql) await c.query(s); } finally { await c.close(); }
}

describe('introspect on the SQLite sandbox', () => {
  it('keeps mapped columns, reports no change, adds the unmapped sandbox columns', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-introspect-db-'));
    tmp.push(dir);
    const { dsn } = await createSageProSandbox({ dbPath: path.join(dir, 's.db') });
    const out = copySchemas();
    const before = fs.readFileSync(path.join(out, 'Customer.yaml'), 'utf8');
    const r = await introspect({ dsn, outDir: out, tables: ['ARCUST', 'ICILOC', 'GLACNT'] });
    // Unmapped sandbox columns of ARCUST become properties; mapped ones are unchanged.
    expect(r.changed).toEqual([]);
    expect(r.removed).toEqual([]);
    const addedCols = r.added.map((a) => `${a.table}.${a.column}`);
    expect(addedCols).toContain('ICILOC.LONWKOR');
    expect(addedCols).not.toContain('ICILOC.LONHAND'); // mapped by on_hand
    expect(addedCols).not.toContain('ARCUST.COMPANY'); // mapped by name
    expect(r.added.map((a) => a.column)).toContain('CSTMEMO');
    const after = YAML.parse(fs.readFileSync(path.join(out, 'Customer.yaml'), 'utf8'));
    expect(after.properties.name['x-sagepro'].column).toBe('COMPANY');
    expect(after.properties.cstmemo).toMatchObject({ type: 'string', 'x-sagepro': { table: 'ARCUST', column: 'CSTMEMO', type: 'M' } });
    expect(after.properties.pdisc).toMatchObject({ type: 'number', 'x-sagepro': { type: 'N(7,3)' } });
    expect(after.properties.pdays).toMatchObject({ type: 'integer' });
    expect(fs.readFileSync(path.join(out, 'Customer.yaml'), 'utf8').startsWith(before.slice(0, 200))).toBe(true);
  });

  it('picks up a custom column added with ALTER TABLE, a changed width and a removed column', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-introspect-db-'));
    tmp.push(dir);
    const { dsn } = await createSageProSandbox({ dbPath: path.join(dir, 's.db') });
    await exec(dsn, [
      'ALTER TABLE somast ADD COLUMN WEBSTORE CHAR(12)',
      'DROP TABLE icitem',
      // A site with a wider description and without PLINID.
      'CREATE TABLE icitem (ITEM CHAR(15), ITMDESC CHAR(60), ITMCLSS CHAR(4), PRICE NUMERIC(14,4), IONHAND NUMERIC(12,2), ILSALE DATE)',
      'CREATE TABLE zzship (SONO CHAR(10), CARRIER CHAR(8), WEIGHT NUMERIC(8,2), SHIPPED DATE)',
    ]);
    const out = copySchemas();
    const r = await introspect({ dsn, outDir: out, tables: ['SOMAST', 'ICITEM', 'ZZSHIP'] });

    expect(r.added.find((a) => a.column === 'WEBSTORE')).toEqual(
      { file: 'SalesOrder.yaml', entity: 'SalesOrder', table: 'SOMAST', column: 'WEBSTORE', property: 'webstore', type: 'C(12)' },
    );
    // Mapped columns are never added again.
    expect(r.added.filter((a) => a.file === 'SalesOrder.yaml').map((a) => a.column)).not.toContain('SONO');
    const soText = fs.readFileSync(path.join(out, 'SalesOrder.yaml'), 'utf8');
    expect(soText).toContain('# keep: SONO is right-justified at every site');
    const so = YAML.parse(soText);
    expect(so.properties.webstore).toMatchObject({ type: 'string', maxLength: 12, 'x-sagepro': { table: 'SOMAST', column: 'WEBSTORE', type: 'C(12)' } });
    expect(so.properties.number['x-sagepro']).toMatchObject({ column: 'SONO', justify: 'right' });
    expect(so.properties.number.description).toMatch(/right-justified/);
    // The read model over SOMAST is not extended.
    expect(YAML.parse(fs.readFileSync(path.join(out, 'SalesOrderStatus.yaml'), 'utf8')).properties.webstore).toBeUndefined();

    expect(r.changed).toEqual([
      { file: 'InventoryItem.yaml', entity: 'InventoryItem', table: 'ICITEM', column: 'ITMDESC', property: 'description', from: 'C(50)', to: 'C(60)' },
    ]);
    expect(r.removed.map((x) => `${x.table}.${x.column}:${x.property}`)).toEqual(['ICITEM.PLINID:product_line']);
    const item = YAML.parse(fs.readFileSync(path.join(out, 'InventoryItem.yaml'), 'utf8'));
    expect(item.properties.description).toMatchObject({ maxLength: 60, 'x-sagepro': { type: 'C(60)' } });
    expect(item.properties.product_line['x-sagepro']).toMatchObject({ column: 'PLINID', removed: true });

    expect(r.created).toEqual(['Zzship.yaml']);
    const z = YAML.parse(fs.readFileSync(path.join(out, 'Zzship.yaml'), 'utf8'));
    expect(z['x-sagepro']).toEqual({ table: 'ZZSHIP' });
    expect(Object.keys(z.properties)).toEqual(['sono', 'carrier', 'weight', 'shipped']);
    expect(z.properties.shipped).toMatchObject({ format: 'date', 'x-sagepro': { type: 'D' } });
    expect(r.report).toMatch(/\+ SOMAST\.WEBSTORE C\(12\)/);
    expect(r.report).toMatch(/~ ICITEM\.ITMDESC C\(50\) → C\(60\)/);
    expect(r.report).toMatch(/- ICITEM\.PLINID/);
    expect(r.report).not.toMatch(/Database=/);

    // A second run finds nothing new; the removed column stays reported as already marked.
    const again = await introspect({ dsn, outDir: out, tables: ['SOMAST', 'ICITEM'] });
    expect(again.added).toEqual([]);
    expect(again.changed).toEqual([]);
    expect(again.removed).toEqual([expect.objectContaining({ column: 'PLINID', alreadyMarked: true })]);
    expect(again.written).toEqual([]);
  });
});

describe.skipIf(!postgresAvailable())('introspect on PostgreSQL', () => {
  let pg: StartedPostgres | undefined;
  afterAll(async () => { await pg?.stop(); });

  it('picks up a column added with ALTER TABLE through psqlODBC', async () => {
    pg = await startPostgres();
    const c = await odbc.connect(pg.dsn);
    try {
      await loadSandbox(c, 'postgres');
      await c.query('ALTER TABLE arcust ADD COLUMN LOYALTY NUMERIC(9,2)');
      await c.query('ALTER TABLE arcust ALTER COLUMN CONTACT TYPE CHAR(40)');
    } finally { await c.close(); }
    const out = copySchemas();
    const r = await introspect({ dsn: pg.dsn, outDir: out, tables: ['ARCUST'] });
    expect(r.added.map((a) => a.column)).toContain('LOYALTY');
    expect(r.added.find((a) => a.column === 'LOYALTY')).toMatchObject({ property: 'loyalty', type: 'N(9,2)' });
    expect(r.changed).toEqual([expect.objectContaining({ column: 'CONTACT', from: 'C(30)', to: 'C(40)' })]);
    expect(r.removed).toEqual([]);
    expect(r.report).not.toContain(pg.password);
    const cust = YAML.parse(fs.readFileSync(path.join(out, 'Customer.yaml'), 'utf8'));
    expect(cust.properties.loyalty).toMatchObject({ type: 'number', 'x-sagepro': { column: 'LOYALTY', type: 'N(9,2)' } });
    expect(cust.properties.balance['x-sagepro'].type).toBe('Y'); // NUMERIC(15,4) still counts as Y
  });
});

describe('introspect with a folder that holds no schemas', () => {
  async function sandbox(): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-introspect-db-'));
    tmp.push(dir);
    return (await createSageProSandbox({ dbPath: path.join(dir, 's.db') })).dsn;
  }
  function emptyDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-introspect-out-'));
    tmp.push(dir);
    return dir;
  }

  it('a new folder gets the standard entities of the install, brought up to date from the database', async () => {
    const dsn = await sandbox();
    const out = path.join(emptyDir(), 'schemas', 'sagepro');
    const r = await introspect({ dsn, outDir: out });
    expect(r.report).not.toMatch(/\b0 table\(s\) read/);
    expect(r.report.split('\n')[0]).toMatch(/held no entity schemas; wrote the \d+ standard Sage Pro entities and operations.yaml/);
    const standard = fs.readdirSync(STANDARD_SCHEMAS).filter((f) => f.endsWith('.yaml')).sort();
    expect(fs.readdirSync(out).sort()).toEqual(standard);
    expect(r.written).toEqual(expect.arrayContaining(['Customer.yaml', 'SalesOrder.yaml', 'operations.yaml']));
    expect(r.missingTables).toEqual([]);
    expect(r.changed).toEqual([]);
    // The sandbox has columns the standard entities do not map: they were added.
    expect(r.added.map((a) => `${a.table}.${a.column}`)).toContain('ICILOC.LONWKOR');
  });

  it('an empty folder is seeded too; a dry run writes nothing and says so', async () => {
    const dsn = await sandbox();
    const out = emptyDir();
    const r = await introspect({ dsn, outDir: out, dryRun: true });
    expect(r.report.split('\n')[0]).toMatch(/would write the \d+ standard Sage Pro entities/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('a folder of other files, or the parent schemas folder, stops with what to pass', async () => {
    const dsn = await sandbox();
    const other = emptyDir();
    fs.writeFileSync(path.join(other, 'notes.txt'), 'not a schema');
    await expect(introspect({ dsn, outDir: other })).rejects.toThrow(IntrospectUsageError);
    await expect(introspect({ dsn, outDir: other })).rejects.toThrow(/holds no Sage Pro entity schemas.*pass the folder that has them \(e\.g\. mappings\/schemas\/sagepro\)/);
    expect(fs.readdirSync(other)).toEqual(['notes.txt']);
    const parent = path.dirname(SCHEMAS);
    await expect(introspect({ dsn, outDir: parent })).rejects.toThrow(`pass --out ${path.join(parent, 'sagepro')}`);
  });

  it('a database with none of the mapped tables stops with an error, not "schemas match"', async () => {
    // The DSN of the sandbox, pointed at another (empty) SQLite database.
    const dir = emptyDir();
    const sandboxDb = path.join(dir, 's.db');
    const dsn = (await createSageProSandbox({ dbPath: sandboxDb })).dsn.replace(sandboxDb, path.join(dir, 'empty.db'));
    expect(dsn).toContain('empty.db');
    fs.writeFileSync(path.join(dir, 'empty.db'), ''); // a zero-byte file is an empty SQLite database
    const out = copySchemas();
    await expect(introspect({ dsn, outDir: out, tables: ['ARCUST', 'ICITEM'] })).rejects.toThrow(/none of the 2 table\(s\) the schemas map \(ARCUST, ICITEM\) exist/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, describe, expect, it } from 'vitest';
import { createSageProSandbox, SEED_CUSTOMERS, SEED_ITEMS, sandboxDdl } from './database.js';
import { SANDBOX_TABLES } from './tables.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-sagepro-sb-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Sage Pro sandbox', () => {
  it('creates and seeds once, then reuses the file', async () => {
    const dbPath = path.join(dir, 'nested', 'sagepro.db');
    const a = await createSageProSandbox({ dbPath });
    expect(a).toMatchObject({ dsn: `Driver=SQLite3;Database=${dbPath};Timeout=5000;NoCreat=1`, created: true, profile: 'standard', attach: {} });
    const b = await createSageProSandbox({ dbPath });
    expect(b.created).toBe(false);
    const c = await odbc.connect(a.dsn);
    try {
      const items = Array.from(await c.query<{ ITEM: string }>('SELECT ITEM FROM icitem ORDER BY ITEM')).map((r) => r.ITEM.trim());
      expect(items).toEqual(SEED_ITEMS.map((i) => i.item).sort());
      expect(Array.from(await c.query('SELECT * FROM iciloc'))).toHaveLength(32);
      expect(Array.from(await c.query('SELECT * FROM arcust'))).toHaveLength(SEED_CUSTOMERS.length);
      expect(Array.from(await c.query<{ M: string }>('PRAGMA journal_mode'))[0]).toEqual({ journal_mode: 'wal' });
      expect(Array.from(await c.query('SELECT * FROM soymst')).length).toBeGreaterThan(0);
      // no NULL anywhere in the seed
      for (const t of SANDBOX_TABLES) {
        for (const r of Array.from(await c.query<Record<string, unknown>>(`SELECT * FROM ${t.name.toLowerCase()}`))) {
          for (const [k, v] of Object.entries(r)) expect(v, `${t.name}.${k}`).not.toBeNull();
        }
      }
    } finally { await c.close(); }
  });

  it('emits DDL per dialect with company suffix for VFP', () => {
    expect(sandboxDdl('sqlite')[0]).toMatch(/^CREATE TABLE arcust \(\n  CUSTNO CHAR\(6\)/);
    expect(sandboxDdl('vfp').join('\n')).toMatch(/CREATE TABLE somast01 \([^)]*SONO C\(10\)/);
    expect(sandboxDdl('postgres').join('\n')).toMatch(/EXTREF CHAR\(30\)/);
  });
});

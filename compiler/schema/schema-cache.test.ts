/**
 * The schema cache (schema-cache.ts): an unchanged schema set is a hit and gives exactly the types a
 * full load gives; any edit misses; a schema with an error is reported with its position on every
 * load (never cached). On a temp copy of the shipped schemas, with the cache in a temp folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSchemas } from './load-schemas.js';
import { createProgram } from '../program.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');
let tmp: string;
let schemas: string;
const savedEnv = { dir: process.env.CONNECT_CACHE_DIR, off: process.env.CONNECT_CACHE };

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-schema-cache-'));
  schemas = path.join(tmp, 'schemas');
  fs.cpSync(path.join(REPO, 'mappings', 'schemas'), schemas, { recursive: true });
  process.env.CONNECT_CACHE_DIR = path.join(tmp, 'cache');
  delete process.env.CONNECT_CACHE;
});
afterAll(() => {
  if (savedEnv.dir === undefined) delete process.env.CONNECT_CACHE_DIR; else process.env.CONNECT_CACHE_DIR = savedEnv.dir;
  if (savedEnv.off !== undefined) process.env.CONNECT_CACHE = savedEnv.off;
  fs.rmSync(tmp, { recursive: true, force: true });
});

const order = () => path.join(schemas, 'xcart', 'Order.yaml');

describe('schema cache', () => {
  it('unchanged schemas: a hit, with the same types, operations, hash and sources as a full load', () => {
    const full = loadSchemas(schemas, tmp, { cache: false });
    expect(full.cache).toBe('off');
    expect(full.diagnostics).toEqual([]);
    const first = loadSchemas(schemas, tmp);
    expect(first.cache).toBe('miss');
    expect(fs.readdirSync(process.env.CONNECT_CACHE_DIR!).filter((f) => /^schemas-[0-9a-f]{64}\.json$/.test(f))).toHaveLength(1);
    const hit = loadSchemas(schemas, tmp);
    expect(hit.cache).toBe('hit');
    expect(hit.entities).toEqual(full.entities);
    expect(hit.operations).toEqual(full.operations);
    expect(hit.hash).toBe(full.hash);
    expect(hit.sources).toEqual(full.sources);
    expect(hit.diagnostics).toEqual([]);
    // Cyclic and cross-file references stay references to the one entity of the table.
    const line = hit.entities.get('xcart.Order')!.fields.get('items')!.type;
    expect(line.kind === 'list' && line.element).toBe(hit.entities.get('xcart.OrderItem'));
  });

  it('the shipped flows check the same against cached and freshly loaded schemas', () => {
    const flows = path.join(REPO, 'mappings');
    const fresh = createProgram([flows], { schemas: loadSchemas(schemas, tmp, { cache: false }) });
    const cached = loadSchemas(schemas, tmp);
    expect(cached.cache).toBe('hit');
    const again = createProgram([flows], { schemas: cached });
    expect(again.diagnostics).toEqual(fresh.diagnostics);
    expect(again.units.map((u) => u.models)).toEqual(fresh.units.map((u) => u.models));
  });

  it('an edited schema misses and its change is seen; a broken one is reported with its position every time', () => {
    const original = fs.readFileSync(order(), 'utf8');
    try {
      // A valid edit: a new field appears (the cache does not serve the old types).
      fs.writeFileSync(order(), original.replace('properties:\n', 'properties:\n  gift_note:\n    type: string\n'));
      const edited = loadSchemas(schemas, tmp);
      expect(edited.cache).toBe('miss');
      expect(edited.entities.get('xcart.Order')!.fields.has('gift_note')).toBe(true);

      // A schema error: the meta-schema rejects `type: strin`, at the line of that key.
      const broken = original.replace('  total:\n    type: number\n', '  total:\n    type: strin\n');
      expect(broken).not.toBe(original);
      fs.writeFileSync(order(), broken);
      const line = broken.split('\n').indexOf('  total:') + 1;
      for (let i = 0; i < 2; i++) {
        const r = loadSchemas(schemas, tmp);
        expect(r.cache).toBe('off');
        const d = r.diagnostics.find((x) => x.code === 5001);
        expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
        expect(d!.span?.file).toBe(path.join('schemas', 'xcart', 'Order.yaml'));
        expect(d!.span?.line).toBeGreaterThanOrEqual(line);
        expect(d!.span?.line).toBeLessThanOrEqual(line + 1);
        expect(r.entities.has('xcart.Order')).toBe(false);
      }
    } finally {
      fs.writeFileSync(order(), original);
    }
    // Back to the original bytes: the first entry is hit again.
    expect(loadSchemas(schemas, tmp).cache).toBe('hit');
  });

  it('CONNECT_CACHE=0 turns it off', () => {
    process.env.CONNECT_CACHE = '0';
    try { expect(loadSchemas(schemas, tmp).cache).toBe('off'); } finally { delete process.env.CONNECT_CACHE; }
  });

  it('an unreadable cache entry is ignored (a full load, then rewritten)', () => {
    const dir = process.env.CONNECT_CACHE_DIR!;
    for (const f of fs.readdirSync(dir)) fs.writeFileSync(path.join(dir, f), '{ not json');
    const r = loadSchemas(schemas, tmp);
    expect(r.cache).toBe('miss');
    expect(r.diagnostics).toEqual([]);
    expect(loadSchemas(schemas, tmp).cache).toBe('hit');
  });
});

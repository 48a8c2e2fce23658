/** The Sage Pro entity schemas: valid JSON Schema 2020-12 and the x-sagepro conventions the checker and connector rely on. */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEMA_DIR, loadSageProSchemas } from './schemas.js';
import { parseStorageType } from './types.js';

const files = fs.readdirSync(DEFAULT_SCHEMA_DIR).filter((f) => f.endsWith('.yaml') && f !== 'operations.yaml' && f !== 'events.yaml');
const docs = files.map((f) => [f, YAML.parse(fs.readFileSync(path.join(DEFAULT_SCHEMA_DIR, f), 'utf8'))] as const);

function eachProperty(obj: any, at: string, fn: (name: string, p: any, where: string) => void): void {
  for (const [name, p] of Object.entries<any>(obj.properties ?? {})) fn(name, p, `${at}.${name}`);
  for (const [d, def] of Object.entries<any>(obj.$defs ?? {})) eachProperty(def, `${at}.$defs.${d}`, fn);
}

describe('Sage Pro entity schemas', () => {
  it('compile with ajv 2020-12 and validate a sample order', () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T/);
    for (const [, d] of docs) ajv.addSchema(d);
    const validate = ajv.getSchema('https://connect.dev/schemas/sagepro/SalesOrder')!;
    expect(validate({ customer: 'ACME01', order_date: '2026-03-01', lines: [{ item: 'WIDGET-100', quantity: 1 }] })).toBe(true);
    expect(validate({ customer: 'ACME01', order_date: '2026-03-01', lines: [] })).toBe(false);
    expect(validate({ customer: 'TOOLONG', order_date: '2026-03-01', lines: [{ item: 'X', quantity: 1 }] })).toBe(false);
    const inv = ajv.getSchema('https://connect.dev/schemas/sagepro/Invoice')!;
    expect(inv({ number: '1', customer: 'A', invoice_date: '2026-03-01', lines: [], distributions: [{ account: '1010-00', amount: 5 }] })).toBe(true);
  });

  it('follow the header and property conventions', () => {
    for (const [f, d] of docs) {
      const name = path.basename(f, '.yaml');
      expect(d.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(d.$id).toBe(`https://connect.dev/schemas/sagepro/${name}`);
      expect(d.title).toBe(name);
      expect(d.type).toBe('object');
      expect(typeof d.description).toBe('string');
      expect(d['x-sagepro']?.table, f).toMatch(/^[A-Z]+$/);
      expect(Array.isArray(d.required), f).toBe(true);
      eachProperty(d, name, (prop, p, where) => {
        expect(prop, where).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(typeof p.description, `${where} description`).toBe('string');
        expect(p.enum, `${where} uses x-codes, not enum`).toBeUndefined();
        const x = p['x-sagepro'];
        if (!x || x.computed) return;
        expect(x.table, where).toMatch(/^[A-Z]+$/);
        expect(x.column, where).toMatch(/^[A-Z][A-Z0-9_]*$/);
        const t = parseStorageType(x.type);
        const types = [p.type].flat();
        if (t.kind === 'C') { expect(p.maxLength, `${where} maxLength`).toBe(t.width); expect(types).toContain('string'); }
        if (t.kind === 'D') { expect(p.format, where).toBe('date'); expect(types).toContain('string'); }
        if (t.kind === 'N') expect(types, where).toContain(t.scale === 0 ? 'integer' : 'number');
        if (t.kind === 'Y') expect(types, where).toContain('number');
        if (t.kind === 'L') expect(types, where).toContain('boolean');
      });
    }
  });

  it('map what the connector needs', () => {
    const s = loadSageProSchemas();
    const so = s.get('SalesOrder');
    expect(so.columns.find((m) => m.property === 'number')).toMatchObject({ column: 'SONO', justify: 'right' });
    expect(so.columns.find((m) => m.property === 'external_ref')?.column).toBe('EXTREF');
    expect(s.get('SalesOrder.Line').columns.find((m) => m.property === 'item')?.type).toEqual({ kind: 'C', width: 15 });
    expect(s.get('InventoryLevel').computed).toEqual([{ property: 'available', expression: 'LONHAND - LSOALOC - LWOALOC' }]);
    expect(s.get('SalesOrderStatus').foreign.map((m) => `${m.table}.${m.column}`)).toContain('ARMAST.INVNO');
    // Columns no public source confirms for their table (reference 0b) are marked optional.
    const optional = [...s.entities.values()].flatMap((e) => e.columns.filter((m) => m.optional).map((m) => `${m.table}.${m.column}`)).sort();
    expect(optional).toEqual(['ARDIST.DESCRIP', 'ARMAST.DTEPAID', 'ARTRAN.LINENO', 'SOTRAN.LINENO', 'SOTRAN.SHIPDATE']);
  });
});

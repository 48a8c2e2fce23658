/**
 * `flowc suggest` through the CLI's main(): the flags, the text output, the JSON array's shape, usage
 * errors (exit 2, the reason on stderr) and --samples.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { main } from '../cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'suggest-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try { return { code: await main(['suggest', ...args]), out, err }; } finally { o.mockRestore(); e.mockRestore(); }
}

describe('flowc suggest', () => {
  test('--format json: an array of targets, each with its suggestions', async () => {
    const r = await run('--from', 'xcart.Product', '--to', 'sagepro.InventoryLevel', '--format', 'json');
    expect(r.code).toBe(0);
    const targets = JSON.parse(r.out) as Record<string, unknown>[];
    expect(Array.isArray(targets)).toBe(true);
    expect(targets.map((t) => t.target)).toEqual(['item', 'location', 'on_hand', 'allocated_sales', 'allocated_work', 'on_order', 'reorder_point', 'last_sale']);
    const item = targets[0] as { type: string; column: string; required: boolean; suggestions: Record<string, unknown>[] };
    expect(item).toMatchObject({ target: 'item', type: 'string', column: 'ICILOC.ITEM C(15)', required: true });
    expect(Object.keys(item.suggestions[0]!).sort()).toEqual(['check', 'confidence', 'expression', 'signals', 'sources']);
    expect(item.suggestions[0]).toMatchObject({ expression: 'truncate(upper(trim(product.sku)), 15)', check: 'ok', sources: ['xcart.Product.sku'] });
    expect(Object.keys((item.suggestions[0]!.signals as object[])[0]!).sort()).toEqual(['reason', 'score', 'signal']);
  });

  test('text: per target field the suggestions with confidence and the signals', async () => {
    const r = await run('--from', 'xcart.Product', '--to', 'sagepro.InventoryLevel');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^xcart\.Product -> sagepro\.InventoryLevel: 8 target fields\n/);
    expect(r.out).toContain('\nitem  string  ICILOC.ITEM C(15)  required\n  1. item = truncate(upper(trim(product.sku)), 15)\n       confidence ');
    expect(r.out).toMatch(/\n {7}type {9}1\.00 {2}string\(32\) -> string\(15\): a key column: trimmed, upper-case; fits C\(15\)\n/);
  });

  test('--samples: records of both systems, by entity and by Sage Pro table', async () => {
    const samples = path.join(tmp, 'samples.yaml');
    fs.writeFileSync(samples, 'xcart.Product:\n  - { id: 5, sku: "cable-usb-c", name: "USB-C cable", price: 12.9, amount: 7, enabled: true, inventory_traceable: true }\nICILOC:\n  - { ITEM: "CABLE-USB-C    ", LOCTID: MAIN, LONHAND: 7 }\n');
    const r = await run('--from', 'xcart.Product', '--to', 'sagepro.InventoryLevel', '--samples', samples, '--format', 'json');
    expect(r.code).toBe(0);
    const item = (JSON.parse(r.out) as { target: string; suggestions: { signals: { signal: string; reason: string }[] }[] }[]).find((t) => t.target === 'item')!;
    expect(item.suggestions[0]!.signals.find((s) => s.signal === 'samples')!.reason).toBe('samples: 1 of 1 target value found in the source (CABLE-USB-C)');
  });

  test('usage errors: exit 2 and the reason', async () => {
    expect(await run('--from', 'xcart.Order')).toMatchObject({ code: 2, err: expect.stringContaining('needs --from <system.Entity> and --to <system.Entity>') });
    expect(await run('--from', 'Order', '--to', 'sagepro.SalesOrder')).toMatchObject({ code: 2, err: expect.stringContaining("--from 'Order': write system.Entity") });
    expect(await run('--from', 'xcart.Order', '--to', 'sagepro.SalesOrdr')).toMatchObject({ code: 2, err: expect.stringContaining("--to 'sagepro.SalesOrdr' is not an entity of the schemas") });
    expect(await run('--from', 'xcart.Order', '--to', 'sagepro.SalesOrder', '--format', 'yaml')).toMatchObject({ code: 2, err: expect.stringContaining("unknown format 'yaml'") });
    expect(await run('--flow', 'mappings/order-to-sales-order.flow')).toMatchObject({ code: 2, err: expect.stringContaining('--flow FILE and --map NAME go together') });
    expect(await run('--flow', 'mappings/order-to-sales-order.flow', '--map', 'sales')).toMatchObject({ code: 2, err: expect.stringContaining("has no map 'sales' (its maps: so)") });
    const broken = path.join(tmp, 'broken.yaml');
    fs.writeFileSync(broken, 'Orders: []\n');
    expect(await run('--from', 'xcart.Order', '--to', 'sagepro.SalesOrder', '--samples', broken)).toMatchObject({ code: 2, err: expect.stringContaining("'Orders' is neither an entity") });
  });
});

// The sidecar layout: positions live in <file>.layout.json, moving a node changes no byte of the
// .flow, keys of removed steps are dropped on write, a broken sidecar reads as empty.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeDesign, applyEdit, designContext, layoutKeys, readLayout, writeLayout } from './index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'designer-layout-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('layout sidecar', () => {
  it('writes and reads positions beside the flow; the .flow keeps its bytes', () => {
    const flow = path.join(dir, 'inventory.flow');
    const src = fs.readFileSync('mappings/inventory-to-xcart.flow', 'utf8');
    fs.writeFileSync(flow, src);
    const ctx = designContext('mappings/inventory-to-xcart.flow');
    const m = analyzeDesign(src, 'mappings/inventory-to-xcart.flow', ctx);
    expect(readLayout(flow)).toEqual({ version: 1, positions: {} });
    writeLayout(flow, { version: 1, positions: { 'lookup:product': { x: 120, y: 40 }, trigger: { x: 0, y: 0 } } }, layoutKeys(m));
    expect(fs.readFileSync(flow, 'utf8')).toBe(src);
    expect(JSON.parse(fs.readFileSync(`${flow}.layout.json`, 'utf8'))).toEqual({ version: 1, positions: { 'lookup:product': { x: 120, y: 40 }, trigger: { x: 0, y: 0 } } });
    expect(readLayout(flow).positions['lookup:product']).toEqual({ x: 120, y: 40 });
  });

  it('drops the keys of removed steps on write', () => {
    const flow = path.join(dir, 'removed.flow');
    const ctx = designContext('mappings/inventory-to-xcart.flow');
    const src = fs.readFileSync('mappings/inventory-to-xcart.flow', 'utf8').replace('  write xcart', '  let spare = 1\n  write xcart');
    const m = analyzeDesign(src, 'mappings/inventory-to-xcart.flow', ctx);
    const positions = { 'let:spare': { x: 1, y: 2 }, 'let:available': { x: 3, y: 4 } };
    writeLayout(flow, { version: 1, positions }, layoutKeys(m));
    expect(Object.keys(readLayout(flow).positions)).toEqual(['let:available', 'let:spare']);
    const r = applyEdit(src, { kind: 'removeStep', key: 'let:spare' }, ctx, 'mappings/inventory-to-xcart.flow');
    if (!r.ok) throw new Error(r.error.message);
    writeLayout(flow, readLayout(flow), layoutKeys(r.model));
    expect(readLayout(flow).positions).toEqual({ 'let:available': { x: 3, y: 4 } });
  });

  it('a broken sidecar reads as an empty layout; a bad position is refused naming the key', () => {
    const flow = path.join(dir, 'broken.flow');
    fs.writeFileSync(`${flow}.layout.json`, '{ not json');
    expect(readLayout(flow)).toEqual({ version: 1, positions: {} });
    expect(() => writeLayout(flow, { version: 1, positions: { a: { x: Number.NaN, y: 0 } } })).toThrow(/position of 'a' must be \{ x: number, y: number \}/);
    expect(fs.readFileSync(`${flow}.layout.json`, 'utf8')).toBe('{ not json');
  });
});

// The mapper's tree rows: expand/collapse, search keeping a match's ancestors (by name, path, or Sage
// Pro TABLE.COLUMN), and where a line ends for a field whose parent is collapsed.
import { describe, expect, it } from 'vitest';
import { allPaths, rowIndexOf, visibleRows } from './tree';
import { changedLines } from './diff';
import type { FieldNode, MapView } from './types';

const leaf = (path: string, extra: Partial<FieldNode> = {}): FieldNode => ({ path, name: path.split(/\.|\[\]\./).pop()!, type: 'string', nullable: false, ...extra });
const FIELDS: FieldNode[] = [
  leaf('customer', { sagepro: { table: 'SOMAST', column: 'CUSTNO', storage: 'C(6)', width: 6 } }),
  { ...leaf('lines', { list: true, type: 'sagepro.SalesOrder.Line[]' }), children: [leaf('lines[].item', { sagepro: { table: 'SOTRAN', column: 'ITEM' } }), leaf('lines[].description')] },
  { ...leaf('ship_to', { type: 'sagepro.SalesOrder.ShipTo' }), children: [leaf('ship_to.city', { sagepro: { table: 'SOADDR', column: 'CITY' } })] },
];
const paths = (rows: ReturnType<typeof visibleRows>) => rows.map((r) => r.node.path);

describe('mapper tree rows', () => {
  it('shows the children of open nodes only', () => {
    expect(paths(visibleRows(FIELDS, new Set(), ''))).toEqual(['customer', 'lines', 'ship_to']);
    expect(paths(visibleRows(FIELDS, new Set(allPaths(FIELDS)), ''))).toEqual(['customer', 'lines', 'lines[].item', 'lines[].description', 'ship_to', 'ship_to.city']);
    const rows = visibleRows(FIELDS, new Set(['lines']), '');
    expect(rows.find((r) => r.node.path === 'lines')).toMatchObject({ open: true, hasChildren: true, depth: 0 });
    expect(rows.find((r) => r.node.path === 'lines[].item')?.depth).toBe(1);
  });

  it('search keeps a match and its ancestors, open, whatever was collapsed; by name, path or TABLE.COLUMN', () => {
    expect(paths(visibleRows(FIELDS, new Set(), 'desc'))).toEqual(['lines', 'lines[].description']);
    expect(paths(visibleRows(FIELDS, new Set(), 'soaddr.city'))).toEqual(['ship_to', 'ship_to.city']);
    expect(paths(visibleRows(FIELDS, new Set(), 'CUSTNO'))).toEqual(['customer']);
    expect(paths(visibleRows(FIELDS, new Set(), 'nothing-like-it'))).toEqual([]);
  });

  it('a field inside a collapsed parent: its line ends at the parent row', () => {
    const rows = visibleRows(FIELDS, new Set(), '');
    const index = new Map(rows.map((r, i) => [r.node.path, i]));
    expect(rowIndexOf(rows, index, 'lines[].item')).toBe(1);
    expect(rowIndexOf(rows, index, 'ship_to.city')).toBe(2);
    expect(rowIndexOf(rows, index, 'nowhere.x')).toBeUndefined();
  });

  it('flattens 500 fields in a few milliseconds (the list renders only the rows in view)', () => {
    const many = Array.from({ length: 500 }, (_, i) => leaf(`f${String(i + 1).padStart(3, '0')}`));
    const rows = visibleRows(many, new Set(), '');
    expect(rows).toHaveLength(500);
    expect(paths(visibleRows(many, new Set(), 'f437'))).toEqual(['f437']);
  });

  it('the text pane highlights the lines an edit changed', () => {
    const view = (text: string): MapView => ({ name: 'so', source: 'order', sourceEntity: '', targetEntity: '', start: 0, end: 0, firstLine: 10, text, assignments: [], unmappedRequired: [], diagnostics: [] });
    expect([...changedLines(view('a\nb\nc'), view('a\nb\nx\nc'))]).toEqual([12]);
    expect([...changedLines(view('a\nb\nc'), view('a\nB\nc'))]).toEqual([11]);
    expect([...changedLines(view('a\nb\nc'), view('a\nc'))]).toEqual([]);
  });
});

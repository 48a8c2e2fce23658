// The entity trees as flat rows for the windowed list: expand/collapse, and search that keeps a
// match's ancestors (so the row is shown where the schema nests it).
import type { FieldNode } from './types';

export interface Row { node: FieldNode; depth: number; hasChildren: boolean; open: boolean }

/** Every path of the tree (for "expand all"). */
export function allPaths(fields: readonly FieldNode[], out: string[] = []): string[] {
  for (const f of fields) { if (f.children?.length) { out.push(f.path); allPaths(f.children, out); } }
  return out;
}

function matches(f: FieldNode, q: string): boolean {
  if (f.path.toLowerCase().includes(q) || f.name.toLowerCase().includes(q)) return true;
  const s = f.sagepro;
  return !!s && (`${s.table ?? ''}.${s.column ?? ''}`.toLowerCase().includes(q) || (s.column ?? '').toLowerCase() === q);
}

/**
 * The rows to show: children of open nodes; with a query, only matching fields and their ancestors
 * (all open), a match's own children shown too.
 */
export function visibleRows(fields: readonly FieldNode[], open: ReadonlySet<string>, query: string): Row[] {
  const q = query.trim().toLowerCase();
  const rows: Row[] = [];
  const walk = (list: readonly FieldNode[], depth: number): void => {
    for (const f of list) {
      const kids = f.children ?? [];
      if (!q) {
        const isOpen = kids.length > 0 && open.has(f.path);
        rows.push({ node: f, depth, hasChildren: kids.length > 0, open: isOpen });
        if (isOpen) walk(kids, depth + 1);
        continue;
      }
      const below = kids.length > 0 && hasMatch(kids, q);
      if (!below && !matches(f, q)) continue;
      rows.push({ node: f, depth, hasChildren: kids.length > 0, open: below });
      if (below) walk(kids, depth + 1);
    }
  };
  walk(fields, 0);
  return rows;
}

function hasMatch(list: readonly FieldNode[], q: string): boolean {
  return list.some((f) => matches(f, q) || (!!f.children?.length && hasMatch(f.children, q)));
}

/** The row index of `path`, else of its nearest shown ancestor (a line to a collapsed field ends at its parent). */
export function rowIndexOf(rows: readonly Row[], index: ReadonlyMap<string, number>, path: string): number | undefined {
  let p = path;
  for (;;) {
    const i = index.get(p);
    if (i !== undefined) return i;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('[]'));
    if (cut <= 0) return undefined;
    p = p.slice(0, cut);
  }
}

export function findNode(fields: readonly FieldNode[], path: string): FieldNode | undefined {
  for (const f of fields) {
    if (f.path === path) return f;
    if (f.children && (path.startsWith(`${f.path}.`) || path.startsWith(`${f.path}[]`))) {
      const r = findNode(f.children, path);
      if (r) return r;
    }
  }
  return undefined;
}

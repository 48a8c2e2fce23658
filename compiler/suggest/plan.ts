/**
 * Which target fields get suggestions and what each may read: the target entity's writable primitive
 * fields, and its nested lists and objects (SalesOrder.lines[], ship_to) built from the source's list
 * or object that fits them best (names and the children's scores: order.items → lines, order.shipping_address
 * → ship_to). Each leaf gets its scored candidates, best first (ties by expression text: deterministic).
 */
import { fieldsOf, nonNull, type EntityType, type Field, type Type } from '../schema/types.js';
import { composites, listSums } from './composites.js';
import { scoreLeaf, type ScoreContext, type Scored, type TargetInfo } from './score.js';
import { walk, type Root, type SourceValue } from './sources.js';
import { dice, nameWords } from './tokens.js';
import type { LookupFile } from './lookups.js';

export interface LeafPlan {
  readonly target: TargetInfo;
  readonly candidates: Scored[];
}

export interface GroupPlan {
  readonly kind: 'list' | 'object';
  readonly field: Field;
  /** `lines[]` or `ship_to` */
  readonly prefix: string;
  /** The source: `order.items` (list) or `order.shipping_address` (object). */
  readonly source: SourceValue;
  /** The element variable of a list (`item`). */
  readonly item?: string;
  readonly score: number;
  readonly leaves: LeafPlan[];
}

export interface Plan { readonly leaves: LeafPlan[]; readonly groups: GroupPlan[] }

export interface PlanOptions {
  /** Target paths already assigned (flow mode): not suggested. */
  readonly assigned: ReadonlySet<string>;
  /** Nested groups the flow already has: prefix → its source expression, item name and roots. */
  readonly existingGroups: ReadonlyMap<string, { readonly roots: readonly Root[]; readonly via: string; readonly item?: string }>;
  readonly only?: ReadonlySet<string>;
  readonly keep: number;
  readonly minConfidence: number;
  /** The flow's lookup tables (flow mode). */
  readonly tables?: readonly TableRef[];
}

function entityOf(t: Type): EntityType | undefined {
  const n = nonNull(t);
  if (n.kind === 'entity') return n;
  if (n.kind === 'list' && n.element.kind === 'entity') return n.element;
  return undefined;
}

export interface TableRef {
  readonly name: string; readonly keyType: Type; readonly valueType: Type;
  /** The lookup file it reads, when its header says what it maps (lookups.ts). */
  readonly lookup?: LookupFile;
}

/**
 * A value through one of the flow's lookup tables: `carrier[order.shipping_method_name ?? ""]` for a
 * ship-via code. The key is the source text that the lookup file's header names (`X-Cart shipping
 * method name -> ...`), else the one that best fits the target by name; the table's name stands for
 * the value's.
 */
function throughTables(target: TargetInfo, leaves: readonly SourceValue[], tables: readonly TableRef[], ctx: ScoreContext): SourceValue[] {
  const out: SourceValue[] = [];
  for (const t of tables) {
    if (nonNull(t.keyType).kind !== 'prim' || (nonNull(t.keyType) as { name: string }).name !== 'string' || t.valueType.kind !== 'prim') continue;
    const strings = leaves.filter((l) => l.type.kind === 'prim' && l.type.name === 'string');
    const keyWords = t.lookup?.keyWords;
    const keys = keyWords
      ? strings.map((l) => ({ l, score: dice(keyWords, [...l.words, ...l.contextWords]) })).filter((x) => x.score >= 0.5)
        .sort((a, b) => b.score - a.score || a.l.path.length - b.l.path.length || a.l.expr.localeCompare(b.l.expr)).map((x) => x.l)
      : strings.map((l) => ({ l, s: scoreLeaf(target, l, { ...ctx, corpus: [] }) }))
        .filter((x) => x.s && x.s.confidence > 0.2).sort((a, b) => b.s!.confidence - a.s!.confidence || a.l.expr.localeCompare(b.l.expr)).map((x) => x.l);
    const key = keys[0];
    if (!key) continue;
    out.push({ ...key, expr: `${t.name}[${key.type.nullable ? `${key.expr} ?? ""` : key.expr}]`, type: t.valueType, key: `${key.key}`,
      words: nameWords(t.name), descWords: key.descWords, contextWords: [], ...(t.lookup ? { lookup: t.lookup } : {}) });
  }
  return out;
}

function rankLeaf(target: TargetInfo, roots: readonly Root[], ctx: ScoreContext, keep: number, min: number, tables: readonly TableRef[] = []): Scored[] {
  const leaves = roots.flatMap((r) => walk(r).leaves);
  const scored: Scored[] = [];
  for (const l of leaves) { const s = scoreLeaf(target, l, ctx); if (s) scored.push(s); }
  for (const v of throughTables(target, leaves, tables, ctx)) { const s = scoreLeaf(target, v, ctx); if (s) scored.push(s); }
  for (const c of composites(target, leaves)) { const s = scoreLeaf(target, c.value, ctx, c.bonus); if (s) scored.push(s); }
  const taken = new Set(roots.map((r) => r.name));
  for (const v of listSums(target, roots.flatMap((r) => walk(r).lists), taken)) { const s = scoreLeaf(target, v, ctx); if (s) scored.push(s); }
  scored.sort((a, b) => b.confidence - a.confidence || a.conversion.expr.localeCompare(b.conversion.expr));
  const seen = new Set<string>();
  return scored.filter((s) => s.confidence >= min && !seen.has(s.conversion.expr) && seen.add(s.conversion.expr)).slice(0, keep);
}

function writable(e: EntityType): Field[] {
  return [...e.fields.values()].filter((f) => !f.readOnly && !f.storage?.computed);
}

function leafTargets(e: EntityType, owner: string, prefix: string, parent: Field | undefined, opts: PlanOptions): TargetInfo[] {
  return writable(e).filter((f) => nonNull(f.type).kind === 'prim').map((f) => ({
    path: prefix ? `${prefix}.${f.name}` : f.name, field: f, owner, parentWords: parent ? nameWords(parent.name) : [], nested: !!parent,
  })).filter((t) => !opts.assigned.has(t.path) && (!opts.only || opts.only.has(t.path)));
}

/** Name likeness of two structures; a word inside a compound counts (`charges` in `surcharges`). */
function structureName(a: readonly string[], b: readonly string[]): number {
  const exact = dice(a, b);
  const inside = a.some((x) => x.length >= 4 && b.some((y) => y !== x && (y.endsWith(x) || y.startsWith(x)))) ? 0.8 : 0;
  return Math.max(exact, inside);
}

export function plan(target: EntityType, roots: readonly Root[], ctx: ScoreContext, opts: PlanOptions): Plan {
  const owner = `${target.system}.${target.name}`;
  const leaves = leafTargets(target, owner, '', undefined, opts).map((t) => ({ target: t, candidates: rankLeaf(t, roots, ctx, opts.keep, opts.minConfidence, opts.tables) }));
  const groups: GroupPlan[] = [];
  for (const f of writable(target)) {
    const n = nonNull(f.type);
    const kind = n.kind === 'list' ? 'list' : n.kind === 'entity' ? 'object' : undefined;
    const e = entityOf(f.type);
    if (!kind || !e) continue;
    const prefix = kind === 'list' ? `${f.name}[]` : f.name;
    const childOwner = `${e.system}.${e.name}`;
    const children = leafTargets(e, childOwner, prefix, f, opts);
    if (children.length === 0) continue;
    const existing = opts.existingGroups.get(prefix);
    if (existing) {
      const ls = children.map((t) => ({ target: t, candidates: rankLeaf(t, existing.roots, ctx, opts.keep, opts.minConfidence, opts.tables) }));
      groups.push({ kind, field: f, prefix, source: { expr: existing.via } as SourceValue, item: existing.item, score: 1, leaves: ls });
      continue;
    }
    if (opts.assigned.has(f.name)) continue;
    // The source structure whose fields fit the children best.
    const item = roots.some((r) => r.name === 'item') ? 'line_item' : 'item';
    const options: { source: SourceValue; childRoots: Root[] }[] = [];
    for (const r of roots) {
      const w = walk(r);
      if (kind === 'list') for (const l of w.lists) {
        const el = nonNull(l.type).kind === 'list' ? (nonNull(l.type) as { element: Type }).element : undefined;
        if (el) options.push({ source: l, childRoots: [{ name: item, type: el, role: 'each element' }] });
      } else {
        for (const o of w.objects) options.push({ source: o, childRoots: [{ name: o.expr, type: o.type, role: 'object' }] });
        if (nonNull(r.type).kind === 'entity' && r.role !== 'map source') {
          options.push({ source: { expr: r.name, path: [], root: r, type: r.type, key: r.name, words: nameWords(r.name), contextWords: [], descWords: [] }, childRoots: [r] });
        }
      }
    }
    let best: { score: number; o: (typeof options)[number]; ls: LeafPlan[] } | undefined;
    for (const o of options) {
      const ls = children.map((t) => ({ target: t, candidates: rankLeaf(t, o.childRoots, ctx, opts.keep, opts.minConfidence) }));
      const fit = ls.reduce((a, l) => a + (l.candidates[0]?.confidence ?? 0), 0) / ls.length;
      const score = 0.25 * structureName(nameWords(f.name), o.source.words) + 0.75 * fit;
      if (!best || score > best.score + 1e-9 || (Math.abs(score - best.score) < 1e-9 && o.source.expr < best.o.source.expr)) best = { score, o, ls };
    }
    if (!best || best.score < 0.3) continue;
    groups.push({ kind, field: f, prefix, source: best.o.source, item: kind === 'list' ? item : undefined, score: Math.round(best.score * 100) / 100, leaves: best.ls });
  }
  return { leaves, groups };
}

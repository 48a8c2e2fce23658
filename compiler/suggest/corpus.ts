/**
 * The mappings already written in the project's flows (mappings/*.flow): for every field a `map`
 * block assigns (also inside `each` bodies, nested objects and `when` blocks), the target entity field,
 * its Sage Pro column, the entity fields the expression reads (following `let`s one level), the
 * builtins it applies, and where it is written. A suggestion that reads what another flow reads for the
 * same target is confirmed by it; `exclude` leaves flows out (the benchmark's leave-one-out).
 */
import path from 'node:path';
import * as A from '../../grammar/ast.js';
import { createProgram, findFlowFiles } from '../program.js';
import type { FlowModel } from '../checker/model.js';
import type { SchemaSet } from '../schema/load-schemas.js';
import { fieldsOf, nonNull, type Type } from '../schema/types.js';

export interface CorpusEntry {
  /** `sagepro.SalesOrder.Line.item` */
  readonly target: string;
  /** `SOTRAN.ITEM`, when the target is stored. */
  readonly column?: string;
  /** Entity fields read: `xcart.OrderItem.sku`. */
  readonly sources: readonly string[];
  readonly steps: readonly string[];
  readonly expr: string;
  /** `order-to-sales-order.flow:160` */
  readonly site: string;
  /** The flow file's base name. */
  readonly file: string;
}

export interface Corpus {
  readonly entries: readonly CorpusEntry[];
  /** The time zones the flows pass to date(…, tz), each with its flow file. */
  readonly timeZones: readonly { readonly zone: string; readonly file: string }[];
}

const cache = new Map<string, Corpus>();

export function loadCorpus(flowsDir: string, schemas: SchemaSet, schemasDir: string, lookupsDir: string): Corpus {
  const key = `${path.resolve(flowsDir)}\0${schemas.hash}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let files: string[] = [];
  try { files = findFlowFiles([flowsDir]); } catch { files = []; }
  const program = files.length ? createProgram(files, { schemas, schemasDir, lookupsDir, displayBase: flowsDir }) : undefined;
  const entries: CorpusEntry[] = [];
  const zones: { zone: string; file: string }[] = [];
  for (const u of program?.units ?? []) {
    for (const m of u.models) {
      const file = path.basename(u.absPath);
      for (const step of m.steps) if (step.kind === 'MapDecl') collectObject(m, step.body, m.objectTarget.get(step.body), u.text, file, entries);
      A.walk(m.flow, (n) => {
        if (n.kind === 'Call' && n.callee.kind === 'Ident' && n.callee.name === 'date' && n.args[1]?.value.kind === 'StringLit') {
          zones.push({ zone: n.args[1].value.value, file });
        }
      });
    }
  }
  const corpus = { entries, timeZones: zones };
  cache.set(key, corpus);
  return corpus;
}

/** The time zone the flows not excluded use most (ties: the first in file order). */
export function commonTimeZone(c: Corpus, exclude: readonly string[]): string | undefined {
  const ex = new Set(exclude.map((f) => path.basename(f)));
  const n = new Map<string, number>();
  for (const z of c.timeZones) if (!ex.has(z.file)) n.set(z.zone, (n.get(z.zone) ?? 0) + 1);
  let best: string | undefined;
  for (const [z, k] of n) if (best === undefined || k > n.get(best)!) best = z;
  return best;
}

/** Entries of flows not excluded. */
export function corpusWithout(c: Corpus, exclude: readonly string[]): CorpusEntry[] {
  const ex = new Set(exclude.map((f) => path.basename(f)));
  return c.entries.filter((e) => !ex.has(e.file));
}

function entityKey(t: Type | undefined): string | undefined {
  const n = t ? nonNull(t) : undefined;
  return n?.kind === 'entity' ? `${n.system}.${n.name}` : undefined;
}

function collectObject(m: FlowModel, obj: A.ObjectExpr, target: Type | undefined, text: string, file: string, out: CorpusEntry[]): void {
  const owner = entityKey(target);
  const fields = target ? fieldsOf(nonNull(target)) : undefined;
  if (!owner || !fields) return;
  const members = (o: A.ObjectExpr): A.Assignment[] => o.members.flatMap((x) => x.kind === 'Assignment' ? [x] : x.kind === 'WhenBlock' ? [...members(x.then), ...(x.else ? members(x.else) : [])] : []);
  for (const a of members(obj)) {
    const f = fields.get(a.name.text);
    if (!f) continue;
    const v = a.value;
    if (v.kind === 'Each' || v.kind === 'ObjectExpr') {
      const body = v.kind === 'Each' ? v.body : v;
      collectObject(m, body, m.objectTarget.get(body) ?? m.objectTarget.get(v), text, file, out);
      continue;
    }
    const { sources, steps } = reads(m, v, 0);
    const line = text.slice(0, a.span.start).split(/\r\n|\r|\n/).length;
    out.push({
      target: `${owner}.${f.name}`, column: f.storage?.table && f.storage.column ? `${f.storage.table}.${f.storage.column}` : undefined,
      sources: [...new Set(sources)].sort(), steps: [...new Set(steps)].sort(), expr: text.slice(v.span.start, v.span.end).replace(/\s+/g, ' '),
      site: `${file}:${line}`, file,
    });
  }
}

/** The entity fields an expression reads and the builtins it calls (lets followed one level). */
export function reads(m: FlowModel, e: A.Node, depth: number): { sources: string[]; steps: string[] } {
  const sources: string[] = [], steps: string[] = [];
  A.walk(e, (n) => {
    if (n.kind === 'Member') {
      const owner = m.typeOf.get(n.object);
      const o = owner ? nonNull(owner) : undefined;
      const t = m.typeOf.get(n);
      if (o?.kind === 'entity' && t && nonNull(t).kind === 'prim') sources.push(`${o.system}.${o.name}.${n.name.text}`);
    } else if (n.kind === 'Call' && n.callee.kind === 'Ident') {
      const r = m.resolution.get(n.callee);
      if (r?.kind === 'builtin') steps.push(n.callee.name);
    } else if (n.kind === 'Index') {
      const r = m.resolution.get(n.object);
      if (r?.kind === 'table') steps.push('[]');
    } else if (n.kind === 'Ident' && depth === 0) {
      const r = m.resolution.get(n);
      if (r?.kind === 'local' && r.decl === 'let') {
        const decl = m.steps.find((s): s is A.Let => s.kind === 'Let' && s.name.text === r.name);
        if (decl) { const x = reads(m, decl.value, depth + 1); sources.push(...x.sources); steps.push(...x.steps); }
      }
    }
    return true;
  });
  return { sources, steps };
}

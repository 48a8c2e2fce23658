/**
 * Where the suggestions go. Without a flow: a generated minimal flow whose map reads one value of the
 * source entity (named after it: xcart.Order → order). With `--flow FILE --map NAME`: that map in its
 * flow, its source and the names declared before it (fetches, lookups, lets, `event`) as what a
 * suggestion may read, the fields it assigns already (not suggested again), its nested `each` and
 * object blocks (children go inside them), and the time zone its date(…) calls use.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as A from '../../grammar/ast.js';
import { compileSource } from '../program.js';
import { DiagnosticBag } from '../diagnostics/diagnostic.js';
import type { FlowModel } from '../checker/model.js';
import type { SchemaSet } from '../schema/load-schemas.js';
import { nonNull, withNullable, type EntityType, type Type } from '../schema/types.js';
import type { Root } from './sources.js';
import type { Slot } from './probe.js';
import { loadLookupFiles, lookupsFor, type LookupFile } from './lookups.js';
import { fieldsOf } from '../schema/types.js';

export class SuggestUsageError extends Error {}

export interface Context {
  readonly from: string;
  readonly to: string;
  readonly target: EntityType;
  readonly roots: Root[];
  readonly assigned: Set<string>;
  readonly groups: Map<string, { roots: Root[]; via: string; item?: string; slot: Slot }>;
  /** The text suggestions are spliced into, its slot for top-level targets, and how new groups open. */
  readonly base: string;
  readonly topSlot: Slot;
  readonly file: string;
  readonly absPath: string;
  readonly mapName?: string;
  readonly flowName?: string;
  readonly tz?: string;
  readonly eol: string;
  /** The flow's lookup tables (`table carrier: string -> string ...`): a value may come through one. */
  readonly tables: readonly { readonly name: string; readonly keyType: Type; readonly valueType: Type; readonly lookup?: LookupFile }[];
}

export function snakeName(entity: string): string {
  const last = entity.split('.').pop()!;
  return last.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function entity(schemas: SchemaSet, name: string, what: string): EntityType {
  const e = schemas.entities.get(name);
  if (!e) {
    const near = [...schemas.entities.keys()].filter((k) => k.toLowerCase().endsWith(name.toLowerCase().split('.').pop()!)).slice(0, 3);
    throw new SuggestUsageError(`${what} '${name}' is not an entity of the schemas${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; write system.Entity, e.g. xcart.Order or sagepro.SalesOrder`);
  }
  return e;
}

/** The Sage Pro columns of an entity and its nested entities (`SOMAST.SHIPVIA`, `SOTRAN.ITEM`). */
function columnsOf(e: EntityType, seen = new Set<EntityType>()): string[] {
  if (seen.has(e)) return [];
  seen.add(e);
  const out: string[] = [];
  for (const f of e.fields.values()) {
    if (f.storage?.table && f.storage.column) out.push(`${f.storage.table}.${f.storage.column}`);
    const n = nonNull(f.type);
    const inner = n.kind === 'entity' ? n : n.kind === 'list' && n.element.kind === 'entity' ? n.element : undefined;
    if (inner && fieldsOf(inner)) out.push(...columnsOf(inner, seen));
  }
  return out;
}

export function generatedContext(schemas: SchemaSet, from: string, to: string, schemasDir: string, lookupsDir?: string): Context {
  const source = entity(schemas, from, '--from');
  const target = entity(schemas, to, '--to');
  const root = snakeName(from);
  // The project's lookup files for the target's columns, declared as the flow would (lookups.ts).
  const cols = columnsOf(target);
  const files = lookupsDir ? loadLookupFiles(lookupsDir).filter((f) => cols.some((c) => lookupsFor([f], c).length) && f.name !== root && f.name !== 'event') : [];
  const decls = files.map((f) => `  table ${f.name}: string -> string from ${JSON.stringify(f.file)} on missing default ""\n`).join('');
  const head = `flow SuggestProbe "flowc suggest: the suggestions, type-checked"\n  on schedule every 1h\n${decls}  let ${root}: ${from} = event.data\n  map ${root} -> suggested: ${to} {\n`;
  const base = `${head}  }\n`;
  return {
    from, to, target, roots: [{ name: root, type: source, role: 'map source' }], assigned: new Set(), groups: new Map(),
    base, topSlot: { at: head.length, indent: '    ' }, file: 'suggest-probe.flow', absPath: path.join(path.dirname(schemasDir), 'suggest-probe.flow'), eol: '\n',
    tables: files.map((f) => ({ name: f.name, keyType: { kind: 'prim', name: 'string', nullable: false }, valueType: { kind: 'prim', name: 'string', nullable: false, maxLength: f.maxValueLength }, lookup: f })),
  };
}

function lineStart(text: string, offset: number): number {
  return Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
}

/** The slot before an object's closing brace. */
export function slotOf(text: string, obj: A.ObjectExpr): Slot {
  const close = obj.span.end - 1;
  const ls = lineStart(text, close);
  const before = text.slice(ls, close);
  const openLs = lineStart(text, obj.span.start);
  const indent = /^[ \t]*/.exec(text.slice(openLs))![0] + '  ';
  if (/^[ \t]*$/.test(before)) return { at: ls, indent };
  // `{ a = 1 }` or `… }` on a member's line: the lines go on lines of their own before the brace.
  return { at: close, indent, lead: /\r\n|\r|\n/.exec(text)?.[0] ?? '\n' };
}

function members(o: A.ObjectExpr): A.Assignment[] {
  return o.members.flatMap((x) => x.kind === 'Assignment' ? [x] : x.kind === 'WhenBlock' ? [...members(x.then), ...(x.else ? members(x.else) : [])] : []);
}

export function flowContext(schemas: SchemaSet, lookupsDir: string, file: string, text: string | undefined, mapName: string, from?: string, to?: string): Context {
  const absPath = path.resolve(file);
  const src = (text ?? fs.readFileSync(absPath, 'utf8')).replace(/^\uFEFF/, '');
  const bag = new DiagnosticBag();
  const unit = compileSource(src, file, absPath, schemas, lookupsDir, process.cwd(), bag);
  if (unit.hasSyntaxErrors) throw new SuggestUsageError(`${file} has syntax errors; fix them first (flowc check ${file})`);
  let model: FlowModel | undefined, decl: A.MapDecl | undefined;
  for (const m of unit.models) for (const s of m.steps) if (s.kind === 'MapDecl' && s.name.text === mapName) { model = m; decl = s; }
  if (!model || !decl) {
    const names = unit.models.flatMap((m) => m.steps.filter((s): s is A.MapDecl => s.kind === 'MapDecl').map((s) => s.name.text));
    throw new SuggestUsageError(`${file} has no map '${mapName}'${names.length ? ` (its maps: ${names.join(', ')})` : ''}`);
  }
  const targetType = model.objectTarget.get(decl.body);
  const target = targetType ? nonNull(targetType) : undefined;
  if (!target || target.kind !== 'entity') throw new SuggestUsageError(`map '${mapName}' in ${file} does not build an entity`);
  const toName = `${target.system}.${target.name}`;
  if (to && to !== toName) throw new SuggestUsageError(`--to ${to} but map '${mapName}' builds ${toName}`);
  // What the map may read: the flow's names declared before it, with the types the map sees.
  const inputs = new Map((model.mapInputs.get(decl) ?? []).map((i) => [i.name, i.type]));
  const roots: Root[] = [];
  const declared = (r: A.TypeRef | undefined): Type | undefined => {
    const e = r ? schemas.entities.get(r.parts.map((p) => p.text).join('.')) : undefined;
    if (!e || !r) return undefined;
    const t: Type = r.list ? { kind: 'list', element: e, nullable: false } : e;
    return withNullable(t, r.nullable);
  };
  const typeOfDecl = (s: A.Fetch | A.Lookup | A.Let): Type | undefined => {
    const t = inputs.get(s.name.text) ?? model!.typeOf.get(s.name) ?? model!.typeOf.get(s.value);
    return t && t.kind !== 'any' && t.kind !== 'error' ? t : declared(s.type) ?? t;
  };
  for (const s of model.steps) {
    if (s === decl) break;
    if (s.kind === 'Fetch' || s.kind === 'Lookup' || s.kind === 'Let') {
      const t = typeOfDecl(s);
      if (t && t.kind !== 'error' && t.kind !== 'any') roots.push({ name: s.name.text, type: t, role: s.kind.toLowerCase() });
    }
  }
  const srcName = decl.source?.text;
  if (srcName) {
    const i = roots.findIndex((r) => r.name === srcName);
    if (i >= 0) { const [r] = roots.splice(i, 1); roots.unshift({ ...r!, role: 'map source' }); }
  }
  roots.push({ name: 'event', type: inputs.get('event') ?? model.eventType, role: 'event' });
  const main = roots[0]!;
  const mainType = nonNull(main.type);
  const fromName = mainType.kind === 'entity' ? `${mainType.system}.${mainType.name}` : from ?? main.name;
  if (from && mainType.kind === 'entity' && from !== fromName) throw new SuggestUsageError(`--from ${from} but map '${mapName}' reads ${fromName} (${main.name})`);
  // Assigned fields and nested blocks.
  const assigned = new Set<string>();
  const groups = new Map<string, { roots: Root[]; via: string; item?: string; slot: Slot }>();
  for (const a of members(decl.body)) {
    assigned.add(a.name.text);
    const v = a.value;
    if (v.kind === 'Each' || v.kind === 'ObjectExpr') {
      const body = v.kind === 'Each' ? v.body : v;
      const prefix = v.kind === 'Each' ? `${a.name.text}[]` : a.name.text;
      for (const c of members(body)) assigned.add(`${prefix}.${c.name.text}`);
      let childRoots = roots;
      if (v.kind === 'Each') {
        const lt = model.typeOf.get(v.source);
        const el = lt && nonNull(lt).kind === 'list' ? (nonNull(lt) as { element: Type }).element : undefined;
        if (el) childRoots = [{ name: v.item.text, type: el, role: 'each element' }, ...roots];
      }
      groups.set(prefix, { roots: childRoots, via: v.kind === 'Each' ? `each ${src.slice(v.source.span.start, v.source.span.end)} as ${v.item.text}` : `{ ... }`, item: v.kind === 'Each' ? v.item.text : undefined, slot: slotOf(src, body) });
    }
  }
  const tz = firstTimeZone(model);
  return {
    from: fromName, to: toName, target, roots, assigned, groups, base: src, topSlot: slotOf(src, decl.body), file, absPath,
    mapName, flowName: model.flow.name.text, tz, eol: /\r\n|\r|\n/.exec(src)?.[0] ?? '\n',
    tables: [...model.tables.values()].map((t) => {
      const lookup = t.file ? loadLookupFiles(lookupsDir).find((f) => f.file === t.file) : undefined;
      return { name: t.name, keyType: t.keyType, valueType: t.missing === 'null' ? withNullable(t.valueType, true) : t.valueType, ...(lookup ? { lookup } : {}) };
    }),
  };
}

function firstTimeZone(m: FlowModel): string | undefined {
  let tz: string | undefined;
  A.walk(m.flow, (n) => {
    if (tz) return false;
    if (n.kind === 'Call' && n.callee.kind === 'Ident' && n.callee.name === 'date' && n.args[1]?.value.kind === 'StringLit') tz = n.args[1].value.value;
    return true;
  });
  return tz;
}

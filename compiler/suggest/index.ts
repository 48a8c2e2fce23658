/**
 * The mapping assistant: suggestMappings(request) proposes, for each target field of an entity (or the
 * unmapped targets of a map in a flow), source expressions with the conversion that makes them fit,
 * each with its confidence and the signals behind it, type-checked by the compiler in the flow's
 * context; checkOnFixtures(request, result) also runs them on the flow's fixtures. Offline and
 * deterministic: the same request gives the same answer. Used by `flowc suggest` (compiler/cli.ts), the
 * language server's "Suggest mappings" action (compiler/lsp/code-actions.ts) and the designer.
 *
 *   plan.ts        which targets, nested lists/objects and their sources
 *   score.ts       the signals (tokens.ts, abbreviations.ts, samples.ts, corpus.ts) and the confidence
 *   convert.ts     the conversion per type and width; composites.ts: name and street compounds
 *   lookups.ts     the project's lookup files whose header names the column they map to (`carriers[...]`)
 *   context.ts     the flow (or a generated one) the suggestions go in; probe.ts: the type-check
 *   fixtures.ts    the run on the flow's fixtures
 */
import path from 'node:path';
import { commonTimeZone, loadCorpus, corpusWithout } from './corpus.js';
import { flowContext, generatedContext, SuggestUsageError, type Context } from './context.js';
import { plan, type GroupPlan, type LeafPlan, type Plan } from './plan.js';
import { blocks, errorsByLine, splice, type Placed, type Slot } from './probe.js';
import type { Scored } from './score.js';
import { typeToString } from '../schema/types.js';
import type { Suggestion, SuggestRequest, SuggestResult, TargetSuggestions } from './types.js';

export type { Signal, SignalName, Suggestion, SuggestRequest, SuggestResult, TargetSuggestions, FixtureCheck } from './types.js';
export { readSamplesFile, collectSamples, SamplesError } from './samples.js';
export { SuggestUsageError } from './context.js';

/**
 * suggestMappings, then the run on the flow's fixtures (fixtures.ts). Loaded on demand: the fixture
 * runner builds flows with the emitter, which loads TypeScript, and the language server must not.
 */
export async function checkOnFixtures(req: SuggestRequest): Promise<SuggestResult> {
  const m = await import('./fixtures.js');
  return m.checkOnFixtures(req);
}

/** Below this a suggestion is not shown (chosen on the tune half of bench/suggest/truth.yaml). */
export const MIN_CONFIDENCE = 0.45;
/** The time zone of date(…) when neither the flow nor the project's flows use one. */
export const DEFAULT_TZ = 'UTC';

export interface Prepared { readonly ctx: Context; readonly plan: Plan; readonly checked: Map<Scored, string | null> }

export function prepare(req: SuggestRequest): Prepared {
  const ctx = req.flow
    ? flowContext(req.schemas, req.lookupsDir, req.flow.file, req.flow.text, req.flow.map, req.from, req.to)
    : (() => {
        if (!req.from || !req.to) throw new SuggestUsageError('flowc suggest needs --from <system.Entity> and --to <system.Entity> (or --flow FILE --map NAME)');
        return generatedContext(req.schemas, req.from, req.to, req.schemasDir, req.lookupsDir);
      })();
  const flowsDir = req.flowsDir === null ? undefined : req.flowsDir ?? path.dirname(req.schemasDir);
  const corpus = flowsDir ? loadCorpus(flowsDir, req.schemas, req.schemasDir, req.lookupsDir) : { entries: [], timeZones: [] };
  const exclude = [...(req.corpusExclude ?? []), ...(req.flow ? [path.basename(req.flow.file)] : [])];
  const entries = corpusWithout(corpus, exclude);
  const tz = ctx.tz ?? commonTimeZone(corpus, exclude) ?? DEFAULT_TZ;
  const top = req.top ?? 3;
  const p = plan(ctx.target, ctx.roots, { tz, corpus: entries, samples: req.samples }, {
    assigned: ctx.assigned, existingGroups: ctx.groups, only: req.targets ? new Set(req.targets) : undefined,
    keep: top + 3, minConfidence: req.minConfidence ?? MIN_CONFIDENCE, tables: ctx.tables,
  });
  const checked = new Map<Scored, string | null>();
  if (req.typeCheck !== false) typeCheck(ctx, p, checked, req);
  return { ctx, plan: p, checked };
}

/** Where a leaf's assignment goes: the top slot, its group's slot, or a new block for a new group. */
export function slotFor(ctx: Context, group: GroupPlan | undefined, newSlots: Map<string, Slot>): Slot {
  if (!group) return ctx.topSlot;
  const existing = ctx.groups.get(group.prefix);
  if (existing) return existing.slot;
  let s = newSlots.get(group.prefix);
  if (!s) {
    const open = group.kind === 'list' ? `${group.field.name} = each ${group.source.expr} as ${group.item} {` : `${group.field.name} = {`;
    s = { at: ctx.topSlot.at, indent: ctx.topSlot.indent, open };
    newSlots.set(group.prefix, s);
  }
  return s;
}

function allLeaves(p: Plan): { leaf: LeafPlan; group?: GroupPlan }[] {
  return [...p.leaves.map((leaf) => ({ leaf })), ...p.groups.flatMap((group) => group.leaves.map((leaf) => ({ leaf, group })))];
}

function typeCheck(ctx: Context, p: Plan, checked: Map<Scored, string | null>, req: SuggestRequest): void {
  const leaves = allLeaves(p);
  const rounds = Math.max(0, ...leaves.map((l) => l.leaf.candidates.length));
  for (let r = 0; r < rounds; r++) {
    const newSlots = new Map<string, Slot>();
    const placed: Placed[] = [];
    for (const { leaf, group } of leaves) {
      const c = leaf.candidates[r];
      if (c) placed.push({ slot: slotFor(ctx, group, newSlots), name: leaf.target.field.name, candidate: c, key: leaf.target.path });
    }
    const { text, lineOf } = splice(ctx.base, placed, ctx.eol);
    const errors = errorsByLine(text, { text, file: ctx.file, absPath: ctx.absPath }, req.schemas, req.lookupsDir);
    for (const pl of placed) checked.set(pl.candidate, errors.get(lineOf.get(pl.key)!) ?? null);
  }
}

export function toSuggestion(s: Scored, checked: Map<Scored, string | null>): Suggestion {
  const status = checked.has(s) ? (checked.get(s) === null ? 'ok' : 'failed') : 'unchecked';
  const reason = checked.get(s) ?? undefined;
  const sources = s.source.key.includes('+') ? s.source.key.split('+').map((x, i) => i === 0 ? x : s.source.key.slice(0, s.source.key.lastIndexOf('.') + 1) + x) : [s.source.key];
  return { expression: s.conversion.expr, confidence: s.confidence, sources, signals: s.signals, check: status, ...(reason ? { reason } : {}) };
}

export function resultOf(pr: Prepared, top: number): SuggestResult {
  const { ctx, plan: p, checked } = pr;
  const targets: TargetSuggestions[] = [];
  for (const { leaf, group } of allLeaves(p)) {
    const via = group ? ctx.groups.get(group.prefix)?.via ?? (group.kind === 'list' ? `each ${group.source.expr} as ${group.item}` : group.source.expr) : undefined;
    const structure = group && !ctx.groups.has(group.prefix)
      ? { signal: 'structure' as const, score: group.score, reason: `${group.prefix} from ${group.kind === 'list' ? group.source.expr : via}: the ${group.kind === 'list' ? 'list whose elements' : 'object whose fields'} fit it best` }
      : group ? { signal: 'structure' as const, score: 1, reason: `inside the flow's ${group.prefix} block (${via})` } : undefined;
    const all = leaf.candidates.map((c) => toSuggestion(c, checked)).map((x) => (structure ? { ...x, signals: [...x.signals, structure] } : x));
    const good = all.filter((s) => s.check !== 'failed').slice(0, top);
    const bad = all.filter((s) => s.check === 'failed').slice(0, top);
    const f = leaf.target.field;
    targets.push({
      target: leaf.target.path, type: typeToString(f.type), required: f.required,
      ...(f.storage?.table && f.storage.column ? { column: `${f.storage.table}.${f.storage.column}${f.storage.type ? ` ${f.storage.type}` : ''}` } : {}),
      ...(via ? { via } : {}),
      suggestions: [...good, ...bad],
    });
  }
  return { from: ctx.from, to: ctx.to, ...(ctx.mapName ? { map: ctx.mapName, file: ctx.file } : {}), targets };
}

/**
 * Suggestions for every target field (or the map's unmapped ones), best first, each type-checked
 * (unless typeCheck is false). Throws SuggestUsageError for an unknown entity, map or flow.
 */
export function suggestMappings(req: SuggestRequest): SuggestResult {
  return resultOf(prepare(req), req.top ?? 3);
}

export interface SuggestionEdits {
  /** Insertions into the flow text (offsets of the text given), in order. */
  readonly edits: readonly { readonly at: number; readonly text: string }[];
  /** The targets filled, each with its suggestion. */
  readonly filled: readonly { readonly target: string; readonly expression: string; readonly confidence: number }[];
}

/**
 * The top type-checked suggestion of each unmapped target of a flow's map, as insertions into the
 * flow's text (the language server's "Suggest mappings" action; the designer may apply them the same way).
 */
export function suggestionEdits(req: SuggestRequest & { readonly flow: NonNullable<SuggestRequest['flow']> }): SuggestionEdits {
  const pr = prepare(req);
  const newSlots = new Map<string, Slot>();
  const placed: Placed[] = [];
  const filled: { target: string; expression: string; confidence: number }[] = [];
  for (const { leaf, group } of allLeaves(pr.plan)) {
    const best = leaf.candidates.find((c) => pr.checked.get(c) === null);
    if (!best) continue;
    placed.push({ slot: slotFor(pr.ctx, group, newSlots), name: leaf.target.field.name, candidate: best, key: leaf.target.path });
    filled.push({ target: leaf.target.path, expression: best.conversion.expr, confidence: best.confidence });
  }
  return { edits: blocks(placed, pr.ctx.eol).map((b) => ({ at: b.at, text: b.text })), filled };
}

/**
 * Scores one source value for one target field: each signal gives 0..1 and a reason (samples only
 * with --samples, the corpus only where another flow maps the same target or column, code sets only
 * where a side has them). The confidence is a noisy-or of the supporting signals (name, description,
 * corpus, samples, a lookup file naming the column: SUPPORT), times the conversion's fit and what speaks against the pair: code sets that
 * differ, another flow or the samples pointing elsewhere (AGAINST), an X-Cart id into a reference to a
 * Sage Pro table, an X-Cart value into a number Sage Pro assigns, another Sage Pro column, a name other
 * than the map's own input; a value two fields deep for a top-level target weakens its name.
 */
import type { Field } from '../schema/types.js';
import { expandColumn } from './abbreviations.js';
import { convert, type Conversion } from './convert.js';
import type { CorpusEntry } from './corpus.js';
import { compareSamples, type SampleValues } from './samples.js';
import { lookupsFor } from './lookups.js';
import type { SourceValue } from './sources.js';
import { common, dice, nameWords, textWords } from './tokens.js';
import type { Signal } from './types.js';

export interface TargetInfo {
  /** `lines[].item` */
  readonly path: string;
  readonly field: Field;
  /** `sagepro.SalesOrder.Line` */
  readonly owner: string;
  /** Words of the enclosing target field (`ship to`), empty at the top. */
  readonly parentWords: readonly string[];
  readonly nested: boolean;
}

export interface ScoreContext {
  readonly tz: string;
  readonly corpus: readonly CorpusEntry[];
  readonly samples?: SampleValues;
}

export interface Scored {
  readonly source: SourceValue;
  readonly conversion: Conversion;
  readonly confidence: number;
  readonly signals: readonly Signal[];
}

/** How much each signal alone supports a pair (noisy-or). */
export const SUPPORT = { name: 0.85, description: 0.6, corpus: 0.8, samples: 0.8, lookup: 0.8 } as const;
/** The factor when the corpus or the samples point elsewhere. */
export const AGAINST = { corpus: 0.7, samples: 0.7, lookup: 0.5 } as const;
/**
 * Columns whose values Sage Pro assigns (sagepro-tables.md 0b: SONO and invoice numbers come from the
 * install's numbering; CUSTNO is ARCUST's key): an X-Cart field is not their value unless samples show it.
 */
const SAGE_NUMBERS = new Set(['SONO', 'INVNO', 'ORNUM', 'CUSTNO']);
/**
 * Quantities Sage Pro's own modules keep (sagepro-tables.md "What an integration should assume" and
 * 2.4: order entry raises the sales allocations, work orders and purchase orders their own): no
 * X-Cart value is theirs; the connector's operations move them (sales_orders.create raises LSOALOC).
 */
const SAGE_MAINTAINED = new Set(['LSOALOC', 'QSOALOC', 'LWOALOC', 'LONORDR']);

const r2 = (x: number) => Math.round(x * 100) / 100;

/** The factor that puts a pair the rules say no to (codeMismatch) below any threshold. */
export const ABSTAIN = 0.3;
/** A text column this narrow holds a code or a flag. */
const FLAG_WIDTH = 2;

/**
 * Why a source value cannot be a coded or flag target's value without confirmation, or undefined:
 * code sets that share nothing; a source code into a target that documents none (only when the target
 * is a flag-width column: a wide text column may well hold the code as text); free text into a coded
 * target (a bool into Y/N is a conversion, not free text); free text of unknown or greater length cut
 * to a flag-width column.
 */
export function codeMismatch(t: TargetInfo, s: SourceValue, conversion: Conversion, codes: number | undefined): string | undefined {
  const tt = t.field.type, st = s.type;
  if (tt.kind !== 'prim' || st.kind !== 'prim' || tt.name !== 'string') return undefined;
  const tc = tt.codes ?? [], sc = st.codes ?? [];
  const width = t.field.storage?.width ?? tt.maxLength;
  const flag = width !== undefined && width <= FLAG_WIDTH;
  if (tc.length && sc.length && codes === 0) return `code sets share nothing (${tc.join('|')} vs ${sc.join('|')})`;
  if (tc.length && !sc.length && st.name === 'string') return `the target is a code (${tc.map((c) => c || "''").join('|')}) and the source free text: a lookup table or a constant, not this field`;
  if (flag && sc.length && !tc.length) return `a ${width}-character column with undocumented codes; the source's codes (${sc.join('|')}) are another system's`;
  if (flag && !sc.length && st.name === 'string' && conversion.steps.includes('truncate')) return `free text cut to a ${width}-character code or flag column`;
  return undefined;
}

export function targetWords(t: TargetInfo): { name: string[]; column: string[]; desc: string[] } {
  const col = expandColumn(t.field.storage?.column);
  return { name: nameWords(t.field.name), column: col ? nameWords(col) : [], desc: textWords(t.field.description) };
}

function isForeignId(s: SourceValue): boolean {
  const n = s.field?.name ?? s.root.name;
  return s.type.kind === 'prim' && s.type.name === 'int' && (n === 'id' || n.endsWith('_id'));
}

export function corpusSignal(t: TargetInfo, s: SourceValue, corpus: readonly CorpusEntry[]): Signal | undefined {
  const key = `${t.owner}.${t.field.name}`;
  const col = t.field.storage?.table && t.field.storage.column ? `${t.field.storage.table}.${t.field.storage.column}` : undefined;
  const colName = t.field.storage?.column;
  const tiers: [CorpusEntry[], number, string][] = [
    [corpus.filter((e) => e.target === key), 1, 'this field'],
    [col ? corpus.filter((e) => e.column === col && e.target !== key) : [], 0.9, `${col}`],
    [colName ? corpus.filter((e) => e.column !== undefined && e.column.endsWith(`.${colName}`) && e.column !== col && e.target !== key) : [], 0.75, `column ${colName}`],
  ];
  for (const [entries, weight, what] of tiers) {
    if (entries.length === 0) continue;
    const hit = entries.find((e) => e.sources.includes(s.key));
    if (!hit) return { signal: 'corpus', score: 0, reason: `other flows map ${what} from ${[...new Set(entries.flatMap((e) => e.sources))].slice(0, 2).join(', ') || 'no field'} (${entries[0]!.site})` };
    const lookupKey = hit.steps.includes('[]');
    const score = weight * (lookupKey ? 0.3 : 1);
    return { signal: 'corpus', score, reason: `${hit.site} maps ${what} from ${s.key}${lookupKey ? ' (as a lookup key)' : ''}: ${hit.expr.length > 60 ? hit.expr.slice(0, 57) + '...' : hit.expr}` };
  }
  return undefined;
}

/**
 * The project's other flows set this field (or its column) and every one of them to a constant or a
 * site setting (no source field read: a literal, `setting["..."]`, a default): where, else undefined.
 */
/** An expression that reads no name: literals, builtin calls, tables at a literal key (`setting["x"]`). */
export function readsNothing(expr: string): boolean {
  const rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/[A-Za-z_]\w*\s*\[\s*""\s*\]/g, '0').replace(/[A-Za-z_]\w*\s*\(/g, '(')
    .replace(/\b(?:true|false|null|if|then|else|and|or|not)\b/g, ' ');
  return !/[A-Za-z_]/.test(rest);
}

export function corpusConstant(t: TargetInfo, corpus: readonly CorpusEntry[]): string | undefined {
  const key = `${t.owner}.${t.field.name}`;
  const col = t.field.storage?.table && t.field.storage.column ? `${t.field.storage.table}.${t.field.storage.column}` : undefined;
  const entries = corpus.filter((e) => e.target === key || (col !== undefined && e.column === col));
  if (entries.length === 0 || entries.some((e) => e.sources.length > 0 || !readsNothing(e.expr))) return undefined;
  return entries.slice(0, 2).map((e) => `${e.site}: ${e.expr.length > 40 ? e.expr.slice(0, 37) + '...' : e.expr}`).join('; ');
}

export function scoreLeaf(t: TargetInfo, s: SourceValue, ctx: ScoreContext, bonus = 0): Scored | undefined {
  const conversion = convert(s, t.field, ctx.tz);
  if (!conversion) return undefined;
  const tw = targetWords(t);
  const signals: Signal[] = [];
  const add = (sig: Signal) => { signals.push({ ...sig, score: r2(sig.score) }); };

  // Names: the field's own words, or what its Sage Pro column abbreviates.
  const byName = dice(tw.name, s.words);
  const byColumn = tw.column.length ? dice(tw.column, s.words) : 0;
  let name = Math.max(byName, 0.9 * byColumn);
  // An external reference holds the other system's key: its id.
  const external = [...tw.name, ...tw.column].includes('external') && isForeignId(s) && s.path.length === 1 && s.field?.name === 'id';
  if (external) name = Math.max(name, 0.8);
  // Both Sage Pro columns: a reference to the source's column is the match; another column is not.
  const sc0 = s.field?.storage, tc0 = t.field.storage;
  const sameTable = sc0?.table && sc0.column ? `${sc0.table}.${sc0.column}` : undefined;
  const referenced = !!(sameTable && tc0?.references === sameTable);
  const otherColumn = !!(sc0?.column && tc0?.column && !referenced && sc0.column !== tc0.column);
  if (referenced) name = 1;
  const ctxHit = t.parentWords.length ? common(t.parentWords, s.contextWords).length > 0 : false;
  if (ctxHit) name = Math.min(1, name + 0.1);
  if (!t.nested && s.path.length > 1) name *= 0.85;
  const shared = common([...tw.name, ...tw.column], s.words);
  add({ signal: byColumn * 0.9 > byName ? 'abbreviation' : 'name', score: name,
    reason: referenced ? `${tc0!.table}.${tc0!.column} references ${sameTable}` : external ? 'an external reference: the source\'s own id' : shared.length ? (byColumn * 0.9 > byName ? `${t.field.storage!.column} reads "${expandColumn(t.field.storage!.column)}": ${shared.join(', ')}` : `names share ${shared.join(', ')}`) : 'names share nothing' });

  const desc = dice([...tw.desc, ...tw.column], [...s.descWords, ...s.words]);
  const dShared = common([...tw.desc, ...tw.column], [...s.descWords, ...s.words]);
  add({ signal: 'description', score: desc, reason: dShared.length ? `descriptions share ${dShared.slice(0, 4).join(', ')}` : 'descriptions share nothing' });

  add({ signal: 'type', score: conversion.fit, reason: `${typeText(s)} -> ${typeText({ type: t.field.type })}${conversion.note ? `: ${conversion.note}` : ''}` });

  const tc = t.field.type.kind === 'prim' ? t.field.type.codes : undefined;
  const sc = s.type.kind === 'prim' ? s.type.codes : undefined;
  if (tc?.length || sc?.length) {
    let score: number, reason: string;
    if (tc?.length && sc?.length) {
      const both = tc.filter((c) => sc.includes(c));
      score = both.length / tc.length;
      reason = both.length ? `code sets share ${both.map((c) => JSON.stringify(c)).join(', ')}` : `code sets differ (${tc.join('|')} vs ${sc.join('|')})`;
    } else if (tc?.length) { score = 0.2; reason = `the target is a code (${tc.map((c) => c || "''").join('|')}), the source free text`; }
    else { score = 0.6; reason = `the source is a code (${sc!.join('|')})`; }
    add({ signal: 'codes', score, reason });
  }

  if (ctx.samples) {
    const m = compareSamples(ctx.samples.get(s.key), ctx.samples.get(`${t.owner}.${t.field.name}`));
    if (m) add({ signal: 'samples', score: m.score, reason: m.reason });
  }

  const c = corpusSignal(t, s, ctx.corpus);
  if (c) add(c);

  // A value through a lookup file whose header names this column (lookups.ts): the site's own mapping.
  if (s.lookup) {
    const st = t.field.storage;
    const hit = lookupsFor([s.lookup], st?.table && st.column ? `${st.table}.${st.column}` : undefined)[0];
    add({ signal: 'lookup', score: hit ? (hit.same ? 1 : 0.85) : 0,
      reason: hit ? `lookups/${s.lookup.file}: ${s.lookup.header}` : `lookups/${s.lookup.file} maps to ${s.lookup.columns.join(', ')}, not ${st?.column ?? 'this field'}` });
  }

  // Support: each signal that speaks for the pair adds evidence (a noisy-or); then what speaks against it
  // scales it down: a conversion that is a stretch, code sets that differ, another flow or the samples
  // pointing elsewhere.
  const get = (n: string) => signals.find((x) => x.signal === n);
  const corpusSig = get('corpus'), samplesSig = get('samples'), codesSig = get('codes'), lookupSig = get('lookup');
  let support = 1 - (1 - SUPPORT.name * name) * (1 - SUPPORT.description * desc)
    * (1 - SUPPORT.corpus * (corpusSig?.score ?? 0)) * (1 - SUPPORT.samples * (samplesSig?.score ?? 0))
    * (1 - SUPPORT.lookup * (lookupSig?.score ?? 0));
  support *= external ? Math.max(conversion.fit, 0.9) : conversion.fit;
  if (codesSig) support *= 0.5 + 0.5 * codesSig.score;
  if (corpusSig && corpusSig.score === 0) support *= AGAINST.corpus;
  if (samplesSig && samplesSig.score < 0.2) support *= AGAINST.samples;
  if (lookupSig && lookupSig.score === 0) support *= AGAINST.lookup;
  let confidence = support;
  // Codes and flags (sagepro-tables.md 3.1: each system has its own code sets, Sage Pro's C(1) status
  // and flag columns are codes): a value is one of them only when the code sets agree or another flow,
  // a lookup file or the samples confirm it (confirmed). Otherwise no suggestion: a code of one set is not
  // a code of another (X-Cart's E/D profile status is not CUSTSTAT), free text is not a code, and a
  // one- or two-character column never takes the first letters of a longer text.
  const confirmed = (corpusSig?.score ?? 0) >= 0.5 || (samplesSig?.score ?? 0) >= 0.5 || (lookupSig?.score ?? 0) >= 0.5;
  const abstain = codeMismatch(t, s, conversion, codesSig?.score);
  if (abstain && !confirmed) {
    confidence *= ABSTAIN;
    signals.push({ signal: 'codes', score: 0, reason: abstain });
  }
  // The project's flows all set it to a constant or a setting: a value of the site, not of the source.
  const constant = corpusConstant(t, ctx.corpus);
  if (constant && !confirmed) {
    confidence *= ABSTAIN;
    signals.push({ signal: 'corpus', score: 0, reason: `other flows set it without reading a source field (${constant}): a constant or a site setting` });
  }
  if (otherColumn) {
    confidence *= 0.5;
    signals.push({ signal: 'abbreviation', score: 0, reason: `the source is ${sc0!.table}.${sc0!.column}, another column than ${tc0!.column}` });
  }
  if (isForeignId(s) && t.field.storage?.references) {
    confidence *= 0.3;
    signals.push({ signal: 'type', score: 0, reason: `an X-Cart id into a reference to ${t.field.storage.references}` });
  }
  const col = t.field.storage?.column ?? '';
  const refCol = t.field.storage?.references?.split('.')[1] ?? '';
  if (s.key.startsWith('xcart.') && (SAGE_NUMBERS.has(col) || SAGE_NUMBERS.has(refCol)) && !(samplesSig && samplesSig.score >= 0.5)) {
    confidence *= 0.4;
    signals.push({ signal: 'type', score: 0, reason: `${col || refCol} is a number Sage Pro assigns (its numbering), not an X-Cart value` });
  }
  if (s.key.startsWith('xcart.') && SAGE_MAINTAINED.has(col) && !(samplesSig && samplesSig.score >= 0.5)) {
    confidence *= ABSTAIN;
    signals.push({ signal: 'type', score: 0, reason: `${col} is kept by Sage Pro's own modules (allocations, purchase and work orders), not an X-Cart value` });
  }
  // The map's own input (or the element of its `each`) before other names in scope, such as `event`.
  if (s.root.role !== 'map source' && s.root.role !== 'each element' && s.root.role !== 'object') confidence *= 0.95;
  confidence = Math.max(0, Math.min(1, confidence + bonus));
  return { source: s, conversion, confidence: r2(confidence), signals };
}

function typeText(x: { type: SourceValue['type'] }): string {
  const t = x.type;
  if (t.kind !== 'prim') return t.kind;
  return `${t.name}${t.maxLength !== undefined ? `(${t.maxLength})` : ''}${t.nullable ? '?' : ''}`;
}

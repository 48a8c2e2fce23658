/**
 * The type-check of suggestions by the compiler itself (program.ts compileSource): the suggestions are
 * put in place, in the flow's own map when there is one, else in a generated minimal flow
 *   flow SuggestProbe ... on schedule every 1h
 *     let order: xcart.Order = event.data
 *     map order -> suggested: sagepro.SalesOrder { <suggestions> }
 * one candidate per target per round (round k holds every target's k-th candidate), each on a line of
 * its own, and an error on a line rejects the candidate there with the compiler's message. Errors
 * elsewhere (a required field the probe leaves out) are not the candidates' and are ignored.
 */
import path from 'node:path';
import { compileSource } from '../program.js';
import { DiagnosticBag } from '../diagnostics/diagnostic.js';
import type { SchemaSet } from '../schema/load-schemas.js';
import type { Scored } from './score.js';

/** One place where assignments go: before the closing brace of an object, or a new block at the top. */
export interface Slot {
  /** Offset in the base text where the lines go (the start of the closing brace's line). */
  readonly at: number;
  readonly indent: string;
  /** A block to open around the lines (`lines = each order.items as item {`), when the group is new. */
  readonly open?: string;
}

export interface Probe {
  /** The text the candidates are spliced into. */
  readonly text: string;
  readonly file: string;
  readonly absPath: string;
}

export interface Placed { readonly slot: Slot; readonly name: string; readonly candidate: Scored; readonly key: string }

/** Splices assignments into the text; returns the new text and the line number of each placed key. */
export function splice(base: string, placed: readonly Placed[], eol = '\n'): { text: string; lineOf: Map<string, number> } {
  const bySlot = new Map<Slot, Placed[]>();
  for (const p of placed) { let a = bySlot.get(p.slot); if (!a) bySlot.set(p.slot, a = []); a.push(p); }
  const slots = [...bySlot.keys()].sort((a, b) => a.at - b.at);
  let out = '', last = 0, line = 1;
  const lineOf = new Map<string, number>();
  const emit = (s: string) => { out += s; line += (s.match(/\r\n|\r|\n/g) ?? []).length; };
  for (const s of slots) {
    emit(base.slice(last, s.at));
    last = s.at;
    const inner = s.open ? `${s.indent}  ` : s.indent;
    if (s.open) emit(`${s.indent}${s.open}${eol}`);
    for (const p of bySlot.get(s)!) { lineOf.set(p.key, line); emit(`${inner}${p.name} = ${p.candidate.conversion.expr}${eol}`); }
    if (s.open) emit(`${s.indent}}${eol}`);
  }
  emit(base.slice(last));
  return { text: out, lineOf };
}

/** Compiles the text; the first error message on each line. */
export function errorsByLine(text: string, probe: Probe, schemas: SchemaSet, lookupsDir: string): Map<number, string> {
  const bag = new DiagnosticBag();
  compileSource(text, probe.file, probe.absPath, schemas, lookupsDir, path.dirname(probe.absPath), bag);
  const out = new Map<number, string>();
  for (const d of bag.sorted()) {
    if (d.category !== 'error' || !d.span) continue;
    if (!out.has(d.span.line)) out.set(d.span.line, `FLOW${d.code}: ${d.message}`);
  }
  return out;
}

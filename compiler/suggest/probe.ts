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
  /** Text before the lines (a line break when the object's closing brace shares a line with members). */
  readonly lead?: string;
}

export interface Probe {
  /** The text the candidates are spliced into. */
  readonly text: string;
  readonly file: string;
  readonly absPath: string;
}

export interface Placed { readonly slot: Slot; readonly name: string; readonly candidate: Scored; readonly key: string }

/** The text each slot gets: its assignments, one a line (inside a new block when the slot opens one). */
export function blocks(placed: readonly Placed[], eol = '\n'): { at: number; text: string; keys: string[]; opens: boolean }[] {
  const bySlot = new Map<Slot, Placed[]>();
  for (const p of placed) { let a = bySlot.get(p.slot); if (!a) bySlot.set(p.slot, a = []); a.push(p); }
  return [...bySlot.keys()].sort((a, b) => a.at - b.at).map((s) => {
    const inner = s.open ? `${s.indent}  ` : s.indent;
    const lines = bySlot.get(s)!.map((p) => `${inner}${p.name} = ${p.candidate.conversion.expr}${eol}`);
    const body = s.open ? `${s.indent}${s.open}${eol}${lines.join('')}${s.indent}}${eol}` : lines.join('');
    const text = s.lead ? `${s.lead}${body}${s.indent.slice(2)}` : body;
    return { at: s.at, text, keys: bySlot.get(s)!.map((p) => p.key), opens: !!s.open };
  });
}

/** Splices assignments into the text; returns the new text and the line number of each placed key. */
export function splice(base: string, placed: readonly Placed[], eol = '\n'): { text: string; lineOf: Map<string, number> } {
  let out = '', last = 0, line = 1;
  const lineOf = new Map<string, number>();
  const count = (x: string) => (x.match(/\r\n|\r|\n/g) ?? []).length;
  for (const b of blocks(placed, eol)) {
    const before = base.slice(last, b.at);
    out += before; line += count(before); last = b.at;
    // Each assignment's line: the block's lines in order, after the opening line of a new block.
    const opens = b.opens ? 1 : 0;
    const lead = /^(\r\n|\r|\n)/.test(b.text) ? 1 : 0;
    b.keys.forEach((k, i) => lineOf.set(k, line + lead + opens + i));
    out += b.text; line += count(b.text);
  }
  out += base.slice(last);
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

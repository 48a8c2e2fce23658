/**
 * Addresses and names: `split_street` (one street text into three address lines of a width) and
 * `split_name` (a person's name into first and last) (BUILTINS.md, "Addresses and names").
 */
import { FlowError } from '../contract.js';
import { cpLeft, cpLen, type Opt } from './internal.js';

export interface StreetLines {
  line1: string;
  line2: string;
  line3: string;
}

const WS_RUN_RE = /[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+/g;
const NEWLINE_RE = /\r\n?|\n|\u2028|\u2029/;
const EDGE_COMMAS_RE = /^[\s,]+|[\s,]+$/g;
/** A comma, except one between two digits ("1,200"). */
const COMMA_RE = /(?<!\d),|,(?!\d)/;

/** A piece of an address line and how it attaches to the piece before it. */
interface Seg { text: string; joiner: string }

function wrapWords(text: string, width: number, joiner: string, out: Seg[]): void {
  const words = text.split(' ');
  let cur = '';
  let curLen = 0;
  let j = joiner;
  for (const w0 of words) {
    let w = w0;
    if (w === '') continue;
    let wl = cpLen(w);
    if (cur !== '' && curLen + 1 + wl <= width) {
      cur += ' ' + w;
      curLen += 1 + wl;
      continue;
    }
    if (cur !== '') { out.push({ text: cur, joiner: j }); j = ' '; cur = ''; curLen = 0; }
    while (wl > width) {
      const head = cpLeft(w, width);
      out.push({ text: head, joiner: j });
      j = '';
      w = w.slice(head.length);
      wl -= width;
    }
    cur = w;
    curLen = wl;
  }
  if (cur !== '') out.push({ text: cur, joiner: j });
}

function packSegs(segs: readonly Seg[], width: number): Seg[] {
  const out: Seg[] = [];
  for (const s of segs) {
    const last = out[out.length - 1];
    if (last !== undefined && cpLen(last.text) + cpLen(s.joiner) + cpLen(s.text) <= width) {
      last.text += s.joiner + s.text;
    } else out.push({ text: s.text, joiner: s.joiner });
  }
  return out;
}

/**
 * Splits one street text into three address lines of at most `width` characters:
 *  1. lines are split on newlines; whitespace runs collapse to one space; leading/trailing spaces
 *     and commas are removed; empty lines are dropped;
 *  2. a line longer than width is split at its commas, and consecutive parts are packed back
 *     together (joined with ", ") while they fit; a part still too long is word-wrapped (a word
 *     longer than width is cut);
 *  3. if that gives more than 3 lines, all pieces are packed greedily (joined with ", " across
 *     original lines/commas, " " within a wrapped part) while they fit;
 *  4. if still more than 3, line3 gets everything from the third piece on, joined the same way
 *     and cut to width (the rest is lost: use check_width on the source to refuse instead).
 * Missing lines are ''.
 */
export function split_street(s: Opt<string>, width: Opt<number> = 30): StreetLines | null {
  if (s == null || width == null) return null;
  if (!Number.isInteger(width) || width < 1) throw new FlowError(`split_street: width must be a positive int, got ${String(width)}`, undefined);
  let segs: Seg[] = [];
  for (const raw of s.split(NEWLINE_RE)) {
    const line = raw.replace(WS_RUN_RE, ' ').replace(EDGE_COMMAS_RE, '');
    if (line === '') continue;
    if (cpLen(line) <= width) {
      segs.push({ text: line, joiner: ', ' });
      continue;
    }
    const parts: Seg[] = [];
    for (const p0 of line.split(COMMA_RE)) {
      const p = p0.trim();
      if (p !== '') parts.push({ text: p, joiner: ', ' });
    }
    for (const part of packSegs(parts, width)) {
      if (cpLen(part.text) <= width) segs.push(part);
      else wrapWords(part.text, width, ', ', segs);
    }
  }
  if (segs.length > 3) segs = packSegs(segs, width);
  const line1 = segs[0]?.text ?? '';
  const line2 = segs[1]?.text ?? '';
  let line3 = segs[2]?.text ?? '';
  if (segs.length > 3) {
    for (let i = 3; i < segs.length; i++) line3 += segs[i]!.joiner + segs[i]!.text;
    line3 = cpLeft(line3, width).replace(EDGE_COMMAS_RE, '');
  }
  return { line1, line2, line3 };
}

export interface PersonName {
  first: string;
  last: string;
}

const PARTICLES = new Set(['van', 'von', 'de', 'der', 'den', 'da', 'di', 'la', 'le', 'du', 'del', 'della', 'dos', 'das', 'ten', 'ter', 'st.', 'st']);
const SUFFIXES = new Set(['jr', 'jr.', 'sr', 'sr.', 'ii', 'iii', 'iv', 'phd', 'ph.d.', 'md', 'm.d.', 'esq', 'esq.']);
const SPACES_RE = /\s+/;

/**
 * Splits a person's name into first and last name:
 *  - "John Smith" -> John / Smith; "John F. Kennedy" -> "John F." / Kennedy;
 *  - "Smith, John" -> John / Smith (text before the first comma is the last name), unless what
 *    follows the comma is only a suffix ("John Smith, Jr.");
 *  - particles before the last word belong to the last name: "Mary Ann van der Berg" ->
 *    "Mary Ann" / "van der Berg" (van von de der den da di la le du del della dos das ten ter st st.),
 *    but the first word always stays the first name ("Van Morrison" -> Van / Morrison);
 *  - trailing suffixes (Jr Jr. Sr Sr. II III IV PhD MD Esq) stay with the last name:
 *    "John Smith Jr." -> John / "Smith Jr.";
 *  - a single word is a last name: "Cher" -> '' / Cher; blank -> '' / ''.
 * Titles (Mr., Dr.) are not removed; case is kept as written.
 */
export function split_name(s: Opt<string>): PersonName | null {
  if (s == null) return null;
  const text = s.trim();
  if (text === '') return { first: '', last: '' };
  const comma = text.indexOf(',');
  if (comma >= 0) {
    const before = text.slice(0, comma).trim();
    const afterParts = text.slice(comma + 1).split(',').map((p) => p.trim()).filter((p) => p !== '');
    const onlySuffixes = afterParts.length > 0 && afterParts.every((p) => p.split(SPACES_RE).every((w) => SUFFIXES.has(w.toLowerCase())));
    if (!onlySuffixes) {
      // "Smith, John[, Jr.]": last, first, suffixes
      const firstName = (afterParts[0] ?? '').split(SPACES_RE).join(' ');
      const rest = afterParts.slice(1).join(' ');
      const lastName = before.split(SPACES_RE).join(' ');
      return { first: firstName, last: rest === '' ? lastName : (lastName === '' ? rest : lastName + ' ' + rest) };
    }
    return splitWords(before.split(SPACES_RE).filter((w) => w !== ''), afterParts.join(' '));
  }
  return splitWords(text.split(SPACES_RE), '');
}

function splitWords(words: string[], suffix0: string): PersonName {
  let end = words.length;
  while (end > 1 && SUFFIXES.has(words[end - 1]!.toLowerCase())) end--;
  let suffix = words.slice(end).join(' ');
  if (suffix0 !== '') suffix = suffix === '' ? suffix0 : suffix + ' ' + suffix0;
  if (end === 0) return { first: '', last: suffix };
  let start = end - 1;
  while (start > 1 && PARTICLES.has(words[start - 1]!.toLowerCase())) start--;
  const lastName = words.slice(start, end).join(' ');
  return {
    first: words.slice(0, start).join(' '),
    last: suffix === '' ? lastName : lastName + ' ' + suffix,
  };
}

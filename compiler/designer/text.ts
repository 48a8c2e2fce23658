/**
 * Text helpers of the edits: lines, the extent a statement owns (its own lines, its leading
 * comment, a comment at the end of its last line), minimal replacements, applying edits and their
 * inverse. Offsets are into the text given; nothing here knows the grammar beyond comments.
 */
import { lexComments, type Comment } from '../format/comments.js';
import type { TextEdit } from './api.js';

export class Text {
  private commentList?: readonly Comment[];
  constructor(readonly text: string) {}

  get comments(): readonly Comment[] { return (this.commentList ??= lexComments(this.text).comments); }

  /** The line break of the file (what inserted lines end with). */
  get eol(): string { return /\r\n|\r|\n/.exec(this.text)?.[0] ?? '\n'; }

  lineStart(offset: number): number {
    let i = offset;
    while (i > 0) { const c = this.text.charCodeAt(i - 1); if (c === 10 || c === 13) break; i--; }
    return i;
  }

  /** The offset of the line break ending the line of `offset` (the text's length on the last line). */
  lineEnd(offset: number): number {
    let i = offset;
    while (i < this.text.length) { const c = this.text.charCodeAt(i); if (c === 10 || c === 13) break; i++; }
    return i;
  }

  /** The length of the line break at `at` (0 at the end of the text). */
  breakAt(at: number): number {
    const c = this.text.charCodeAt(at);
    if (c === 13) return this.text.charCodeAt(at + 1) === 10 ? 2 : 1;
    return c === 10 ? 1 : 0;
  }

  /** The start of the next line (the text's length on the last line). */
  nextLine(offset: number): number { const e = this.lineEnd(offset); return e + this.breakAt(e); }

  indentOf(offset: number): string { const s = this.lineStart(offset); return /^[ \t]*/.exec(this.text.slice(s))![0]; }

  isBlankLine(lineStart: number): boolean { return /^[ \t]*$/.test(this.text.slice(lineStart, this.lineEnd(lineStart))); }

  /** Whether [from, to) holds only white space and comments (no line break when `sameLine`). */
  onlySpaceAndComments(from: number, to: number, sameLine = false): boolean {
    let i = from;
    while (i < to) {
      const c = this.text[i]!;
      if (c === ' ' || c === '\t') { i++; continue; }
      if (c === '\n' || c === '\r') { if (sameLine) return false; i++; continue; }
      const cm = this.comments.find((k) => k.start === i);
      if (!cm || cm.end > to) return false;
      if (sameLine && /[\r\n]/.test(this.text.slice(cm.start, cm.end))) return false;
      i = cm.end;
    }
    return true;
  }

  /**
   * What a statement (or a map assignment) at [start, end) owns: when it is alone on its lines, its
   * whole lines with their line break, a comment after it on its last line, and its leading
   * comment: the comment lines directly above it (no blank line between, each comment starting its
   * line). `ownLine` false: it shares a line with other code, and owns only its span.
   */
  extent(start: number, end: number): { start: number; end: number; ownLine: boolean } {
    const ls = this.lineStart(start);
    if (!this.onlySpaceAndComments(ls, start, true) || this.text.slice(ls, start).trim() !== '') return { start, end, ownLine: false };
    const le = this.lineEnd(end);
    if (!this.onlySpaceAndComments(end, le, true)) return { start, end, ownLine: false };
    let s = ls;
    for (;;) {
      if (s === 0) break;
      const prevEnd = s - (this.text.charCodeAt(s - 1) === 10 && this.text.charCodeAt(s - 2) === 13 ? 2 : 1);
      const prevStart = this.lineStart(prevEnd);
      const line = this.text.slice(prevStart, prevEnd);
      if (line.trim() === '') break;
      // A comment line: comments only, the first starting its line (a block comment may begin lines above).
      const first = prevStart + (line.length - line.trimStart().length);
      const cm = this.comments.find((k) => k.start <= first && k.end > first);
      if (!cm) break;
      const cs = this.lineStart(cm.start);
      if (this.text.slice(cs, cm.start).trim() !== '' || !this.onlySpaceAndComments(cm.start, prevEnd, false)) break;
      s = cs;
    }
    return { start: s, end: le + this.breakAt(le), ownLine: true };
  }

  /** The comments inside [from, to). */
  commentsIn(from: number, to: number): Comment[] { return this.comments.filter((c) => c.start >= from && c.end <= to); }
}

/** A replacement of [start, end) by newText, shrunk to the part that changes. */
export function minimal(text: string, start: number, end: number, newText: string): TextEdit {
  const old = text.slice(start, end);
  let p = 0;
  while (p < old.length && p < newText.length && old.charCodeAt(p) === newText.charCodeAt(p)) p++;
  let q = 0;
  while (q < old.length - p && q < newText.length - p && old.charCodeAt(old.length - 1 - q) === newText.charCodeAt(newText.length - 1 - q)) q++;
  // Never split a CRLF pair or a surrogate pair at the edit's edges.
  const edit = { start: start + p, end: end - q, newText: newText.slice(p, newText.length - q) };
  return edit;
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '', at = 0;
  for (const e of sorted) {
    if (e.start < at) throw new Error(`overlapping edits at ${e.start}`);
    out += text.slice(at, e.start) + e.newText;
    at = e.end;
  }
  return out + text.slice(at);
}

/** The edits that turn the new text back into the old one (offsets into the new text). */
export function inverseOf(text: string, edits: readonly TextEdit[]): TextEdit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let delta = 0;
  return sorted.map((e) => {
    const start = e.start + delta;
    delta += e.newText.length - (e.end - e.start);
    return { start, end: start + e.newText.length, newText: text.slice(e.start, e.end) };
  });
}

export function quote(s: string): string { return JSON.stringify(s); }

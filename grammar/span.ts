/** Source positions. Offsets are 0-based; lines and columns are 1-based, as displayed. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface TokenLike {
  readonly image: string;
  readonly startOffset: number;
  readonly endOffset?: number;
  readonly startLine?: number;
  readonly startColumn?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

export function spanOfToken(file: string, t: TokenLike): Span {
  const start = t.startOffset;
  const end = (t.endOffset ?? start + t.image.length - 1) + 1;
  return {
    file, start, end,
    line: t.startLine ?? 1, column: t.startColumn ?? 1,
    endLine: t.endLine ?? t.startLine ?? 1,
    endColumn: (t.endColumn ?? (t.startColumn ?? 1) + t.image.length - 1) + 1,
  };
}

/** The smallest span covering both. */
export function joinSpans(a: Span, b: Span): Span {
  const first = a.start <= b.start ? a : b;
  const last = a.end >= b.end ? a : b;
  return { file: a.file, start: first.start, end: last.end, line: first.line, column: first.column, endLine: last.endLine, endColumn: last.endColumn };
}

/**
 * Maps offsets to 1-based line/column, as an editor (VS Code) shows them: a line ends at "\r\n",
 * "\n" or a lone "\r", and a column counts UTF-16 code units from the start of its line (a
 * character outside the Basic Multilingual Plane counts two, as in VS Code and TypeScript). Every
 * span of a .flow file is made here from offsets, so all diagnostics agree on positions.
 */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) { if (text.charCodeAt(i + 1) === 10) i++; this.starts.push(i + 1); }
    }
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
  span(file: string, start: number, end: number): Span {
    const a = this.position(start), b = this.position(end);
    return { file, start, end, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }
  /** The text of a line, without its line break. */
  lineText(line: number): string {
    const s = this.starts[line - 1] ?? this.text.length;
    const e = this.starts[line] ?? this.text.length;
    return this.text.slice(s, e).replace(/\r?\n$|\r$/, '');
  }
  get lineCount(): number { return this.starts.length; }
}

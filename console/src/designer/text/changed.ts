// Which lines of a new text differ from the old one: the lines between the common prefix and the
// common suffix (a visual edit touches one region at a time; several edits give several calls).
// Pure (no DOM): the designer's page and its tests use it.

/** 1-based line numbers of `after` that are new or changed relative to `before`. */
export function changedLines(before: string, after: string): number[] {
  if (before === after) return [];
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) { endA--; endB--; }
  const out: number[] = [];
  for (let i = start; i <= endB; i++) out.push(i + 1);
  // a pure deletion: mark the line where the text closed up
  if (out.length === 0 && b.length > 0) out.push(Math.min(start + 1, b.length));
  return out;
}

/** Line and column (1-based) of a UTF-16 offset in `text`. */
export function lineOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; last = i + 1; }
  return { line, column: offset - last + 1 };
}

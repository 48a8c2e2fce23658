/**
 * When a suggestion is right (bench/README.md, "suggest.bench.ts"): equal to an expected expression
 * after normalising, or reading the same source fields through the same conversions whatever their
 * literal arguments.
 */

const LITERAL = String.raw`"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null`;

/** Whitespace out, `?.` as `.`, `?? <literal>` defaults out, parentheses around a bare path out. */
export function normalise(e: string): string {
  let s = e.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (m, str) => str ?? '');
  for (;;) {
    const next = s.replace(/\?\./g, '.').replace(new RegExp(String.raw`\?\?(?:${LITERAL})`, 'g'), '').replace(/\(([A-Za-z_][\w.]*)\)/g, (m, p, off, all) => (off > 0 && /[\w)\]]/.test(all[off - 1]) ? m : p));
    if (next === s) return s;
    s = next;
  }
}

/** The source field paths an expression reads and the conversions it applies. */
export function shape(e: string): { fields: string[]; steps: string[] } {
  const n = normalise(e).replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const fields = new Set<string>(), steps = new Set<string>();
  for (const m of n.matchAll(/(^|[^\w.)\]])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?!\s*\()/g)) fields.add(m[2]!);
  for (const m of n.matchAll(/\)\.([A-Za-z_]\w*)/g)) fields.add(`().${m[1]}`);
  for (const m of n.matchAll(/([A-Za-z_]\w*)\(/g)) steps.add(m[1]!);
  for (const m of n.matchAll(/([A-Za-z_]\w*)\[/g)) { steps.add('[]'); fields.delete(m[1]!); }
  return { fields: [...fields].sort(), steps: [...steps].sort() };
}

export function isRight(suggestion: string, expected: readonly string[]): boolean {
  const n = normalise(suggestion);
  const s = shape(suggestion);
  return expected.some((x) => {
    if (normalise(x) === n) return true;
    const y = shape(x);
    return y.fields.length > 0 && y.fields.join(',') === s.fields.join(',') && y.steps.join(',') === s.steps.join(',');
  });
}

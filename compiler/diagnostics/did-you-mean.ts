/**
 * "Did you mean ...?" suggestions for unknown names (graphql-js suggestionList style).
 *
 * A candidate is suggested when it is
 *   - the name with different letter case ("Total" → "total"),
 *   - the name spelled with other separators or case ("orderNumber" → "order_number"),
 *   - within max(1, floor(len/3)) Damerau-Levenshtein edits of the name, compared case-insensitively
 *     ("totl" → "total", "ordre_number" → "order_number"), or
 *   - a whole-word prefix or suffix variant ("total" → "total_amount", "order_total" → "total").
 * Results are ranked in that order (then by edit distance, then alphabetically); at most 3.
 */

const MAX_SUGGESTIONS = 3;

/** Candidates for `name`, best first, at most 3. The name itself is never suggested. */
export function suggest(name: string, candidates: Iterable<string>): string[] {
  const lower = name.toLowerCase();
  const norm = normalize(name);
  const words = wordsOf(name);
  const threshold = Math.max(1, Math.floor(name.length / 3));
  const scored: { candidate: string; tier: number; distance: number }[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (candidate === name || seen.has(candidate) || candidate.length === 0) continue;
    seen.add(candidate);
    const cLower = candidate.toLowerCase();
    let tier: number;
    let distance: number;
    if (cLower === lower) { tier = 0; distance = 0; }
    else if (norm.length > 0 && normalize(candidate) === norm) { tier = 1; distance = 0; }
    else {
      const d = Math.abs(cLower.length - lower.length) > threshold ? Infinity : damerauLevenshtein(lower, cLower);
      if (d <= threshold) { tier = 2; distance = d; }
      else if (isWordVariant(words, wordsOf(candidate))) { tier = 2; distance = threshold + 1; }
      else continue;
    }
    scored.push({ candidate, tier, distance });
  }
  scored.sort((a, b) =>
    a.tier - b.tier || a.distance - b.distance ||
    Math.abs(a.candidate.length - name.length) - Math.abs(b.candidate.length - name.length) ||
    (a.candidate < b.candidate ? -1 : a.candidate > b.candidate ? 1 : 0));
  return scored.slice(0, MAX_SUGGESTIONS).map((s) => s.candidate);
}

/** "Did you mean 'total'?", "Did you mean 'total' or 'totals'?", "Did you mean 'a', 'b' or 'c'?", or undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const list = suggest(name, candidates).map((s) => `'${s}'`);
  if (list.length === 0) return undefined;
  const last = list[list.length - 1]!;
  return list.length === 1 ? `Did you mean ${last}?` : `Did you mean ${list.slice(0, -1).join(', ')} or ${last}?`;
}

/**
 * Unrestricted Damerau-Levenshtein distance (insertions, deletions, substitutions and transpositions
 * of adjacent characters, with edits allowed between transposed characters), Lowrance-Wagner.
 */
export function damerauLevenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const maxDist = a.length + b.length;
  const width = b.length + 2;
  const d = new Array<number>((a.length + 2) * width).fill(0);
  const at = (i: number, j: number): number => i * width + j;
  d[at(0, 0)] = maxDist;
  for (let i = 0; i <= a.length; i++) { d[at(i + 1, 0)] = maxDist; d[at(i + 1, 1)] = i; }
  for (let j = 0; j <= b.length; j++) { d[at(0, j + 1)] = maxDist; d[at(1, j + 1)] = j; }
  const lastRow = new Map<string, number>();
  for (let i = 1; i <= a.length; i++) {
    let lastMatchCol = 0;
    for (let j = 1; j <= b.length; j++) {
      const i1 = lastRow.get(b[j - 1]!) ?? 0;
      const j1 = lastMatchCol;
      let cost = 1;
      if (a[i - 1] === b[j - 1]) { cost = 0; lastMatchCol = j; }
      d[at(i + 1, j + 1)] = Math.min(
        d[at(i, j)]! + cost,                                   // substitution
        d[at(i + 1, j)]! + 1,                                  // insertion
        d[at(i, j + 1)]! + 1,                                  // deletion
        d[at(i1, j1)]! + (i - i1 - 1) + 1 + (j - j1 - 1),      // transposition
      );
    }
    lastRow.set(a[i - 1]!, i);
  }
  return d[at(a.length + 1, b.length + 1)]!;
}

/** Lowercase without separators: "Order_Number", "orderNumber", "order-number" → "ordernumber". */
function normalize(s: string): string { return s.toLowerCase().replace(/[_\-\s]/g, ''); }

/** Lowercase words split at separators and camelCase humps: "orderTotal_gross" → [order, total, gross]. */
function wordsOf(s: string): string[] {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[_\-\s]+/).filter((w) => w.length > 0);
}

/** One word list is a leading or trailing run of the other, and the shorter spells at least 3 letters. */
function isWordVariant(a: readonly string[], b: readonly string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0 || short.length === long.length || short.join('').length < 3) return false;
  const prefix = short.every((w, i) => long[i] === w);
  const suffix = short.every((w, i) => long[long.length - short.length + i] === w);
  return prefix || suffix;
}

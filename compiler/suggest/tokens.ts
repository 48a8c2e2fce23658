/**
 * Words of names and descriptions: split (snake_case, camelCase, digits), lower-cased, stemmed
 * (plural -s, -ing, -ed) and canonicalised through a small synonym table, so `zipcode` meets `zip`,
 * `qty` meets `quantity`, `shipping` meets `ship`. Similarity is a weighted Dice coefficient.
 */

/** Synonym groups: every word of a group becomes its first word. */
const SYNONYMS: readonly (readonly string[])[] = [
  ['quantity', 'qty'],
  ['number', 'no', 'num', 'nr'],
  ['zip', 'zipcode', 'postal', 'postcode'],
  ['description', 'desc', 'descrip'],
  ['address', 'addr'],
  ['amount', 'amt'],
  ['date', 'dte'],
  ['customer', 'cust'],
  ['item', 'itm', 'sku'],
  ['location', 'loc', 'loctid', 'warehouse'],
  ['reference', 'ref'],
  ['status', 'stat'],
  ['phone', 'tel', 'telephone'],
  ['email', 'mail'],
  ['carrier', 'via'],
  ['line', 'lines'],
  ['salesperson', 'salesman', 'salesmn'],
  ['create', 'creat', 'plac', 'place', 'enter', 'entered'],
];
const CANON = new Map<string, string>();
for (const g of SYNONYMS) for (const w of g) CANON.set(w, g[0]!);

const STOP = new Set(['a', 'an', 'the', 'of', 'to', 'in', 'on', 'or', 'and', 'is', 'be', 'for', 'by', 'as', 'at', 'it', 'its',
  'this', 'that', 'when', 'with', 'from', 'not', 'no', 'null', 'means', 'e', 'g', 'eg', 'i', 'ie', 'only', 'one', 'are', 'has',
  'have', 'which', 'there', 'their', 'than', 'then', 'so', 'if', 'each', 'every', 'any', 'all', 'also', 'given', 'back', 'up',
  'sage', 'pro', 'x', 'cart', 'xcart', 'connector', 'stored', 'field', 'value', 'used', 'see', 'flow', 'flows']);

export function stem(w: string): string {
  let s = w.toLowerCase();
  if (CANON.has(s)) return CANON.get(s)!;
  if (s.length > 4 && s.endsWith('ies')) s = s.slice(0, -3) + 'y';
  else if (s.length > 3 && s.endsWith('s') && !s.endsWith('ss') && !s.endsWith('us')) s = s.slice(0, -1);
  if (s.length > 5 && s.endsWith('ing')) s = s.slice(0, -3);
  else if (s.length > 4 && s.endsWith('ed')) s = s.slice(0, -2);
  if (/([b-df-hj-np-tv-z])\1$/.test(s)) s = s.slice(0, -1);
  return CANON.get(s) ?? s;
}

/** The words of an identifier (`shipping_address`, `orderNumber`, `address1`). */
export function nameWords(name: string): string[] {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Za-z])(\d)/g, '$1 $2').split(/[^A-Za-z0-9]+/)
    .filter(Boolean).map(stem).filter((w) => !/^\d+$/.test(w) || w.length < 3);
}

/** The content words of a text (descriptions): no stop words, no digits-only words. */
export function textWords(text: string | undefined, limit = 24): string[] {
  if (!text) return [];
  return text.replace(/`[^`]*`/g, ' ').split(/[^A-Za-z]+/).filter((w) => w.length > 1).map((w) => w.toLowerCase())
    .filter((w) => !STOP.has(w)).map(stem).filter((w) => !STOP.has(w)).slice(0, limit);
}

/** Dice coefficient of two word bags (each word counted once). */
export function dice(a: readonly string[], b: readonly string[]): number {
  const A = new Set(a), B = new Set(b);
  if (A.size === 0 || B.size === 0) return 0;
  let both = 0;
  for (const w of A) if (B.has(w)) both++;
  return (2 * both) / (A.size + B.size);
}

/** Share of `a`'s words found in `b` (how much of the target's name the source covers). */
export function coverage(a: readonly string[], b: readonly string[]): number {
  const A = new Set(a), B = new Set(b);
  if (A.size === 0) return 0;
  let n = 0;
  for (const w of A) if (B.has(w)) n++;
  return n / A.size;
}

/** Words in common, for the reason text. */
export function common(a: readonly string[], b: readonly string[]): string[] {
  const B = new Set(b);
  return [...new Set(a)].filter((w) => B.has(w));
}

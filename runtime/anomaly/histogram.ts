/**
 * The log-scale histogram every numeric profile is kept in: a value's bin is its sign and
 * log10(|x|) rounded down to BIN_DECADES (0.05 decade, a ratio of 1.122 between bin edges), zero
 * has its own bin. Counts per bin are additive, so two flowd processes merge their profiles in the
 * store by adding (no read-modify-write), and memory is bounded by the bins whatever the history's
 * length: at most 2 × 281 + 1 bins per field (1e-4 … 1e10 and their negatives).
 *
 * Bin numbers (integers, what the store keeps): 0 for zero; ±(BIN_BASE + k) for a value whose
 * log10|x| is in [k·0.05, (k+1)·0.05), k from MIN_K to MAX_K (values outside are clamped).
 */
export const BIN_DECADES = 0.05;
export const BIN_BASE = 1000;
const MIN_K = -80; // 1e-4
const MAX_K = 200; // 1e10

export function binOf(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  const k = Math.min(MAX_K, Math.max(MIN_K, Math.floor(Math.log10(Math.abs(x)) / BIN_DECADES + 1e-9)));
  return x > 0 ? BIN_BASE + k : -(BIN_BASE + k);
}

/** The lower edge of a bin's |x| (0 for the zero bin). */
export function binLow(bin: number): number {
  if (bin === 0) return 0;
  return 10 ** ((Math.abs(bin) - BIN_BASE) * BIN_DECADES);
}

/** The upper edge of a bin's |x|. */
export function binHigh(bin: number): number {
  if (bin === 0) return 0;
  return 10 ** ((Math.abs(bin) - BIN_BASE + 1) * BIN_DECADES);
}

/** Bin counts of one field. */
export type Bins = Map<number, number>;

export interface LogSummary {
  /** Values counted (nonzero, of the sign asked for). */
  readonly n: number;
  /** log10 of the quantiles' |x|: the low one taken at its bin's lower edge, the high one at its upper edge. */
  readonly lowLog: number;
  readonly medianLog: number;
  readonly highLog: number;
}

/**
 * Quantiles `lowQ`, 0.5 and `highQ` of the nonzero values of one sign (log10 of |x|), or undefined
 * when there are none. Walks the bins in order: O(bins).
 */
export function summarise(bins: Bins, sign: 1 | -1, lowQ: number, highQ: number): LogSummary | undefined {
  const keys: number[] = [];
  let n = 0;
  for (const [b, c] of bins) if (c > 0 && Math.sign(b) === sign) { keys.push(b); n += c; }
  if (n === 0) return undefined;
  keys.sort((a, b) => Math.abs(a) - Math.abs(b));
  const at = (q: number): number => {
    const target = q * n;
    let seen = 0;
    for (const b of keys) { seen += bins.get(b)!; if (seen >= target) return b; }
    return keys[keys.length - 1]!;
  };
  const k = (b: number) => (Math.abs(b) - BIN_BASE) * BIN_DECADES;
  return { n, lowLog: k(at(lowQ)), medianLog: k(at(0.5)) + BIN_DECADES / 2, highLog: k(at(highQ)) + BIN_DECADES };
}

export function total(bins: Bins | undefined): number {
  let n = 0;
  if (bins) for (const c of bins.values()) n += c;
  return n;
}

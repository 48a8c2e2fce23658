/**
 * The rules: a run's observations against its flow's profile. Four kinds of flag:
 * - `value`: a number (a field, an array's length, a lines total) far outside the field's history:
 *   beyond its 0.5 % / 99.5 % quantile by a factor `tailFactor` AND `minRatio` times from the median
 *   (both, so a field with a narrow history does not flag ordinary noise), or of a sign never seen;
 * - `empty`: a field filled in (almost) every earlier write arriving empty;
 * - `zero_batch`: many items of one poll (the jobs one poll enqueued) written as zero at once, far
 *   more than the field's share of zeros predicts (binomial, `zeroSigma` standard deviations);
 * - `dead_letters`: the flow's dead letters among its last `dlWindow` runs far above its long-run
 *   rate (binomial, `dlSigma`).
 * No rule flags before the flow has `warmupRuns` runs and the field `warmupRuns` observations.
 */
import { summarise, total, type Bins } from './histogram.js';
import type { Observation } from './observe.js';
import { RUNS_METRIC, type FlowProfile } from './profile.js';

export type FlagKind = 'value' | 'empty' | 'zero_batch' | 'dead_letters';

export interface Flag {
  readonly kind: FlagKind;
  readonly flow: string;
  /** `sagepro.sales_orders.create order.lines[].quantity`, or `dead letters`. */
  readonly field: string;
  readonly value: string;
  /** The usual range, as people read it. */
  readonly usual: string;
  /** One line: field, value, usual range. */
  readonly message: string;
  /** The metric it is about (for de-duplicating alerts). */
  readonly metric: string;
}

export interface DetectorParams {
  /** No flag before the flow has this many runs, nor on a field with fewer observations. */
  readonly warmupRuns: number;
  /** The quantiles that bound the usual range (0.005: 0.5 % and 99.5 %). */
  readonly tail: number;
  /** How far beyond the usual range a value must be (a factor). */
  readonly tailFactor: number;
  /** And how far from the median (a factor). */
  readonly minRatio: number;
  /** A field counts as always filled when at most this share of its writes were empty. */
  readonly fillEmptyMax: number;
  /** Zeros in one poll needed before a zero batch can flag. */
  readonly zeroMin: number;
  readonly zeroSigma: number;
  /** Recent runs the dead-letter rate is taken over, and the least dead letters among them that flag. */
  readonly dlWindow: number;
  readonly dlMin: number;
  readonly dlSigma: number;
}

export const DEFAULT_PARAMS: DetectorParams = {
  warmupRuns: 50, tail: 0.005, tailFactor: 2, minRatio: 6, fillEmptyMax: 0.001,
  zeroMin: 5, zeroSigma: 4, dlWindow: 50, dlMin: 5, dlSigma: 4,
};

/** A number as a person reads it: up to 3 significant digits, no exponent below 1e15. */
export function fmt(x: number): string {
  if (x === 0) return '0';
  const r = Number(x.toPrecision(3));
  return Math.abs(r) >= 1e15 ? r.toExponential(3) : String(r);
}

function label(o: Observation, op: string): string {
  const what = o.kind === 'count' ? `${o.path} (number of entries)` : o.kind === 'total' ? `${o.path} total (Σ quantity × price)` : o.path;
  return `${op} ${what}`;
}

function opOf(o: Observation): string { return o.metric.split('|')[1]!; }

/** `value` and `empty` flags of one observation (zero batches and dead letters are checked by their trackers). */
export function checkObservation(profile: FlowProfile, o: Observation, p: DetectorParams = DEFAULT_PARAMS): Flag | undefined {
  if (profile.runs < p.warmupRuns) return undefined;
  const bins = profile.get(o.metric);
  const n = total(bins);
  if (!bins || n < p.warmupRuns) return undefined;
  const field = label(o, opOf(o));
  if (o.kind === 'fill') {
    if (o.bin !== 0) return undefined;
    const empty = bins.get(0) ?? 0;
    if (empty / n > p.fillEmptyMax) return undefined;
    const usual = `filled in ${fmt(n - empty)} of ${fmt(n)} earlier writes`;
    return { kind: 'empty', flow: profile.flow, field, value: 'empty', usual, metric: o.metric, message: `${field} is empty (usually ${usual})` };
  }
  if (o.value === 0) return undefined;
  const sign = o.value > 0 ? 1 : -1;
  const s = summarise(bins, sign, p.tail, 1 - p.tail);
  const other = summarise(bins, sign === 1 ? -1 : 1, p.tail, 1 - p.tail);
  const mag = Math.log10(Math.abs(o.value));
  const usualOf = (x: NonNullable<typeof s>, sg: number) => {
    const lo = sg * 10 ** x.lowLog, hi = sg * 10 ** x.highLog;
    return `${fmt(Math.min(lo, hi))}–${fmt(Math.max(lo, hi))}, median ${fmt(sg * 10 ** x.medianLog)}, ${fmtPct(p.tail)}–${fmtPct(1 - p.tail)} of ${fmt(n)} earlier values`;
  };
  if (!s) {
    if (!other || other.n < p.warmupRuns) return undefined;
    const usual = usualOf(other, -sign);
    return { kind: 'value', flow: profile.flow, field, value: fmt(o.value), usual, metric: o.metric,
      message: `${field} is ${fmt(o.value)}, ${sign < 0 ? 'negative' : 'positive'} for the first time (usual range ${usual})` };
  }
  const factor = Math.log10(p.tailFactor);
  const ratio = Math.log10(p.minRatio);
  const high = mag > s.highLog + factor && mag - s.medianLog >= ratio;
  const low = mag < s.lowLog - factor && s.medianLog - mag >= ratio;
  if (!high && !low) return undefined;
  const times = high ? 10 ** (mag - s.medianLog) : 10 ** (s.medianLog - mag);
  const usual = usualOf(s, sign);
  return { kind: 'value', flow: profile.flow, field, value: fmt(o.value), usual, metric: o.metric,
    message: `${field} is ${fmt(o.value)}, ${fmt(Math.round(times))} times ${high ? 'the usual' : 'below the usual'} (usual range ${usual})` };
}

function fmtPct(q: number): string { return `${fmt(q * 100)} %`; }

/** The share of a field's values that are zero. */
export function zeroShare(bins: Bins | undefined): { zeros: number; n: number } {
  return { zeros: bins?.get(0) ?? 0, n: total(bins) };
}

/**
 * Zero batches: per poll (the jobs one poll enqueued share their enqueue time) and numeric field,
 * how many writes so far and how many zero. Keeps the last `keep` polls.
 */
export class ZeroBatches {
  private readonly batches = new Map<string, Map<string, { n: number; z: number; flagged: boolean }>>();
  constructor(private readonly keep = 256) {}

  /** Counts the observation; a flag when it is a zero and its poll has now far more zeros than usual. `first`: the poll's first flag of this field. */
  observe(profile: FlowProfile, batch: string, o: Observation, p: DetectorParams = DEFAULT_PARAMS): (Flag & { first: boolean }) | undefined {
    if (o.kind !== 'value') return undefined;
    const key = `${profile.flow}|${batch}`;
    let b = this.batches.get(key);
    if (!b) {
      this.batches.set(key, (b = new Map()));
      if (this.batches.size > this.keep) this.batches.delete(this.batches.keys().next().value!);
    }
    let c = b.get(o.metric);
    if (!c) b.set(o.metric, (c = { n: 0, z: 0, flagged: false }));
    c.n++;
    if (o.value !== 0) return undefined;
    c.z++;
    if (profile.runs < p.warmupRuns) return undefined;
    const { zeros, n } = zeroShare(profile.get(o.metric));
    if (n < p.warmupRuns) return undefined;
    const p0 = (zeros + 1) / (n + 2);
    const expected = c.n * p0;
    const limit = expected + p.zeroSigma * Math.sqrt(c.n * p0 * (1 - p0)) + 1;
    if (c.z < p.zeroMin || c.z <= limit) return undefined;
    const first = !c.flagged;
    c.flagged = true;
    const field = label(o, opOf(o));
    const usual = `${fmt(p0 * 100)} % of writes are zero, about ${fmt(expected)} of ${c.n}`;
    return { kind: 'zero_batch', flow: profile.flow, field, value: `${c.z} of ${c.n} zero in one poll`, usual, metric: o.metric, first,
      message: `${field}: ${c.z} of the poll's ${c.n} writes so far are zero at once (usually ${usual})` };
  }
}

/** The flow's last `dlWindow` final outcomes in this process (true: dead letter). */
export class DeadLetterWindow {
  private readonly recent = new Map<string, { ring: boolean[]; quietFor: number }>();

  /** Records an outcome; a flag when it is a dead letter and the window holds far more than the flow's rate. */
  observe(profile: FlowProfile, deadLetter: boolean, p: DetectorParams = DEFAULT_PARAMS): Flag | undefined {
    let w = this.recent.get(profile.flow);
    if (!w) this.recent.set(profile.flow, (w = { ring: [], quietFor: 0 }));
    w.ring.push(deadLetter);
    if (w.ring.length > p.dlWindow) w.ring.shift();
    if (w.quietFor > 0) w.quietFor--;
    if (!deadLetter || w.quietFor > 0 || profile.runs < p.warmupRuns || w.ring.length < Math.min(p.dlWindow, p.warmupRuns) / 2) return undefined;
    const bins = profile.get(RUNS_METRIC);
    const n = total(bins);
    const dl = bins?.get(1) ?? 0;
    const rate = (dl + 1) / (n + 2);
    const d = w.ring.filter(Boolean).length;
    const m = w.ring.length;
    const limit = m * rate + p.dlSigma * Math.sqrt(m * rate * (1 - rate)) + 1;
    if (d < p.dlMin || d <= limit) return undefined;
    w.quietFor = p.dlWindow; // one flag per window's worth of runs
    const usual = `${fmt(rate * 100)} % of ${fmt(n)} earlier runs, about ${fmt(m * rate)} in ${m}`;
    return { kind: 'dead_letters', flow: profile.flow, field: 'dead letters', value: `${d} of the last ${m} runs`, usual, metric: RUNS_METRIC,
      message: `dead letters rising: ${d} of the last ${m} runs were dead-lettered (usually ${usual})` };
  }
}

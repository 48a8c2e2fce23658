/**
 * One flow's profile: bin counts per metric (histogram.ts), what the store holds plus what this
 * process observed since, and the deltas not yet written to the store. Bounded: at most
 * MAX_METRICS metrics per flow (a flow's write arguments have a fixed set of fields; more means
 * dynamic keys, which are not profiled), each at most 563 bins.
 */
import { total, type Bins } from './histogram.js';
import { parseMetric } from './observe.js';

/** The metric of a flow's outcomes: bin 1 a dead letter, bin 0 any other final outcome. */
export const RUNS_METRIC = 'runs';
export const MAX_METRICS = 2000;

export interface ProfileCount { readonly metric: string; readonly bin: number; readonly n: number }

export class FlowProfile {
  readonly bins = new Map<string, Bins>();
  /** Fill metrics by `op|parent path`: the child field names seen. */
  private readonly children = new Map<string, Set<string>>();
  private pending = new Map<string, Map<number, number>>();
  /** Store time of the last load (ms). */
  loadedAt = -Infinity;
  dropped = 0;

  constructor(readonly flow: string) {}

  /** Runs with a final outcome so far (the warm-up counts these). */
  get runs(): number { return total(this.bins.get(RUNS_METRIC)); }

  get(metric: string): Bins | undefined { return this.bins.get(metric); }

  /** Adds to the counts; `persist` also queues the delta for the store. */
  add(metric: string, bin: number, n = 1, persist = true): void {
    let b = this.bins.get(metric);
    if (!b) {
      if (this.bins.size >= MAX_METRICS) { this.dropped++; return; }
      this.bins.set(metric, (b = new Map()));
      const m = parseMetric(metric);
      if (m?.kind === 'fill') {
        const cut = m.path.lastIndexOf('.');
        const parent = cut < 0 ? '' : m.path.slice(0, cut);
        const key = `${m.op}|${parent}`;
        let set = this.children.get(key);
        if (!set) this.children.set(key, (set = new Set()));
        set.add(m.path.slice(cut + 1));
      }
    }
    b.set(bin, (b.get(bin) ?? 0) + n);
    if (persist) {
      let p = this.pending.get(metric);
      if (!p) this.pending.set(metric, (p = new Map()));
      p.set(bin, (p.get(bin) ?? 0) + n);
    }
  }

  knownChildren(op: string): (path: string) => Iterable<string> {
    return (path) => this.children.get(`${op}|${path}`) ?? [];
  }

  /** The deltas to write, and forgets them (give them back with `restore` if the write failed). */
  takePending(): ProfileCount[] {
    const out: ProfileCount[] = [];
    for (const [metric, bins] of this.pending) for (const [bin, n] of bins) out.push({ metric, bin, n });
    this.pending = new Map();
    return out;
  }

  restore(rows: readonly ProfileCount[]): void {
    for (const r of rows) {
      let p = this.pending.get(r.metric);
      if (!p) this.pending.set(r.metric, (p = new Map()));
      p.set(r.bin, (p.get(r.bin) ?? 0) + r.n);
    }
  }

  /** Replaces the counts by the store's, plus the deltas this process has not written yet. */
  replace(stored: readonly ProfileCount[], at: number): void {
    this.bins.clear();
    this.children.clear();
    for (const r of stored) this.add(r.metric, r.bin, r.n, false);
    for (const [metric, bins] of this.pending) for (const [bin, n] of bins) this.add(metric, bin, n, false);
    this.loadedAt = at;
  }
}

/**
 * The engine's side of anomaly detection: each flow's profile kept in memory and in the store
 * (`Store.anomaly`), a watch per run that checks every write's arguments before the call and
 * counts them into the profile when the run ends with a final outcome, the zero-batch tracker and
 * the dead-letter window.
 *
 * Store traffic: a flow's profile is read when a run of it first needs it and again after
 * `refreshMs` (30 s; so several flowd processes on one PostgreSQL see each other's counts within
 * that time), and the counts of all runs since the last write go out as ONE statement every
 * `flushMs` (1 s), and at stop. Counts are additive, so processes never overwrite each other.
 */
import { DEFAULT_PARAMS, DeadLetterWindow, ZeroBatches, checkObservation, type DetectorParams, type Flag } from './detector.js';
import { observeWrite, type Observation } from './observe.js';
import { FlowProfile, RUNS_METRIC, type ProfileCount } from './profile.js';

/** What the monitor needs of the store (`Store.anomaly`). */
export interface AnomalyProfileStore {
  loadProfile(flow: string): Promise<ProfileCount[]>;
  addProfileCounts(rows: readonly (ProfileCount & { readonly flow: string })[]): Promise<void>;
}

export interface AnomalyOptions {
  readonly params?: Partial<DetectorParams>;
  readonly refreshMs?: number;
  readonly flushMs?: number;
  readonly now?: () => number;
  readonly onError?: (message: string, err: unknown) => void;
}

export class AnomalyMonitor {
  readonly params: DetectorParams;
  private readonly profiles = new Map<string, FlowProfile>();
  private readonly loading = new Map<string, Promise<FlowProfile>>();
  private readonly zeros = new ZeroBatches();
  private readonly dls = new DeadLetterWindow();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly store: AnomalyProfileStore, private readonly o: AnomalyOptions = {}) {
    this.params = { ...DEFAULT_PARAMS, ...o.params };
  }

  private now(): number { return (this.o.now ?? Date.now)(); }

  /** Writes pending counts every `flushMs` (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { void this.flush(); }, this.o.flushMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** The flow's profile, (re)loaded from the store when older than `refreshMs`. A store that fails keeps the cached one. */
  async profile(flow: string): Promise<FlowProfile> {
    let p = this.profiles.get(flow);
    if (!p) this.profiles.set(flow, (p = new FlowProfile(flow)));
    if (this.now() - p.loadedAt < (this.o.refreshMs ?? 30_000)) return p;
    const busy = this.loading.get(flow);
    if (busy) return busy;
    const prof = p;
    const load = (async () => {
      try { prof.replace(await this.store.loadProfile(flow), this.now()); } catch (err) {
        prof.loadedAt = this.now(); // try again after refreshMs, not at every run
        this.o.onError?.(`anomaly profile of ${flow} not loaded; using what this process has`, err);
      }
      return prof;
    })().finally(() => this.loading.delete(flow));
    this.loading.set(flow, load);
    return load;
  }

  /** The flow's profile is read from the store again before its next run (counts added to the store by someone else). */
  reload(flow: string): void {
    const p = this.profiles.get(flow);
    if (p) p.loadedAt = -Infinity;
  }

  /** One statement with every count since the last flush; given back to the next flush when it fails. */
  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    const rows: (ProfileCount & { flow: string })[] = [];
    const taken: [FlowProfile, ProfileCount[]][] = [];
    for (const p of this.profiles.values()) {
      const t = p.takePending();
      if (t.length) { taken.push([p, t]); for (const r of t) rows.push({ flow: p.flow, ...r }); }
    }
    if (!rows.length) return;
    this.flushing = this.store.addProfileCounts(rows).catch((err: unknown) => {
      for (const [p, t] of taken) p.restore(t);
      this.o.onError?.('anomaly profile counts not written; kept for the next write', err);
    }).finally(() => { this.flushing = undefined; });
    await this.flushing;
  }

  /** A watch for one run. `batch`: what the jobs of one poll share (their enqueue time). */
  async watch(flow: string, batch: string): Promise<RunWatch> {
    return new RunWatch(await this.profile(flow), batch, this.params, this.zeros, this.dls);
  }
}

/**
 * The weight a flagged observation counts with in the profile (an accepted one, on a release,
 * counts whole). Whole, a stream of anomalies would soon look usual (0.5 % of runs moves the 99.5 %
 * quantile); not at all, a lasting change (a field a site stops filling) would flag forever. At 0.1
 * a field's new pattern stops flagging after about 1 % of the history's runs.
 */
export const FLAGGED_WEIGHT = 0.1;

export class RunWatch {
  private readonly seen: Observation[] = [];
  private readonly flagged = new Set<string>();
  /** Set when the run is a release of a held run: its flags are accepted and count whole. */
  accepted?: number;
  constructor(readonly profile: FlowProfile, private readonly batch: string, private readonly params: DetectorParams,
    private readonly zeros: ZeroBatches, private readonly dls: DeadLetterWindow) {}

  /**
   * Checks a write's arguments against the profile (which does not hold this run's values yet).
   * A zero-batch flag has `alert: false` after the poll's first one of the field.
   */
  beforeWrite(system: string, operation: string, args: unknown): (Flag & { alert: boolean })[] {
    const op = `${system}.${operation}`;
    const obs = observeWrite(op, args, this.profile.knownChildren(op));
    const flags = new Map<string, Flag & { alert: boolean }>();
    for (const o of obs) {
      this.seen.push(o);
      const f = checkObservation(this.profile, o, this.params);
      if (f && !flags.has(o.metric)) flags.set(o.metric, { ...f, alert: true });
      const z = this.zeros.observe(this.profile, this.batch, o, this.params);
      if (z && !flags.has(`z${o.metric}`)) { const { first, ...flag } = z; flags.set(`z${o.metric}`, { ...flag, alert: first }); }
      if (f || z) this.flagged.add(`${o.metric}|${o.bin}`);
    }
    // The most telling first (a reason names the first): totals, counts, values, empty fields, zero batches.
    const rank = (f: Flag) => ({ total: 0, count: 1, value: 2, fill: 3 })[f.metric[0] === 't' ? 'total' : f.metric[0] === 'n' ? 'count' : f.metric[0] === 'f' ? 'fill' : 'value'] + (f.kind === 'zero_batch' ? 4 : 0);
    return [...flags.values()].sort((a, b) => rank(a) - rank(b));
  }

  /**
   * The run ended. `final` (done, skipped, duplicate) and `dead_letter` count into the profile (the
   * values of a dead-lettered run were not written, so only its outcome counts); `retry` and `held`
   * count nothing. A dead letter may flag a rise of dead letters.
   */
  finish(outcome: 'final' | 'dead_letter' | 'retry' | 'held'): Flag | undefined {
    if (outcome === 'retry' || outcome === 'held') return undefined;
    if (outcome === 'final') {
      for (const o of this.seen) this.profile.add(o.metric, o.bin, this.accepted === undefined && this.flagged.has(`${o.metric}|${o.bin}`) ? FLAGGED_WEIGHT : 1);
    }
    const flag = this.dls.observe(this.profile, outcome === 'dead_letter', this.params);
    this.profile.add(RUNS_METRIC, outcome === 'dead_letter' ? 1 : 0);
    return flag;
  }
}

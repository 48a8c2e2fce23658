/**
 * Schedules: `on schedule every 1h` (an interval) and `on schedule "0 2 * * *"` (a five-field cron
 * expression: minute hour day-of-month month day-of-week, evaluated in UTC, with `*`, `a-b`, lists
 * and `/step`; day 0 and 7 are Sunday; when both day fields are restricted either may match, as in
 * Vixie cron). One event per flow and tick, deduped by flow and tick time (the store's default key
 * over entity = flow name, update time = tick), so two firings within one tick, or a restart
 * within it, make one job. A tick missed while flowd was down is not made up (as cron).
 */
import type { LoadedFlow } from '../engine/flows.js';
import type { Trigger, TriggerDeps } from './trigger.js';
import { leadsHere } from './trigger.js';

const MINUTE = 60_000;

interface CronSpec { minute: Set<number>; hour: Set<number>; dom: Set<number>; month: Set<number>; dow: Set<number>; domAny: boolean; dowAny: boolean }

const FIELDS = [['minute', 0, 59], ['hour', 0, 23], ['day of month', 1, 31], ['month', 1, 12], ['day of week', 0, 7]] as const;

/** Parses a five-field cron expression; throws an error naming the field and why. */
export function parseCron(text: string): CronSpec {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron "${text}": expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`);
  const sets = parts.map((p, i) => {
    const [name, lo, hi] = FIELDS[i]!;
    const out = new Set<number>();
    for (const item of p.split(',')) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!m) throw new Error(`cron "${text}": ${name} "${item}" is not *, a number, a range a-b or a step /n`);
      const from = m[1] === '*' ? lo : Number(m[2]);
      const to = m[1] === '*' ? hi : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? hi : from;
      const step = m[4] !== undefined ? Number(m[4]) : 1;
      if (from < lo || to > hi || from > to) throw new Error(`cron "${text}": ${name} "${item}" is outside ${lo}-${hi}`);
      if (step < 1) throw new Error(`cron "${text}": ${name} "${item}": the step must be at least 1`);
      for (let v = from; v <= to; v += step) out.add(i === 4 && v === 7 ? 0 : v);
    }
    return out;
  });
  return { minute: sets[0]!, hour: sets[1]!, dom: sets[2]!, month: sets[3]!, dow: sets[4]!, domAny: parts[2] === '*', dowAny: parts[4] === '*' };
}

/** Does the minute starting at `ms` (UTC) match? */
export function cronMatches(c: CronSpec, ms: number): boolean {
  const d = new Date(ms);
  if (!c.minute.has(d.getUTCMinutes()) || !c.hour.has(d.getUTCHours()) || !c.month.has(d.getUTCMonth() + 1)) return false;
  const dom = c.dom.has(d.getUTCDate());
  const dow = c.dow.has(d.getUTCDay());
  return c.domAny || c.dowAny ? dom && dow : dom || dow;
}

type Scheduled = { flow: LoadedFlow; everyMs?: number; cron?: CronSpec };

export class ScheduleTrigger implements Trigger {
  readonly kind = 'schedule' as const;
  failures = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  /** The next wake-up of each cron schedule (one timer each, replaced every minute). */
  private readonly cronTimers = new Map<Scheduled, NodeJS.Timeout>();
  private readonly pending = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly scheduled: Scheduled[];

  /** Throws, naming the flow, when a cron expression cannot be read (before anything starts). */
  constructor(private readonly d: TriggerDeps & { readonly now?: () => number }) {
    this.scheduled = [...d.flows.values()].flatMap((flow): Scheduled[] => {
      const t = flow.module.meta.trigger;
      if (t.kind !== 'schedule') return [];
      if (t.everyMs) return [{ flow, everyMs: t.everyMs }];
      if (t.cron !== undefined) {
        try { return [{ flow, cron: parseCron(t.cron) }]; } catch (e) { throw new Error(`flow ${flow.name}: ${(e as Error).message}`); }
      }
      throw new Error(`flow ${flow.name}: a schedule with neither an interval nor a cron expression`);
    });
  }

  private now(): number { return this.d.now?.() ?? Date.now(); }

  /** The flows with a schedule. */
  flows(): LoadedFlow[] { return this.scheduled.map((s) => s.flow); }

  /** Enqueues the current tick of one schedule, if it has one now; resolves to 1 when it was new. */
  private async tick(s: Scheduled): Promise<number> {
    const now = this.now();
    const at = s.everyMs ? Math.floor(now / s.everyMs) * s.everyMs : Math.floor(now / MINUTE) * MINUTE;
    if (s.cron && !cronMatches(s.cron, at)) return 0;
    const tick = new Date(at).toISOString();
    this.d.onEvent?.('schedule');
    const r = await this.d.sink.enqueue({ flow: s.flow.name, flowVersion: s.flow.version, source: 'schedule', eventType: 'schedule', entityId: s.flow.name, updatedAt: tick, payload: { tick } });
    if (!r.duplicate) this.d.onEnqueued?.(1);
    return r.duplicate ? 0 : 1;
  }

  async pollNow(): Promise<number> {
    let n = 0;
    for (const s of this.scheduled) n += await this.tick(s);
    return n;
  }

  private fire(s: Scheduled): void {
    const p = leadsHere(this.d, `schedule:${s.flow.name}`).then((lead) => (lead ? this.tick(s) : 0)).then(() => { this.failures = 0; }, (err: unknown) => {
      this.failures++;
      this.d.logger?.warn({ flow: s.flow.name, err: (err as Error).message }, 'schedule enqueue failed');
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  start(): void {
    for (const s of this.scheduled) {
      if (s.everyMs) { this.timers.push(setInterval(() => this.fire(s), s.everyMs)); continue; }
      // A cron schedule looks at every minute, just after it starts.
      const next = () => {
        if (this.stopped) return;
        this.cronTimers.set(s, setTimeout(() => { this.fire(s); next(); }, MINUTE - (this.now() % MINUTE) + 50));
      };
      next();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const t of this.cronTimers.values()) clearTimeout(t);
    this.timers.length = 0;
    this.cronTimers.clear();
    await Promise.all([...this.pending]);
  }
}

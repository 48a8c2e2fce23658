/**
 * Schedules (`on schedule every 1h`): one event per flow and interval tick, deduped by flow and
 * tick time (the store's default key over entity = flow name, update time = tick), so two ticks
 * of one interval, or a restart within it, make one job.
 */
import type { LoadedFlow } from '../engine/flows.js';
import type { Trigger, TriggerDeps } from './trigger.js';

export class ScheduleTrigger implements Trigger {
  readonly kind = 'schedule' as const;
  failures = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly d: TriggerDeps & { readonly now?: () => number }) {}

  /** The flows with an interval schedule. */
  flows(): LoadedFlow[] {
    return [...this.d.flows.values()].filter((f) => f.module.meta.trigger.kind === 'schedule' && (f.module.meta.trigger as { everyMs?: number }).everyMs);
  }

  /** Enqueues the current tick of one flow; resolves to 1 when it was new. */
  async tick(f: LoadedFlow): Promise<number> {
    const everyMs = (f.module.meta.trigger as { everyMs: number }).everyMs;
    const now = this.d.now?.() ?? Date.now();
    const tick = new Date(Math.floor(now / everyMs) * everyMs).toISOString();
    this.d.onEvent?.('schedule');
    const r = await this.d.sink.enqueue({ flow: f.name, flowVersion: f.version, source: 'schedule', eventType: 'schedule', entityId: f.name, updatedAt: tick, payload: { tick } });
    if (!r.duplicate) this.d.onEnqueued?.(1);
    return r.duplicate ? 0 : 1;
  }

  async pollNow(): Promise<number> {
    let n = 0;
    for (const f of this.flows()) n += await this.tick(f);
    return n;
  }

  start(): void {
    for (const f of this.flows()) {
      const everyMs = (f.module.meta.trigger as { everyMs: number }).everyMs;
      this.timers.push(setInterval(() => {
        const p = this.tick(f).then(() => { this.failures = 0; }, (err: unknown) => {
          this.failures++;
          this.d.logger?.warn({ flow: f.name, err: (err as Error).message }, 'schedule enqueue failed');
        });
        this.pending.add(p);
        void p.finally(() => this.pending.delete(p));
      }, everyMs));
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    await Promise.all([...this.pending]);
  }
}

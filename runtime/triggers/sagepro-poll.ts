/**
 * Finds Sage Pro changes by polling with row hashes (Sage Pro tables carry no reliable modification
 * time): the connector streams the table through an ODBC cursor and yields only keys whose hash
 * differs from the one the store kept; each batch of events and its new hashes are committed in one
 * store transaction. A flow polling `SalesOrderStatus` watches the order header table (SOMAST; an
 * order that moves to history counts as changed) and reads the full status of each changed order.
 */
import type { EnqueueInput, Store } from '../store/store.js';
import type { LoadedFlow } from '../engine/flows.js';
import type { RowChange, PreviousHashes } from '../connectors/sagepro/changes.js';
import type { PollerLogger } from './xcart-poll.js';

export interface RowSource {
  changedRows(entity: string, previous: PreviousHashes, opts?: { keyColumns?: string[]; fetchSize?: number }): AsyncGenerator<RowChange<Record<string, unknown>>>;
  salesOrderStatus(number: string): Promise<Record<string, unknown> | null>;
}

const BATCH = 500;

export class SageProPoller {
  private timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  failures = 0;
  lastSuccessAt: number | undefined;

  constructor(private readonly o: { source: RowSource; store: Store; flows: ReadonlyMap<string, LoadedFlow>; defaultEveryMs?: number; onEnqueued?: (n: number) => void; logger?: PollerLogger }) {}

  pollFlows(): LoadedFlow[] {
    return [...this.o.flows.values()].filter((f) => f.module.meta.trigger.kind === 'poll' && (f.module.meta.trigger as { system: string }).system === 'sagepro');
  }

  /** One poll of one flow's entity; returns the number of jobs enqueued. */
  async pollOnce(flow: LoadedFlow): Promise<number> {
    const t = flow.module.meta.trigger;
    if (t.kind !== 'poll') return 0;
    const statusView = t.entity === 'SalesOrderStatus';
    const entity = statusView ? 'SalesOrder' : t.entity;
    const scope = `sagepro:${flow.name}:${t.entity}`;
    const previous = await this.o.store.getRowHashes(scope);
    let jobs: EnqueueInput[] = [];
    let hashes: { key: string; hash: string | null }[] = [];
    let total = 0;
    const flush = async () => {
      if (!hashes.length) return;
      const r = await this.o.store.enqueueBatch(jobs, { rowHashes: { scope, changes: hashes } });
      const fresh = r.filter((x) => !x.duplicate).length;
      total += fresh;
      if (fresh) this.o.onEnqueued?.(fresh);
      jobs = []; hashes = [];
    };
    const eventFor = (key: string, hash: string | null, data: Record<string, unknown>): EnqueueInput =>
      ({ flow: flow.name, flowVersion: flow.version, source: 'sagepro', eventType: `${t.entity}.changed`, entityId: key, updatedAt: hash ?? `deleted:${Date.now()}`, payload: data });
    // The status view needs more reads per changed order; they run after the cursor is closed (a
    // connection must not wait for another while it holds the cursor), so only changed keys are kept.
    const pendingStatus: RowChange<Record<string, unknown>>[] = [];
    for await (const ch of this.o.source.changedRows(entity, previous)) {
      if (statusView) { pendingStatus.push({ ...ch, row: null }); continue; }
      hashes.push({ key: ch.key, hash: ch.hash });
      if (ch.change !== 'deleted' && ch.row) jobs.push(eventFor(ch.key, ch.hash, ch.row));
      if (hashes.length >= BATCH) await flush();
    }
    for (const ch of pendingStatus) {
      hashes.push({ key: ch.key, hash: ch.hash });
      const data = await this.o.source.salesOrderStatus(ch.key);
      if (data) jobs.push(eventFor(ch.key, ch.hash, data));
      if (hashes.length >= BATCH) await flush();
    }
    await flush();
    if (total) this.o.logger?.info({ flow: flow.name, entity: t.entity, jobs: total }, 'sage pro poll');
    this.failures = 0; this.lastSuccessAt = Date.now();
    return total;
  }

  async pollAll(): Promise<number> {
    let n = 0;
    for (const f of this.pollFlows()) n += await this.pollOnce(f);
    return n;
  }

  start(): void {
    for (const f of this.pollFlows()) {
      const t = f.module.meta.trigger;
      const every = t.kind === 'poll' ? t.everyMs : this.o.defaultEveryMs ?? 60_000;
      const tick = async () => {
        if (this.stopped) return;
        const p = this.pollOnce(f).catch((err: unknown) => {
          this.failures++;
          this.o.logger?.warn({ flow: f.name, err: (err as Error).message, failures: this.failures }, 'sage pro poll failed; will try again');
        });
        this.running.add(p);
        await p;
        this.running.delete(p);
        if (!this.stopped) this.timers.push(setTimeout(tick, every));
      };
      void tick();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.all([...this.running]);
  }
}

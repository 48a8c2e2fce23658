/**
 * Finds Sage Pro changes by polling with row hashes (Sage Pro tables carry no reliable modification
 * time): the connector streams the table through an ODBC cursor and yields only keys whose hash
 * differs from the one the store kept; each batch of events and its new hashes are committed in one
 * store transaction. The store's hashes of a scope are read once (the first poll after start) into a
 * `RowHashIndex` kept between polls and updated after each commit, so an idle poll reads nothing from
 * the store and hashes nothing: its cost is the scan itself (see ../connectors/sagepro/changes.ts). What is polled is data (`polled` in mappings/schemas/sagepro/events.yaml): an
 * entity whose payload is built by a read operation (SalesOrderStatus: watch SalesOrder, read
 * sales_orders.status) streams the watched table and calls that operation through the connector's
 * catalog entry point for each changed key, after the cursor is closed.
 */
import type { EnqueueInput } from '../store/store.js';
import type { LoadedFlow } from '../engine/flows.js';
import { RowHashIndex, type RowChange, type PreviousHashes } from '../connectors/sagepro/changes.js';
import { loadVocabulary, type PolledEntitySpec } from '../vocabulary/vocabulary.js';
import type { Trigger, TriggerDeps } from './trigger.js';
import { leadsHere } from './trigger.js';

export interface RowSource {
  changedRows(entity: string, previous: PreviousHashes, opts?: { keyColumns?: string[]; fetchSize?: number }): AsyncGenerator<RowChange<Record<string, unknown>>>;
  /** A catalog operation (mappings/schemas/sagepro/operations.yaml), e.g. `sales_orders.status`. */
  call(operation: string, args: Record<string, unknown>): Promise<unknown>;
}

const BATCH = 500;

export class SageProPoller implements Trigger {
  readonly kind = 'sagepro-poll' as const;
  private timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  /** The store's hashes per scope, read once and kept in step with every commit. */
  private readonly indexes = new Map<string, Promise<RowHashIndex>>();
  failures = 0;
  lastSuccessAt: number | undefined;

  constructor(private readonly o: TriggerDeps & {
    source: RowSource;
    /** Used when a flow's trigger has no interval. */
    defaultEveryMs?: number;
    /** Poll every flow this often instead of its own interval (the demo, tests). */
    everyMs?: number;
  }) {}

  pollFlows(): LoadedFlow[] {
    return [...this.o.flows.values()].filter((f) => f.module.meta.trigger.kind === 'poll' && (f.module.meta.trigger as { system: string }).system === 'sagepro');
  }

  /** What the vocabulary says about polling `entity`; an entity it does not list is refused. */
  private specOf(flow: LoadedFlow, entity: string): PolledEntitySpec {
    const spec = loadVocabulary().sagepro.polled.get(entity);
    if (!spec) throw new Error(`flow ${flow.name}: sagepro.${entity} is not polled (not under 'polled' in mappings/schemas/sagepro/events.yaml)`);
    return spec;
  }

  /** One poll of one flow's entity; returns the number of jobs enqueued. */
  async pollOnce(flow: LoadedFlow): Promise<number> {
    const t = flow.module.meta.trigger;
    if (t.kind !== 'poll') return 0;
    const spec = this.specOf(flow, t.entity);
    const scope = `sagepro:${flow.name}:${t.entity}`;
    const previous = await this.indexOf(scope);
    let jobs: EnqueueInput[] = [];
    let hashes: { key: string; hash: string | null; fingerprint?: number }[] = [];
    let total = 0;
    const flush = async () => {
      if (!hashes.length) return;
      const r = await this.o.sink.enqueueBatch(jobs, { rowHashes: { scope, changes: hashes.map(({ key, hash }) => ({ key, hash })) }, ...(this.o.leader ? { leader: `sagepro:${flow.name}` } : {}) });
      previous.apply(hashes); // only once committed: a failed batch is found again by the next poll
      const fresh = r.filter((x) => !x.duplicate).length;
      total += fresh;
      if (fresh) this.o.onEnqueued?.(fresh);
      jobs = []; hashes = [];
    };
    const eventType = `${t.entity}.${loadVocabulary().sagepro.event}`;
    const eventFor = (key: string, hash: string | null, data: Record<string, unknown>): EnqueueInput => {
      this.o.onEvent?.(eventType);
      return { flow: flow.name, flowVersion: flow.version, source: 'sagepro', eventType, entityId: key, updatedAt: hash ?? `deleted:${Date.now()}`, payload: data };
    };
    // A read per changed key runs after the cursor is closed (a connection must not wait for
    // another while it holds the cursor), so only the changed keys are kept meanwhile.
    const pending: RowChange<Record<string, unknown>>[] = [];
    for await (const ch of this.o.source.changedRows(spec.watch, previous)) {
      if (spec.read) { pending.push({ ...ch, row: null }); continue; }
      hashes.push(ch.fingerprint === undefined ? { key: ch.key, hash: ch.hash } : { key: ch.key, hash: ch.hash, fingerprint: ch.fingerprint });
      if (ch.change !== 'deleted' && ch.row) jobs.push(eventFor(ch.key, ch.hash, ch.row));
      if (hashes.length >= BATCH) await flush();
    }
    for (const ch of pending) {
      hashes.push(ch.fingerprint === undefined ? { key: ch.key, hash: ch.hash } : { key: ch.key, hash: ch.hash, fingerprint: ch.fingerprint });
      const data = await this.o.source.call(spec.read!, { [spec.readKey!]: ch.key }) as Record<string, unknown> | null;
      if (data) jobs.push(eventFor(ch.key, ch.hash, data));
      if (hashes.length >= BATCH) await flush();
    }
    await flush();
    if (total) this.o.logger?.info({ flow: flow.name, entity: t.entity, jobs: total }, 'sage pro poll');
    this.failures = 0; this.lastSuccessAt = Date.now();
    return total;
  }

  /** The scope's index: read from the store on first use; a failed read is tried again next time. */
  private indexOf(scope: string): Promise<RowHashIndex> {
    let p = this.indexes.get(scope);
    if (!p) {
      p = this.o.sink.getRowHashes(scope).then((m) => RowHashIndex.from(m));
      p.catch(() => this.indexes.delete(scope));
      this.indexes.set(scope, p);
    }
    return p;
  }

  async pollAll(): Promise<number> {
    let n = 0;
    for (const f of this.pollFlows()) n += await this.pollOnce(f);
    return n;
  }

  pollNow(): Promise<number> { return this.pollAll(); }

  start(): void {
    for (const f of this.pollFlows()) {
      const t = f.module.meta.trigger;
      const every = this.o.everyMs ?? (t.kind === 'poll' && t.everyMs ? t.everyMs : this.o.defaultEveryMs ?? 60_000);
      const tick = async () => {
        if (this.stopped) return;
        const p = leadsHere(this.o, `sagepro:${f.name}`).then((lead) => (lead ? this.pollOnce(f) : 0)).catch((err: unknown) => {
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

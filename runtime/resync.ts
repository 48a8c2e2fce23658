/**
 * Manual re-sync: re-run chosen X-Cart orders through the currently deployed flows, idempotently.
 * Used by `flowd resync order <number>` / `flowd resync --since DATE [--until DATE]` (runtime/cli.ts)
 * and by the console's "Re-sync" (its API imports `resyncOrders`).
 *
 *   const r = await resyncOrders({ store, xcart, flows, cutover }, { numbers: ['100042'] });
 *   r.summary  // "orders=1 enqueued=1 already_queued=0 refused_before_cutover=0"
 *
 * The orders are looked up in X-Cart (by number, or by placed date), and each becomes the same
 * events a poll would find (triggers/routing.ts), enqueued through the `Store` interface only, so it
 * works on SQLite and PostgreSQL and against a running flowd, whose workers pick the jobs up. Per
 * job (one per flow an event starts):
 * 1. the event is enqueued with its ordinary dedupe key: an order no trigger ever saw (missed)
 *    becomes its ordinary job, which a later poll or push then dedupes against;
 * 2. that key already had a job: still queued or running, the order is `already_queued`; finished
 *    (done, skipped, duplicate, dead-lettered), a re-sync job is enqueued under the key
 *    `["resync", <ordinary key>, <generation>]`, so a re-sync runs even though the original event
 *    was processed, and two re-syncs at once take the same generation: one job, the other is
 *    `already_queued`. The last generation and its job are kept in the store's meta
 *    (`resync <flow> <ordinary key>`).
 * Nothing is created twice: the flow's idempotency key (OrderToSalesOrder: `xc-order-<id>`) makes a
 * re-run of an exported order end `duplicate`, and the Sage Pro writes check the order's external
 * reference inside their transaction; an order that was never exported (dead-lettered, missed) is
 * created once.
 *
 * The cutover (`connections.xcart.cutover`, triggers/cutover.ts): an order before it is refused
 * (`refused_before_cutover`, with the reason) unless `force`.
 */
import type { XcartOrder, UnreadableOrder } from './connectors/xcart/connector.js';
import type { LoadedFlow } from './engine/flows.js';
import { defaultDedupeKey, type EnqueueInput, type Job, type Store } from './store/store.js';
import { beforeCutover, type Cutover } from './triggers/cutover.js';
import { jobsForXcartEvent, orderEvents } from './triggers/routing.js';

/** Where resync finds orders: the X-Cart connector (XcartConnector has both methods). */
export interface ResyncOrderSource {
  /** `orders.get_by_number`: null when X-Cart has no order with this number. */
  getOrderByNumber(orderNumber: string): Promise<XcartOrder | null>;
  /** Orders placed in [since, until), by X-Cart's `date[...]` filter. */
  listPlacedBetween(since: string | Date, until?: string | Date): Promise<{ orders: XcartOrder[]; unreadable: UnreadableOrder[] }>;
}

export interface ResyncDeps {
  /** The runtime store (flowd's own, or one opened on the same file or database). */
  readonly store: Pick<Store, 'enqueue' | 'getJob' | 'getMeta' | 'setMeta'>;
  readonly xcart: ResyncOrderSource;
  /** The deployed flows (their current versions): `loadFlows(config.flows.dir)`, or the service's `flows`. */
  readonly flows: ReadonlyMap<string, LoadedFlow>;
  /** `config.connections.xcart.cutover`. */
  readonly cutover?: Cutover;
  /** Called with the number of new jobs (an in-process service wakes its engine with it). */
  readonly onEnqueued?: (n: number) => void;
}

export interface ResyncRequest {
  /** X-Cart order numbers (`order_number`, e.g. "100042"). */
  readonly numbers?: readonly string[];
  /** Orders placed at or after this ISO date-time (with a zone) or Date. */
  readonly since?: string | Date;
  /** ... and before this one (default: no bound). */
  readonly until?: string | Date;
  /** Re-sync orders before the cutover too. */
  readonly force?: boolean;
}

export type ResyncStatus = 'enqueued' | 'already_queued' | 'refused_before_cutover' | 'not_found' | 'unreadable' | 'no_flow';

export interface ResyncOrderResult {
  /** The order number asked for or found; null for an unreadable order whose number is unknown. */
  readonly number: string | null;
  readonly orderId: number | null;
  readonly status: ResyncStatus;
  /** The jobs now queued for it (new or already there). */
  readonly jobIds: readonly number[];
  /** Why it was refused, not found or unreadable. */
  readonly reason?: string;
}

export interface ResyncResult {
  /** Orders found in X-Cart (not counting numbers X-Cart does not have). */
  readonly orders: number;
  readonly enqueued: number;
  readonly alreadyQueued: number;
  readonly refusedBeforeCutover: number;
  readonly notFound: number;
  readonly unreadable: number;
  /** Orders no deployed flow runs (no flow on an X-Cart order event). */
  readonly noFlow: number;
  readonly results: readonly ResyncOrderResult[];
  /** `orders=N enqueued=N already_queued=N refused_before_cutover=N` (then `not_found=`, `unreadable=`, `no_flow=` when not 0). */
  readonly summary: string;
}

/** The usage error of a request (no orders chosen, a bad date): thrown before anything is read. */
export class ResyncRequestError extends Error {
  override readonly name = 'ResyncRequestError';
}

const PENDING: ReadonlySet<Job['state']> = new Set(['queued', 'running']);

/** `--since` / `--until`: an ISO 8601 date-time with a zone, or a date alone (midnight UTC). */
export function parseResyncDate(value: string | Date, what: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ResyncRequestError(`${what}: not a date`);
    return value;
  }
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : NaN;
  if (Number.isNaN(ms)) throw new ResyncRequestError(`${what}: '${value}' is not an ISO 8601 date (2026-11-30) or date-time with a zone (2026-11-30T00:00:00Z)`);
  return new Date(ms);
}

/** Re-runs the chosen orders through the current flows; see the file's comment. */
export async function resyncOrders(deps: ResyncDeps, req: ResyncRequest): Promise<ResyncResult> {
  const numbers = req.numbers ?? [];
  if (!numbers.length && req.since === undefined) throw new ResyncRequestError('choose orders: one or more order numbers, or since (and until)');
  if (req.until !== undefined && req.since === undefined) throw new ResyncRequestError('until needs since');
  const since = req.since === undefined ? undefined : parseResyncDate(req.since, 'since');
  const until = req.until === undefined ? undefined : parseResyncDate(req.until, 'until');
  if (since && until && until.getTime() <= since.getTime()) throw new ResyncRequestError(`until (${until.toISOString()}) must be after since (${since.toISOString()})`);
  for (const n of numbers) if (typeof n !== 'string' || !/^\w+$/.test(n)) throw new ResyncRequestError(`order number ${JSON.stringify(n)}: X-Cart order numbers are letters, digits and _ (the by_number route matches \\w+)`);

  const results: ResyncOrderResult[] = [];
  const chosen: XcartOrder[] = [];
  const seen = new Set<number>();
  for (const n of numbers) {
    const o = await deps.xcart.getOrderByNumber(n);
    if (!o) { results.push({ number: n, orderId: null, status: 'not_found', jobIds: [], reason: `X-Cart has no order number ${n}` }); continue; }
    if (!seen.has(o.id)) { seen.add(o.id); chosen.push(o); }
  }
  if (since) {
    const { orders, unreadable } = await deps.xcart.listPlacedBetween(since, until);
    for (const o of orders) if (!seen.has(o.id)) { seen.add(o.id); chosen.push(o); }
    for (const u of unreadable) results.push({ number: null, orderId: u.orderId, status: 'unreadable', jobIds: [], reason: u.reason });
  }

  for (const order of chosen) results.push(await resyncOne(deps, order, req.force === true));

  const count = (s: ResyncStatus) => results.filter((r) => r.status === s).length;
  const r = {
    orders: chosen.length, enqueued: count('enqueued'), alreadyQueued: count('already_queued'), refusedBeforeCutover: count('refused_before_cutover'),
    notFound: count('not_found'), unreadable: count('unreadable'), noFlow: count('no_flow'), results,
  };
  return { ...r, summary: resyncSummary(r) };
}

/** The summary line of a result. */
export function resyncSummary(r: Omit<ResyncResult, 'summary' | 'results'>): string {
  const extra = ([['not_found', r.notFound], ['unreadable', r.unreadable], ['no_flow', r.noFlow]] as const).filter(([, n]) => n > 0).map(([k, n]) => ` ${k}=${n}`).join('');
  return `orders=${r.orders} enqueued=${r.enqueued} already_queued=${r.alreadyQueued} refused_before_cutover=${r.refusedBeforeCutover}${extra}`;
}

async function resyncOne(deps: ResyncDeps, order: XcartOrder, force: boolean): Promise<ResyncOrderResult> {
  const base = { number: order.order_number, orderId: order.id };
  const held = beforeCutover(deps.cutover, order);
  if (held && !force) return { ...base, status: 'refused_before_cutover', jobIds: [], reason: `order ${order.order_number} was ${held}; it belongs to the integration before the cutover (force to re-sync it anyway)` };
  const jobs = orderEvents(order).flatMap((e) => jobsForXcartEvent(deps.flows, e));
  if (!jobs.length) return { ...base, status: 'no_flow', jobIds: [], reason: 'no deployed flow runs on an X-Cart order event' };
  let fresh = 0;
  const jobIds: number[] = [];
  for (const job of jobs) {
    const r = await enqueueResync(deps.store, job);
    jobIds.push(r.jobId);
    if (r.fresh) fresh++;
  }
  if (fresh) deps.onEnqueued?.(fresh);
  return { ...base, status: fresh ? 'enqueued' : 'already_queued', jobIds };
}

/** One job: its ordinary key if it never came in, else the next re-sync generation unless one is pending. */
async function enqueueResync(store: ResyncDeps['store'], job: EnqueueInput): Promise<{ jobId: number; fresh: boolean }> {
  const first = await store.enqueue(job);
  if (!first.duplicate) return { jobId: first.jobId, fresh: true };
  if (await pending(store, first.jobId)) return { jobId: first.jobId, fresh: false };
  const ordinary = job.dedupeKey ?? defaultDedupeKey(job.source, job.entityId!, job.updatedAt!);
  const metaKey = `resync ${job.flow} ${ordinary}`;
  const raw = await store.getMeta(metaKey);
  let last = raw ? (JSON.parse(raw) as { generation: number; jobId: number }) : { generation: 0, jobId: 0 };
  for (let guard = 0; guard < 1000; guard++) {
    if (last.jobId && (await pending(store, last.jobId))) return { jobId: last.jobId, fresh: false };
    const generation = last.generation + 1;
    const r = await store.enqueue({ ...job, dedupeKey: JSON.stringify(['resync', ordinary, generation]) });
    // Kept before returning; a crash between the two leaves a generation the next re-sync steps over.
    if (!r.duplicate) { await store.setMeta(metaKey, JSON.stringify({ generation, jobId: r.jobId })); return { jobId: r.jobId, fresh: true }; }
    // Another re-sync took this generation (at the same moment, or before a crash lost the meta).
    last = { generation, jobId: r.jobId };
    if (await pending(store, r.jobId)) { await store.setMeta(metaKey, JSON.stringify(last)); return { jobId: r.jobId, fresh: false }; }
  }
  throw new Error(`resync: more than 1000 re-sync generations of ${metaKey}`);
}

async function pending(store: ResyncDeps['store'], jobId: number): Promise<boolean> {
  const j = await store.getJob(jobId);
  return j !== undefined && PENDING.has(j.state);
}

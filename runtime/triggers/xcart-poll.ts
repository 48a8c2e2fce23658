/**
 * Finds X-Cart order changes by polling (stock X-Cart has no webhooks): the connector lists orders
 * changed since the watermark; each becomes events routed to the flows; the jobs and the new
 * watermark are committed in one store transaction, so a crash never loses or repeats a change.
 */
import type { OrderWatermark, UnreadableOrder, XcartOrder } from '../connectors/xcart/connector.js';
import { exportState, jobsForXcartEvent, orderEvents, type XcartEvent } from './routing.js';
import type { EventSink, Trigger, TriggerDeps, TriggerLogger } from './trigger.js';
import { leadsHere } from './trigger.js';
import { beforeCutover, type Cutover } from '../cutover.js';

export interface OrderSource {
  pollChangedOrders(wm: OrderWatermark): Promise<{ orders: XcartOrder[]; watermark: OrderWatermark; unreadable?: UnreadableOrder[] }>;
}

/**
 * The pseudo-flow under which orders that X-Cart cannot serialise (HTTP 500 for that order alone,
 * e.g. an item whose product was deleted) are dead-lettered: the poll steps past them instead of
 * retrying the same page forever, and the entry names the order id and the reason.
 */
export const UNREADABLE_ORDER_FLOW = '(unreadable X-Cart order)';

export type PollerLogger = TriggerLogger;

export const XCART_WATERMARK = 'xcart.orders';

/**
 * Row-hash scope of each polled order's export state (`exportState`: payment and shipping status,
 * ship-to country), keyed by order id, committed with the poll's jobs. When a later poll sees an
 * order in another state, `order.created` is delivered again under a key of that state: an order
 * the flow skipped by its export filters (lookups/order-settings.yaml) is exported once the change
 * makes it pass; one already exported ends `duplicate` (its idempotency key, and the external
 * reference checked in Sage Pro). The first sight of an order (or of every order after an upgrade)
 * only records the state. Pushes carry no statuses: the re-export is the poll's.
 */
export const XCART_EXPORT_STATE = 'xcart.orders.export-state';

export class XcartPoller implements Trigger {
  readonly kind = 'xcart-poll' as const;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Consecutive failures; the service raises an alert when the store stays unreachable. */
  failures = 0;
  lastSuccessAt: number | undefined;

  constructor(private readonly o: TriggerDeps & {
    source: OrderSource; everyMs: number;
    /** Where the first poll starts when the store has no watermark: `now` (default) or an ISO date. */
    start?: string;
    /** connections.xcart.cutover: orders before it make no events (the watermark still moves past them). */
    cutover?: Cutover;
    /** Called with the number of orders of a poll held back by the cutover (metrics). */
    onBeforeCutover?: (n: number) => void;
  }) {}

  /** Orders held back by the cutover since start (an order seen again after a change counts again). */
  beforeCutover = 0;

  /** Orders dead-lettered as unreadable by this poller (ids or null), newest last. */
  readonly unreadable: UnreadableOrder[] = [];

  async pollOnce(): Promise<number> {
    const raw = await this.o.sink.getWatermark(XCART_WATERMARK);
    const start = !this.o.start || this.o.start === 'now' ? new Date(Date.now() - 1000).toISOString() : this.o.start;
    // `flowd serve --since T` stores {since: T, seen: []} here before the service starts.
    const wm: OrderWatermark = raw ? (JSON.parse(raw) as OrderWatermark) : { since: start, seen: [] };
    const { orders, watermark, unreadable = [] } = await this.o.source.pollChangedOrders(wm);
    for (const u of unreadable) {
      if (await deadLetterUnreadableOrder(this.o.sink, u)) {
        this.unreadable.push(u);
        this.o.logger?.error({ orderId: u.orderId, reason: u.reason }, 'x-cart order unreadable; dead-lettered');
      }
    }
    // The cutover: an order placed (or numbered) before it belongs to the integration Connect
    // replaced, also when it changes later (update_date moves, create_date does not).
    const held = orders.filter((o) => beforeCutover(this.o.cutover, o) !== undefined);
    if (held.length) {
      this.beforeCutover += held.length;
      this.o.onBeforeCutover?.(held.length);
      this.o.logger?.info({ orders: held.length, numbers: held.slice(0, 20).map((o) => o.order_number), reason: beforeCutover(this.o.cutover, held[0]!) }, 'x-cart poll: orders before the cutover not exported');
    }
    const exported = held.length ? orders.filter((o) => !held.includes(o)) : orders;
    // Re-export: an order whose export state changed since the previous poll gets order.created again.
    const states: { key: string; hash: string }[] = [];
    const again: XcartEvent[] = [];
    for (const order of exported) {
      const key = String(order.id);
      const state = exportState(order);
      if (states.some((x) => x.key === key)) { states.find((x) => x.key === key)!.hash = state; continue; }
      const before = await this.o.sink.getRowHash(XCART_EXPORT_STATE, key);
      if (before === state) continue;
      states.push({ key, hash: state });
      if (before !== undefined) {
        const created = orderEvents(order).find((e) => e.type === 'order.created')!;
        again.push({ ...created, again: state });
      }
    }
    const jobs = [...exported.flatMap((order) => orderEvents(order)), ...again].flatMap((e) => { this.o.onEvent?.(e.type); return jobsForXcartEvent(this.o.flows, e); });
    const results = await this.o.sink.enqueueBatch(jobs, {
      watermark: { name: XCART_WATERMARK, value: JSON.stringify(watermark) },
      ...(states.length ? { rowHashes: { scope: XCART_EXPORT_STATE, changes: states } } : {}),
      ...(this.o.leader ? { leader: XCART_WATERMARK } : {}),
    });
    const fresh = results.filter((r) => !r.duplicate).length;
    if (fresh) this.o.onEnqueued?.(fresh);
    if (orders.length) this.o.logger?.info({ orders: orders.length, jobs: fresh }, 'x-cart poll');
    this.failures = 0; this.lastSuccessAt = Date.now();
    return fresh;
  }

  pollNow(): Promise<number> { return this.pollOnce(); }

  /**
   * Polls every `everyMs`, counted from the start of one poll to the start of the next (a poll that
   * took 300 ms of a 1 s interval is followed 700 ms later, not 1 s later: an order waits at most
   * the interval plus one poll). A poll longer than the interval is followed at once; never two at a time.
   */
  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      const startedAt = Date.now();
      this.running = leadsHere(this.o, XCART_WATERMARK).then((lead) => (lead ? this.pollOnce() : 0)).then(() => undefined, (err: unknown) => {
        this.failures++;
        this.o.logger?.warn({ err: (err as Error).message, failures: this.failures }, 'x-cart poll failed; will try again');
      });
      await this.running;
      if (!this.stopped) this.timer = setTimeout(tick, Math.max(0, this.o.everyMs - (Date.now() - startedAt)));
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * Dead-letters one unreadable order once (dedupe key: its id, or its reason when the id is unknown).
 * Returns false when it was dead-lettered before.
 */
export async function deadLetterUnreadableOrder(sink: EventSink, u: UnreadableOrder): Promise<boolean> {
  const { duplicate } = await sink.deadLetterEvent({
    flow: UNREADABLE_ORDER_FLOW, source: 'xcart', eventType: 'order.unreadable',
    entityId: u.orderId === null ? null : String(u.orderId), payload: { order_id: u.orderId, reason: u.reason },
    dedupeKey: JSON.stringify(['xcart', 'order.unreadable', u.orderId ?? u.reason]),
    error: u.reason, errorClass: 'invalid', reason: u.reason, flowVersion: 'n/a',
  });
  return !duplicate;
}

/**
 * Signed pushes from the store's Connect module (X-Cart itself has no webhooks): POST /hooks/xcart
 * (runtime/http/) verifies and parses each body (runtime/http/push.ts) and hands it here. A
 * well-formed event becomes the same events as a poll would find (routing.ts), so both paths dedupe
 * together; a signed but malformed body is dead-lettered at once (`deadLetterEvent`, deduped by
 * the body's hash) so nothing sent is lost.
 */
import { createHash } from 'node:crypto';
import type { PushedEvent } from '../http/push.js';
import { jobsForXcartEvent, type XcartEvent } from './routing.js';
import type { Trigger, TriggerDeps } from './trigger.js';
import { beforeCutover, cutoverNeeds, type Cutover, type CutoverFields } from '../cutover.js';

/** The pseudo-flow under which rejected pushes are dead-lettered (no flow runs them). */
export const REJECTED_PUSH_FLOW = '(rejected push)';

export function xcartEventFromPush(e: PushedEvent): XcartEvent {
  const d = e.data as Record<string, unknown>;
  const updatedAt = typeof d.update_date === 'string' ? d.update_date : e.occurredAt;
  if (e.type.startsWith('customer.')) return { type: e.type, entityId: e.id, updatedAt, data: { profile_id: Number(e.id), email: (d.login ?? d.email ?? null) as string | null } };
  return { type: e.type, entityId: e.id, updatedAt, data: { order_id: Number(e.id), order_number: (d.order_number ?? null) as string | null } };
}

/** A malformed (but correctly signed) push: kept in the dead-letter queue; null when kept before. */
export async function deadLetterRejectedPush(sink: TriggerDeps['sink'], body: string, reason: string): Promise<number | null> {
  const r = await sink.deadLetterEvent({
    flow: REJECTED_PUSH_FLOW, source: 'xcart', eventType: 'push.rejected', payload: { body },
    dedupeKey: createHash('sha256').update(body).digest('hex'),
    error: `rejected push: ${reason}`, errorClass: 'invalid', reason, flowVersion: 'n/a',
  });
  return r.deadLetterId;
}

export class XcartPushTrigger implements Trigger {
  readonly kind = 'xcart-push' as const;
  readonly failures = 0;

  /** Order pushes held back by the cutover since start. */
  beforeCutover = 0;

  /**
   * @param guard throws when the store cannot keep what would be acknowledged (checked before each write)
   * @param cutover connections.xcart.cutover: an order push before it is acknowledged but not queued
   * @param getOrder reads the order when a push lacks what the cutover compares (`create_date`,
   *   `order_number`); its failure fails the push (503, the sender retries), so nothing is guessed
   * @param onBeforeCutover called for each order push held back (metrics)
   */
  constructor(private readonly d: TriggerDeps & {
    readonly guard?: () => void;
    readonly cutover?: Cutover;
    readonly getOrder?: (orderId: number) => Promise<CutoverFields>;
    readonly onBeforeCutover?: () => void;
  }) {}

  /**
   * A verified, well-formed push: its jobs, committed before the 202; or, for an order before the
   * cutover, `ignored` with the reason and nothing queued (the sender must not retry it).
   */
  async accept(e: PushedEvent): Promise<{ jobIds: number[]; duplicate: boolean; ignored?: string }> {
    this.d.guard?.();
    if (this.d.cutover && e.type.startsWith('order.')) {
      let fields: CutoverFields = e.data;
      if (cutoverNeeds(this.d.cutover, fields) && this.d.getOrder) fields = await this.d.getOrder(Number(e.id));
      const held = beforeCutover(this.d.cutover, fields);
      if (held) {
        this.beforeCutover++;
        this.d.onBeforeCutover?.();
        this.d.logger?.info({ type: e.type, id: e.id, reason: held }, 'push of an order before the cutover: not queued');
        return { jobIds: [], duplicate: false, ignored: `order ${e.id} was ${held}` };
      }
    }
    const r = await this.d.sink.enqueueBatch(jobsForXcartEvent(this.d.flows, xcartEventFromPush(e)));
    const fresh = r.filter((x) => !x.duplicate).length;
    if (fresh) this.d.onEnqueued?.(fresh);
    return { jobIds: r.map((x) => x.jobId), duplicate: r.length > 0 && r.every((x) => x.duplicate) };
  }

  /** A signed push whose body is not a valid event. */
  async reject(raw: { body: string; reason: string }): Promise<void> {
    this.d.guard?.();
    await deadLetterRejectedPush(this.d.sink, raw.body, raw.reason);
  }

  start(): void {}
  async pollNow(): Promise<number> { return 0; }
  async stop(): Promise<void> {}
}

/**
 * Which flows an event starts, and the dedupe key of each job. Polling and pushes go through the
 * same routing, so an order seen both ways becomes one job per flow (exactly-once layer 1).
 * Each event's dedupe rule is data (mappings/schemas/xcart/events.yaml): `once` (happens once per
 * entity, e.g. order.created): the key is the entity id alone; `per-update` (every change, e.g.
 * order.updated): the key is the entity id, its update time and, when the whole order was read (a
 * poll), its observed state (`orderVersionKey`); a push gives id and time (the store's default key),
 * so an update both pushed and polled can be two jobs of a per-update flow (its writes are guarded).
 */
import type { EnqueueInput } from '../store/store.js';
import type { LoadedFlow } from '../engine/flows.js';
import { loadVocabulary } from '../vocabulary/vocabulary.js';
import { orderVersionKey } from '../connectors/xcart/connector.js';

export interface XcartEvent {
  readonly type: string;          // an event of mappings/schemas/xcart/events.yaml
  readonly entityId: string;
  readonly updatedAt: string;
  readonly data: Record<string, unknown>;
  /**
   * The observed state (`orderVersionKey`) when the event comes from a read of the whole order (a
   * poll, a re-sync): a `per-update` event's dedupe key then includes it, so two changes within one
   * second of X-Cart's update time are two events. Pushes carry ids only: their key is id + time.
   */
  readonly version?: string;
  /**
   * A `once` event delivered again because the order's export state changed since the last poll
   * (`exportState`): the key is the entity id and that state, so each state makes one delivery
   * (xcart-poll.ts, "re-export"). Absent: the event's own dedupe rule.
   */
  readonly again?: string;
}

/**
 * The payment status that makes `order.paid`: P, paid in full (X-Cart 5.5.0.29
 * classes/XLite/Model/Order/Status/Payment.php STATUS_PAID). X-Cart's getPaidStatuses() also counts
 * A (authorised: no money yet) and PP (partially paid); an event once per order spent on those would
 * never come again when the order is paid in full (A or Q, then P), which is what a flow applying the
 * payment waits for (mappings/order-paid-to-receivables.flow).
 */
export const PAID_CODES = new Set(['P']);

export function flowsForEvent(flows: ReadonlyMap<string, LoadedFlow>, type: string): LoadedFlow[] {
  return [...flows.values()].filter((f) => {
    const t = f.module.meta.trigger;
    return t.kind === 'event' && t.system === 'xcart' && t.event === type;
  });
}

/**
 * The one spelling of an X-Cart entity id that dedupe sees. X-Cart ids are integers
 * (`public int $id;` in classes/XLite/API/Endpoint/Order/DTO/BaseOutput.php, an auto-increment key,
 * so positive): accepted are a positive safe integer (a JSON number) or its canonical decimal string
 * `^[1-9][0-9]*$` within the safe range. Anything else (`014`, `14.0`, `+14`, `0xe`, `14\u0000`,
 * ` 14`) is undefined: the caller refuses it, so one order can never become several jobs.
 */
export function canonicalXcartId(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,15}$/.test(value)) return undefined;
  return Number.isSafeInteger(Number(value)) ? value : undefined;
}

export function jobsForXcartEvent(flows: ReadonlyMap<string, LoadedFlow>, e: XcartEvent): EnqueueInput[] {
  const spec = loadVocabulary().xcartEvents.get(e.type);
  if (!spec) throw new RangeError(`X-Cart event ${JSON.stringify(e.type)} is not in mappings/schemas/xcart/events.yaml`);
  if (canonicalXcartId(e.entityId) !== e.entityId) throw new RangeError(`X-Cart ${e.type} event: entity id ${JSON.stringify(e.entityId)} is not a canonical positive integer`);
  return flowsForEvent(flows, e.type).map((f) => ({
    flow: f.name, flowVersion: f.version, source: 'xcart' as const, eventType: e.type, entityId: e.entityId, updatedAt: e.updatedAt, payload: e.data,
    ...(spec.dedupe === 'once' ? { dedupeKey: JSON.stringify(e.again === undefined ? ['xcart', e.type, e.entityId] : ['xcart', e.type, e.entityId, 'again', e.again]) }
      : e.version !== undefined ? { dedupeKey: JSON.stringify(['xcart', e.entityId, e.updatedAt, e.version]) } : {}),
  }));
}

/** The events one observed order state implies (a poll sees states, not transitions). */
export function orderEvents(order: { id: number; order_number?: string | null; update_date: string; payment_status?: { code?: string } | null; shipping_status?: { code?: string } | null; total?: unknown }): XcartEvent[] {
  const data = { order_id: order.id, order_number: order.order_number ?? null };
  const base = { entityId: String(order.id), updatedAt: order.update_date, data, version: orderVersionKey(order) };
  const out: XcartEvent[] = [{ type: 'order.created', ...base }, { type: 'order.updated', ...base }];
  if (order.payment_status?.code && PAID_CODES.has(order.payment_status.code)) out.push({ type: 'order.paid', ...base });
  if (order.shipping_status?.code === 'S' || order.shipping_status?.code === 'D') out.push({ type: 'order.shipped', ...base });
  return out;
}

/**
 * What decides whether OrderToSalesOrder exports an order (lookups/order-settings.yaml
 * export_payment_statuses, export_shipping_statuses, export_countries): its payment and shipping
 * status codes and the ship-to country (the shipping address, else the billing address, as the flow
 * reads it), e.g. `Q/N/US`. A poll that sees an order in another state than the previous poll did
 * delivers `order.created` again (`again`), so an order skipped by those filters is exported when a
 * later change makes it pass.
 */
export function exportState(order: Record<string, unknown>): string {
  const code = (s: unknown) => (s && typeof s === 'object' ? String((s as { code?: unknown }).code ?? '') : '');
  const country = (a: unknown) => (a && typeof a === 'object' ? (a as { country_code?: unknown }).country_code : undefined);
  const ship = country(order.shipping_address) ?? country(order.billing_address) ?? '';
  return `${code(order.payment_status)}/${code(order.shipping_status)}/${String(ship)}`;
}

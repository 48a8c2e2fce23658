/**
 * Tracking numbers and the staff note, written through the Connect X-Cart module (xcart-module/).
 *
 * X-Cart 5.5.0.29 has no tracking-number write (xcart-api.md item 6) and no order write at all: the
 * Order ApiResource declares GET item operations only (classes/XLite/Model/Order.php), and the staff
 * note `admin_notes` is an output field (classes/XLite/API/Endpoint/Order/DTO/BaseOutput.php:114). So
 * both writes need the module; a store without it gets neither, and the shipment's number is skipped
 * with a warning.
 *
 * Module endpoints (xcart-module/Connect/Push/src/API/Resource/*.php), all under the store's /api/ and
 * its X-Auth-Token rules (writes need the read/write token):
 *   GET  /api/connect/module                          → {module, version, endpoints: [...]}
 *   POST /api/connect/orders/{id}/tracking_numbers    {"value"} → {id, date, value} (201)
 *   PUT  /api/connect/orders/{id}/staff_note          {"append"} → {order_id, admin_notes}
 */
import { ConnectorError } from '../errors.js';
import type { XcartClient } from './client.js';

/** `connections.xcart.tracking`: where Sage Pro tracking numbers go. */
export type TrackingMode = 'auto' | 'module' | 'staff_note' | 'skip';
/** `connections.xcart.module`: whether the store has the Connect module (auto: probe it). */
export type ModuleSetting = 'auto' | boolean;
/** What `tracking.target` answers. */
export type TrackingTarget = 'module' | 'staff_note' | 'skip' | 'none';

export const MODULE_INFO_PATH = '/api/connect/module';
/** How long a probe's answer is kept (auto): installing the module is noticed within this. */
export const MODULE_PROBE_TTL_MS = 10 * 60_000;

type Log = { warn(obj: object, msg?: string): void } | undefined;

export interface TrackingOptions {
  tracking?: TrackingMode;
  module?: ModuleSetting;
  logger?: Log;
  /** Clock (ms), for the probe's time to live. */
  now?: () => number;
}

export class TrackingWriter {
  private readonly mode: TrackingMode;
  private readonly moduleSetting: ModuleSetting;
  private probed: { has: boolean; at: number } | undefined;

  constructor(private readonly client: XcartClient, private readonly opts: TrackingOptions = {}) {
    this.mode = opts.tracking ?? 'auto';
    this.moduleSetting = opts.module ?? 'auto';
    if (!['auto', 'module', 'staff_note', 'skip'].includes(this.mode)) throw new Error(`connections.xcart.tracking must be auto, module, staff_note or skip, not '${String(this.mode)}'`);
  }

  /** Whether the store has the Connect module: the setting, or a probe of GET /api/connect/module (kept 10 minutes). */
  async hasModule(): Promise<boolean> {
    if (this.moduleSetting !== 'auto') return this.moduleSetting;
    const now = (this.opts.now ?? Date.now)();
    if (this.probed && now - this.probed.at < MODULE_PROBE_TTL_MS) return this.probed.has;
    let has: boolean;
    try {
      const info = await this.client.get<unknown>(MODULE_INFO_PATH, undefined, 'tracking.target');
      has = info !== null && typeof info === 'object' && (info as { module?: unknown }).module === 'Connect-Push';
    } catch (e) {
      // X-Cart's catch-all route answers 404 for a path no module declares.
      if (e instanceof ConnectorError && e.errorClass === 'not_found') has = false;
      else throw e;
    }
    this.probed = { has, at: now };
    return has;
  }

  /** tracking.target: where this order's tracking number goes; "skip" is logged as a warning. */
  async target(orderId: number, number: string): Promise<TrackingTarget> {
    if (typeof number !== 'string' || number.trim() === '') return 'none';
    const why = await this.skipReason();
    if (why === null) return this.mode === 'staff_note' ? 'staff_note' : 'module';
    this.opts.logger?.warn({ system: 'xcart', operation: 'tracking.target', order_id: orderId, tracking: number.trim() },
      `tracking number ${number.trim()} of X-Cart order ${orderId} is not written to X-Cart: ${why}`);
    return 'skip';
  }

  /** Why tracking numbers are not written (null: they are). */
  private async skipReason(): Promise<string | null> {
    if (this.mode === 'skip') return 'connections.xcart.tracking is skip';
    if (await this.hasModule()) return null;
    const setting = this.moduleSetting === false ? 'connections.xcart.module is false' : `the store has no Connect module (GET ${MODULE_INFO_PATH} answers 404)`;
    // X-Cart 5.5.0.29's API writes neither tracking numbers nor the staff note (see the file header).
    return `${setting}, and X-Cart's own API cannot write tracking numbers or the staff note; install xcart-module/ in the store (or set connections.xcart.tracking: skip to silence this)`;
  }

  /** orders.set_tracking: POST the number to the module; the module keeps one copy of each number. */
  async setTracking(orderId: number, number: string): Promise<Record<string, unknown>> {
    const op = 'orders.set_tracking';
    const value = text(number, op, 'number', 255);
    return this.moduleCall(op, orderId, () => this.client.post(`/api/connect/orders/${orderId}/tracking_numbers`, { value }, op));
  }

  /** orders.add_staff_note: the module appends the line unless the note already holds it. */
  async addStaffNote(orderId: number, line: string): Promise<void> {
    const op = 'orders.add_staff_note';
    const append = text(line, op, 'line', 1000);
    await this.moduleCall(op, orderId, () => this.client.put(`/api/connect/orders/${orderId}/staff_note`, { append }, op));
  }

  private async moduleCall<T>(op: string, orderId: number, call: () => Promise<T>): Promise<T> {
    if (!Number.isInteger(orderId) || orderId <= 0) throw new ConnectorError(`X-Cart ${op}: order_id must be a positive integer`, { errorClass: 'invalid', system: 'xcart', operation: op, field: 'order_id' });
    try {
      return await call();
    } catch (e) {
      // The module answers 404 `Order with ID n not found` for a missing order; a store without the
      // module answers 404 for the path (the catch-all route). Tell the two apart by asking.
      if (e instanceof ConnectorError && e.errorClass === 'not_found' && !(await this.refreshModule())) {
        throw new ConnectorError(`X-Cart ${op}: the store has no Connect module (GET ${MODULE_INFO_PATH} answers 404); install xcart-module/ or set connections.xcart.tracking: skip`, { errorClass: 'invalid', system: 'xcart', operation: op });
      }
      throw e;
    }
  }

  private async refreshModule(): Promise<boolean> {
    this.probed = undefined;
    if (this.moduleSetting === true) {
      try { await this.client.get<unknown>(MODULE_INFO_PATH, undefined, 'tracking.target'); return true; } catch (e) {
        if (e instanceof ConnectorError && e.errorClass === 'not_found') return false;
        throw e;
      }
    }
    return this.hasModule();
  }
}

function text(v: unknown, op: string, field: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ConnectorError(`X-Cart ${op}: ${field} must be a non-empty string`, { errorClass: 'invalid', system: 'xcart', operation: op, field });
  const t = v.trim();
  if (t.length > max) throw new ConnectorError(`X-Cart ${op}: ${field} is ${t.length} characters long, the module takes at most ${max}`, { errorClass: 'invalid', system: 'xcart', operation: op, field });
  return t;
}

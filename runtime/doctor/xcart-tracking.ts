/**
 * The doctor's tracking check: where Sage Pro tracking numbers go on this store. Flows that write
 * `xcart.orders.set_tracking` or `xcart.orders.add_staff_note` need the Connect X-Cart module
 * (xcart-module/): X-Cart 5.5.0.29's API has no write for either (runtime/connectors/xcart/tracking.ts).
 * One GET of the module's `GET /api/connect/module`; nothing is written.
 */
import type { DeployedFlow } from './deployed.js';
import type { Finding } from './findings.js';

export interface TrackingSettings {
  /** connections.xcart.module */
  readonly module: 'auto' | boolean;
  /** connections.xcart.tracking */
  readonly tracking: 'auto' | 'module' | 'staff_note' | 'skip';
}

const TRACKING_OPS = new Set(['orders.set_tracking', 'orders.add_staff_note']);
const INSTALL = 'install the Connect X-Cart module in the store (xcart-module/README.md)';

export async function checkTracking(
  flows: readonly DeployedFlow[],
  s: TrackingSettings,
  get: (path: string) => Promise<{ status: number; body: unknown }>,
): Promise<Finding[]> {
  const users = flows.filter((f) => f.operations.some((o) => o.system === 'xcart' && TRACKING_OPS.has(o.operation.replace(/^xcart\./, ''))));
  if (!users.length) return [];
  const finding = (severity: Finding['severity'], message: string, fix: string): Finding[] =>
    users.map((f) => ({ flow: f.name, operation: 'xcart.orders.set_tracking', check: 'tracking', severity, message, fix }));
  if (s.tracking === 'skip') return finding('info', 'connections.xcart.tracking is skip: Sage Pro tracking numbers are not written to X-Cart (each one is logged as a warning)', '');

  const probe = await get('/api/connect/module');
  const has = probe.status === 200 && typeof probe.body === 'object' && probe.body !== null && (probe.body as { module?: unknown }).module === 'Connect-Push';
  const version = has ? String((probe.body as { version?: unknown }).version ?? '?') : '';
  const where = s.tracking === 'staff_note' ? "to the order's staff note" : "to the order's tracking numbers";
  if (s.module === false) {
    if (s.tracking === 'module' || s.tracking === 'staff_note') return finding('error', `connections.xcart.tracking is ${s.tracking} but connections.xcart.module is false: X-Cart's API cannot write tracking numbers or the staff note, so every shipment's number would fail`, `set connections.xcart.module: auto (or true) and ${INSTALL}, or set connections.xcart.tracking: skip`);
    return finding('info', 'connections.xcart.module is false: Sage Pro tracking numbers are skipped, each with a warning (X-Cart\'s API cannot write them)', `${INSTALL} and set connections.xcart.module: auto, or set connections.xcart.tracking: skip`);
  }
  if (has) return finding('ok', `the store has the Connect module ${version}: tracking numbers go ${where}`, '');
  const why = probe.status === 404 ? 'the store has no Connect module (GET /api/connect/module answers 404)' : `the Connect module could not be detected (GET /api/connect/module answered ${probe.status})`;
  if (s.module === true || s.tracking === 'module' || s.tracking === 'staff_note') {
    return finding('error', `${why}, and ${s.module === true ? 'connections.xcart.module is true' : `connections.xcart.tracking is ${s.tracking}`}: writing a tracking number fails (X-Cart's own API has no such write)`, `${INSTALL}, or set connections.xcart.tracking: skip`);
  }
  // tracking: auto on a store without the module skips the numbers, as configured: worth knowing.
  return finding('info', `${why}: Sage Pro tracking numbers are skipped, each with a warning in flowd's log; shipping statuses are still set`, `${INSTALL} (flowd notices it within 10 minutes), or set connections.xcart.tracking: skip to say that is intended`);
}

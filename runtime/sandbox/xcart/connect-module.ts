/**
 * The Connect X-Cart module's REST endpoints (xcart-module/Connect/Push/), as the sandbox answers them
 * when the store "has the module" (`connectModule: true`, or `sb.connectModule.installed = true`).
 * Without it these paths fall into X-Cart's catch-all route: 404, as on a real 5.5.0.29 store, whose
 * API writes neither tracking numbers nor the staff note (classes/XLite/Model/Order.php: GET item
 * operations only; classes/XLite/API/Endpoint/Order/DTO/BaseOutput.php:114: admin_notes is output only).
 *
 * Written from the module's PHP, not from the connector (runtime/connectors/xcart/tracking.ts):
 *   GET  /api/connect/module                        xcart-module/Connect/Push/src/API/Endpoint/ModuleInfo/DataProvider.php
 *   POST /api/connect/orders/{id}/tracking_numbers  xcart-module/Connect/Push/src/API/Endpoint/TrackingNumber/DataPersister.php
 *   PUT  /api/connect/orders/{id}/staff_note        xcart-module/Connect/Push/src/API/Endpoint/StaffNote/DataPersister.php
 */
import { type Json, type SandboxData, isoDate, nextId } from './state.js';

/** The module's version in its config/main.yaml. */
export const CONNECT_MODULE_VERSION = '5.5.0.0';

export interface ConnectModuleRouteKit {
  data: () => SandboxData;
  now: () => number;
  save: () => void;
  installed: () => boolean;
  /** Throws the sandbox's HTTP error (problem+json). */
  fail: (status: number, message: string) => never;
  get: (re: RegExp, handler: (c: { params: string[]; body: unknown }) => unknown) => void;
  put: (re: RegExp, handler: (c: { params: string[]; body: unknown }) => unknown) => void;
  post: (re: RegExp, handler: (c: { params: string[]; body: unknown }) => unknown) => void;
}

export function addConnectModuleRoutes(k: ConnectModuleRouteKit): void {
  const need = () => { if (!k.installed()) k.fail(404, 'Not Found'); };
  // The module looks the order up by id and throws InvalidArgumentException for a cart or a missing
  // order: 400 `Order with ID n not found`, as the core's status sub-resources answer
  // (xcart-module/Connect/Push/src/API/Endpoint/TrackingNumber/DataPersister.php, StaffNote/DataProvider.php).
  const orderOf = (s: string | undefined): Json => {
    if (!s || !/^\d+$/.test(s)) k.fail(404, 'Not Found');
    const id = Number(s);
    const o = k.data().orders.find((x) => x.id === id && x.order_number !== null);
    if (!o) k.fail(400, `Order with ID ${id} not found`);
    return o!;
  };
  // The resources' constraints: value NotBlank + Length(max=255); append NotBlank + Length(max=1000)
  // (xcart-module/Connect/Push/src/API/Resource/TrackingNumber.php, StaffNote.php). API Platform answers 400 on a
  // constraint violation.
  const field = (body: unknown, name: string, max: number): string => {
    const v = body && typeof body === 'object' && !Array.isArray(body) ? (body as Json)[name] : undefined;
    if (typeof v !== 'string' || v.trim() === '') k.fail(400, `${name}: This value should not be blank.`);
    const t = (v as string).trim();
    if (t.length > max) k.fail(400, `${name}: This value is too long. It should have ${max} characters or less.`);
    return t;
  };
  const history = (o: Json, code: string, description: string, comment: string, date: string) => {
    const d = k.data();
    (d.history[String(o.id)] ??= []).push({
      id: nextId(d, 'history'), date, code, description, data: [], comment,
      profile_id: null, profile_name: 'API', ip: '127.0.0.1', details: [],
    });
  };

  k.get(/^\/api\/connect\/module$/, () => {
    need();
    return { module: 'Connect-Push', version: CONNECT_MODULE_VERSION, endpoints: ['tracking_numbers', 'staff_note'] };
  });

  k.post(/^\/api\/connect\/orders\/([^/]+)\/tracking_numbers$/, ({ params, body }) => {
    need();
    const o = orderOf(params[0]);
    const value = field(body, 'value', 255);
    const list = ((o.tracking_numbers as Json[] | undefined) ??= []);
    // The module keeps one copy of each number (as ShipStation's API controller does before
    // addOrderTrackingNumber: modules/ShipStation/Api/src/Controller/Customer/Api.php:130-135).
    const have = list.find((t) => t.value === value);
    if (have) return have;
    const date = isoDate(k.now());
    const t = { id: nextId(k.data(), 'tracking'), date, value };
    list.push(t);
    // A new OrderTrackingNumber row does not touch the order row, so lastRenewDate stays (the module
    // records the event in the order history, XLite\Core\OrderHistory::registerEvent).
    history(o, 'CONNECT_TRACKING_NUMBER', `Tracking number ${value} added by Connect`, '', date);
    k.save();
    return t;
  });

  k.put(/^\/api\/connect\/orders\/([^/]+)\/staff_note$/, ({ params, body }) => {
    need();
    const o = orderOf(params[0]);
    const line = field(body, 'append', 1000);
    const note = String(o.admin_notes ?? '');
    if (!note.split(/\r?\n/).some((l) => l.trim() === line)) {
      const date = isoDate(k.now());
      o.admin_notes = note === '' ? line : `${note}\n${line}`;
      // Order::setAdminNotes changes the order row: prepareBeforeSave renews lastRenewDate
      // (classes/XLite/Model/Order.php, prepareBeforeSave).
      o.update_date = date;
      history(o, 'CHANGE_ADMIN_NOTES', 'Staff note changed by Connect', line, date);
      k.save();
    }
    return { order_id: o.id, admin_notes: o.admin_notes };
  });
}

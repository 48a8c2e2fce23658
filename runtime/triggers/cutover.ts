/**
 * The cutover start (`connections.xcart.cutover`): orders placed before a date, or numbered below a
 * number, belong to the integration Connect replaces and are never exported, whichever way they
 * arrive (the X-Cart poll, a push, `flowd serve --since`, `flowd resync` without `--force`).
 *
 * What is compared, as X-Cart 5.5.0.29 keeps and returns it:
 * - the placed date: `XLite\Model\Order::$date`, an integer unix timestamp set when the order is
 *   placed (classes/XLite/Model/Order.php, `protected $date`), returned as `create_date`
 *   (`new DateTimeImmutable('@' . $object->getDate())`,
 *   classes/XLite/API/Endpoint/Order/Transformer/OutputTransformerAbstract.php:57), ISO 8601 with
 *   `+0000` and whole seconds. `update_date` (lastRenewDate) moves on every status change, so it is
 *   never used here: an old order whose status changes after the cutover is still an old order.
 * - the order number: `$orderNumber`, a string column filled from the counter
 *   `General.order_number_counter` (classes/XLite/Model/Repo/Order.php, findNextOrderNumber), so
 *   decimal integers that grow with each placed order; returned as `order_number`. A number that is
 *   not a decimal integer (a store module that formats its own) is not compared.
 *
 * The internal id (`id`) is not a cutover criterion: carts live in the same table and take ids when
 * they are created, not when they are placed, so a cart started before the switch gets a low id.
 */

/** The validated `connections.xcart.cutover` (config.ts). */
export interface Cutover {
  /** Orders placed before this instant (ms since the epoch, whole seconds) are before the cutover. */
  readonly beforeMs?: number;
  /** `before_date` as written in connect.yaml, for messages. */
  readonly beforeDate?: string;
  /** Orders whose number is below this are before the cutover. */
  readonly beforeNumber?: number;
}

/** What of an order the cutover reads (an X-Cart order, or the data of a push). */
export interface CutoverFields {
  readonly create_date?: unknown;
  readonly order_number?: unknown;
}

/** The config key, for messages. */
export const CUTOVER_KEY = 'connections.xcart.cutover';

function dateMs(s: string): number {
  return Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** `before_date` → ms: a date alone is midnight UTC; a date-time must carry its zone. NaN when it is no date. */
export function cutoverDateMs(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(text)) return NaN;
  const ms = dateMs(/T/.test(text) ? text : `${text}T00:00:00Z`);
  if (Number.isNaN(ms)) return NaN;
  // Date.parse rolls 2026-02-30 over to March: refuse a day the calendar does not have.
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return NaN;
  return ms;
}

/** Which fields this cutover needs from an order (a push lacking them is looked up in X-Cart). */
export function cutoverNeeds(c: Cutover | undefined, o: CutoverFields): boolean {
  if (!c) return false;
  return (c.beforeMs !== undefined && typeof o.create_date !== 'string') || (c.beforeNumber !== undefined && typeof o.order_number !== 'string');
}

/**
 * Why this order is before the cutover, or undefined when it is to be exported (also when there is
 * no cutover, or a field is missing or unreadable: nothing is held back on a guess).
 */
export function beforeCutover(c: Cutover | undefined, o: CutoverFields): string | undefined {
  if (!c) return undefined;
  if (c.beforeMs !== undefined && typeof o.create_date === 'string') {
    const placed = dateMs(o.create_date);
    // X-Cart dates have whole seconds; so does the bound (config.ts floors it).
    if (!Number.isNaN(placed) && placed < c.beforeMs) return `placed ${o.create_date}, before the cutover ${c.beforeDate ?? new Date(c.beforeMs).toISOString()} (${CUTOVER_KEY}.before_date)`;
  }
  if (c.beforeNumber !== undefined && typeof o.order_number === 'string' && /^[0-9]{1,15}$/.test(o.order_number)) {
    if (Number(o.order_number) < c.beforeNumber) return `number ${o.order_number}, below the cutover ${c.beforeNumber} (${CUTOVER_KEY}.before_number)`;
  }
  return undefined;
}

/** One line for logs and `flowd serve`: what the cutover holds back. */
export function describeCutover(c: Cutover | undefined): string {
  if (!c) return 'no cutover';
  const parts = [
    ...(c.beforeMs !== undefined ? [`placed before ${new Date(c.beforeMs).toISOString()}`] : []),
    ...(c.beforeNumber !== undefined ? [`numbered below ${c.beforeNumber}`] : []),
  ];
  return `orders ${parts.join(' or ')} are not exported (${CUTOVER_KEY})`;
}

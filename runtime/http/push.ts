/**
 * Signed push from X-Cart (the Connect push module, or the sandbox): signing, verification and
 * parsing of the event body. No I/O here; runtime/http/server.ts puts it on POST /hooks/xcart.
 *
 * Wire format (runtime/sandbox/xcart/server.ts sends exactly this):
 *   X-Connect-Timestamp: <unix seconds>
 *   X-Connect-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body bytes>">
 *   body: {"type": <an xcart-push event of mappings/schemas/xcart/events.yaml>, "id": 42,
 *          "occurred_at": "2024-05-01T10:00:00Z", "data": {...}}
 */
import crypto from 'node:crypto';
import { canonicalXcartId } from '../triggers/routing.js';
import { eventsProducedBy, loadVocabulary } from '../vocabulary/vocabulary.js';

/** Event types a push may carry: those of mappings/schemas/xcart/events.yaml with trigger xcart-push. */
export const PUSH_EVENT_TYPES: readonly string[] = eventsProducedBy(loadVocabulary(), 'xcart-push');
export type PushEventType = string;

/** A verified, well-formed pushed event. */
export interface PushedEvent {
  readonly type: PushEventType;
  /** The order id (order.*) or profile id (customer.updated), canonical decimal (`14`, never `014`). */
  readonly id: string;
  /** `occurred_at` as sent (ISO-8601). */
  readonly occurredAt: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** The body exactly as received (UTF-8), for the store and the DLQ. */
  readonly raw: string;
}

/** Anything holding a key: a config `Secret` or a plain string (tests, the sandbox). */
export type PushKey = string | { reveal(): string };

export type PushVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing_signature' | 'bad_signature' | 'stale_timestamp' };

const keyOf = (k: PushKey): string => (typeof k === 'string' ? k : k.reveal());

/** The `X-Connect-Signature` header value for a body sent at `timestamp` (unix seconds). */
export function signPush(secret: PushKey, timestamp: number | string, body: string | Buffer): string {
  const mac = crypto.createHmac('sha256', keyOf(secret));
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

export interface VerifyPushInput {
  secret: PushKey;
  /** `X-Connect-Timestamp` header (absent: missing_signature). */
  timestamp: string | undefined;
  /** `X-Connect-Signature` header (absent: missing_signature). */
  signature: string | undefined;
  /** The raw body, byte for byte. */
  body: string | Buffer;
  /** Replay window: the timestamp must be within ± this of `nowMs`. */
  toleranceMs: number;
  /** Clock, ms since the epoch. Default Date.now(). */
  nowMs?: number;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP = /^[0-9]{1,12}$/;

/**
 * Checks a push: both headers present, a timestamp within the replay window, and an HMAC that
 * matches (compared in constant time on equal-length buffers).
 */
export function verifyPush(input: VerifyPushInput): PushVerdict {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'missing_signature' };
  const sig = SIGNATURE.exec(signature.trim());
  if (!sig || !TIMESTAMP.test(timestamp)) return { ok: false, reason: 'bad_signature' };
  const now = input.nowMs ?? Date.now();
  if (Math.abs(now - Number(timestamp) * 1000) > input.toleranceMs) return { ok: false, reason: 'stale_timestamp' };
  const expected = crypto.createHmac('sha256', keyOf(input.secret)).update(`${timestamp}.`).update(input.body).digest();
  const given = Buffer.from(sig[1]!, 'hex');
  // Both are 32 bytes (the regex fixes the length), as timingSafeEqual requires.
  return crypto.timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

export type ParsedPush =
  | { readonly ok: true; readonly event: PushedEvent }
  | { readonly ok: false; readonly reason: 'invalid_json' | 'invalid_event'; readonly problems: readonly string[] };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a (verified) body into a PushedEvent, or lists what is wrong with it. */
export function parsePushBody(body: Buffer): ParsedPush {
  let raw: string;
  let json: unknown;
  try {
    raw = utf8.decode(body);
  } catch {
    return { ok: false, reason: 'invalid_json', problems: ['body is not UTF-8 text'] };
  }
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { ok: false, reason: 'invalid_json', problems: [`body is not valid JSON: ${(err as Error).message}`] };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, reason: 'invalid_event', problems: ['event must be a JSON object'] };
  }
  const e = json as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof e.type !== 'string') problems.push('type is missing');
  else if (!(PUSH_EVENT_TYPES as readonly string[]).includes(e.type)) problems.push(`unknown event type '${e.type}' (expected ${PUSH_EVENT_TYPES.join(', ')})`);
  // One spelling per id, before dedupe (runtime/triggers/routing.ts, canonicalXcartId).
  const id = canonicalXcartId(e.id);
  if (e.id === undefined || e.id === null) problems.push('id is missing');
  else if (id === undefined) problems.push(`id: ${JSON.stringify(e.id)} is not an X-Cart id (a positive integer: a JSON number such as 14, or the string "14"; no leading zeros, signs, decimals, hex or spaces)`);
  if (typeof e.occurred_at !== 'string' || Number.isNaN(Date.parse(e.occurred_at))) problems.push('occurred_at is missing or not a date');
  if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) problems.push('data must be an object');
  if (problems.length) return { ok: false, reason: 'invalid_event', problems };
  return {
    ok: true,
    event: { type: e.type as PushEventType, id: id!, occurredAt: e.occurred_at as string, data: e.data as Record<string, unknown>, raw },
  };
}

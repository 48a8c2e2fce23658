/** Durations as written in connect.yaml: a number and one unit, `500ms`, `30s`, `1.5m`, `2h`. */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/;

/** Milliseconds of a duration, rounded to a whole number; throws RangeError on anything else. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new RangeError(`not a duration: '${text}' (expected e.g. 500ms, 30s, 1m, 2h)`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
}

/** The sane range of one duration key (as written, and in ms). */
export interface DurationRange { readonly min: string; readonly max: string; readonly minMs: number; readonly maxMs: number }
const range = (min: string, max: string): DurationRange => ({ min, max, minMs: parseDuration(min), maxMs: parseDuration(max) });

/**
 * Every duration key of connect.yaml (JSON pointer) and its sane range, checked on load
 * (runtime/config/README.md says why each bound is what it is). Zero is never in range: a zero poll
 * interval spins, a zero lease dead-letters every job, a zero tolerance refuses every push, a zero
 * timeout fails every request.
 */
export const DURATION_RANGES: Readonly<Record<string, DurationRange>> = {
  '/connections/xcart/timeout': range('1s', '10m'),
  '/triggers/xcart_poll/every': range('1s', '24h'),
  '/triggers/push/tolerance': range('10s', '1h'),
  '/triggers/sagepro_poll/every': range('1s', '24h'),
  '/workers/lease': range('5s', '1h'),
  '/alerts/after_connection_down': range('1s', '24h'),
  // PostgreSQL store: how long a dead poll leader keeps its sources before another process takes them.
  '/store/leader_ttl': range('1s', '10m'),
};

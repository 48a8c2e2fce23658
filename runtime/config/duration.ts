/** Durations as written in connect.yaml: a number and one unit, `500ms`, `30s`, `1.5m`, `2h`. */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/;

/** Milliseconds of a duration, rounded to a whole number; throws RangeError on anything else. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new RangeError(`not a duration: '${text}' (expected e.g. 500ms, 30s, 1m, 2h)`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
}

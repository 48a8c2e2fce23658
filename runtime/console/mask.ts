/**
 * What the console shows of payloads, call arguments and results: every field whose name looks
 * secret (/pass|secret|token|key|card|cvv|iban|auth/i) becomes "••••", except the idempotency and
 * dedupe keys the engine made; any string that contains a configured secret (connect.yaml's token,
 * DSN, push secret, database URL) has it replaced too, whatever its field is called.
 */
export const MASK = '••••';
const SECRET_NAME = /pass|secret|token|key|card|cvv|iban|auth/i;
const ENGINE_KEYS = /^(idempotency_?key|idempotencyKey|dedupe_?key|dedupeKey)$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !ENGINE_KEYS.test(name);
}

export class Masker {
  private readonly secrets: string[];
  constructor(secrets: readonly string[] = []) {
    // Short values would mask ordinary text (a 1-character "secret"); such a secret is no secret.
    this.secrets = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length >= 4))].sort((a, b) => b.length - a.length);
  }

  /** A masked deep copy of `value`. */
  mask(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.scrub(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth > 32) return MASK;
    if (Array.isArray(value)) return value.map((v) => this.mask(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) && v !== null && v !== undefined ? MASK : this.mask(v, depth + 1);
    return out;
  }

  /** `text` with every configured secret replaced. */
  scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }
}

/** A JSON value cut to about `maxChars` of JSON: long strings shortened, long arrays and objects cut with a marker. */
export function truncate(value: unknown, maxChars = 4096): unknown {
  const text = JSON.stringify(value);
  if (text === undefined || text.length <= maxChars) return value;
  const cut = (v: unknown, budget: number): unknown => {
    if (typeof v === 'string') return v.length > 200 ? `${v.slice(0, 200)}… (${v.length} chars)` : v;
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      const keep = v.slice(0, 10).map((x) => cut(x, budget / 10));
      return v.length > 10 ? [...keep, `… ${v.length - 10} more`] : keep;
    }
    const entries = Object.entries(v);
    const out: Record<string, unknown> = {};
    for (const [k, x] of entries.slice(0, 40)) out[k] = cut(x, budget / 40);
    if (entries.length > 40) out['…'] = `${entries.length - 40} more fields`;
    return out;
  };
  const shorter = cut(value, maxChars);
  const again = JSON.stringify(shorter);
  return again.length <= maxChars * 2 ? shorter : { truncated: true, chars: text.length, start: text.slice(0, maxChars) };
}

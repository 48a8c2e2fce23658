/**
 * Console passwords: scrypt (node:crypto) with a random 16-byte salt, stored as
 * `scrypt$N$r$p$<salt b64>$<hash b64>`, compared in constant time. The parameters travel with the
 * hash, so they can be raised later without invalidating stored passwords.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

/** N = 2^15, r = 8, p = 1: about 32 MiB and some tens of ms per hash (OWASP's scrypt minimum is N = 2^17 with r=8,p=1 or equivalent; see README). */
export const SCRYPT = { N: 1 << 15, r: 8, p: 1, keylen: 32 } as const;
export const MIN_PASSWORD_LENGTH = 10;

/** `cost` overrides N (a power of two): tests make their users cheap to log in as; flowd always uses SCRYPT.N. */
export async function hashPassword(password: string, cost: { N?: number } = {}): Promise<string> {
  checkPassword(password);
  const N = cost.N ?? SCRYPT.N;
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 128 * N * SCRYPT.r * 2 });
  return `scrypt$${N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `password` matches `stored`. A malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const want = Buffer.from(parts[5]!, 'base64');
  if (want.length < 16) return false;
  const got = await scrypt(password, salt, want.length, { N, r, p, maxmem: 128 * N * r * 2 });
  return timingSafeEqual(got, want);
}

/** A hash of a random password: verified against when the user does not exist, so both cases take as long. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64'));
  return dummy;
}

/** Throws with a message naming the rule when a new password is too weak to accept. */
export function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string') throw Object.assign(new Error('password: must be a string'), { code: 'invalid' });
  if (password.length < MIN_PASSWORD_LENGTH) throw Object.assign(new Error(`password: at least ${MIN_PASSWORD_LENGTH} characters`), { code: 'invalid' });
  if (password.length > 1024) throw Object.assign(new Error('password: at most 1024 characters'), { code: 'invalid' });
}

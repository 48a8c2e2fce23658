/**
 * Login rate limit: after `max` failed logins for one user name from one IP address within
 * `windowMs`, further attempts for that pair are refused (429 with Retry-After) until the oldest
 * failure leaves the window. A success clears the pair. In memory, per flowd process: with several
 * processes behind a balancer each counts its own (the limit is then max × processes).
 */
export interface RateLimitOptions { readonly max?: number; readonly windowMs?: number; readonly now?: () => number }

export class LoginRateLimit {
  private readonly failures = new Map<string, number[]>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(o: RateLimitOptions = {}) {
    this.max = o.max ?? 5;
    this.windowMs = o.windowMs ?? 15 * 60_000;
    this.now = o.now ?? Date.now;
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length) this.failures.set(key, list); else this.failures.delete(key);
    return list;
  }

  /** Seconds to wait before this pair may try again, or 0 when it may try now. */
  retryAfter(user: string, ip: string): number {
    const list = this.recent(keyOf(user, ip));
    if (list.length < this.max) return 0;
    return Math.max(1, Math.ceil((list[list.length - this.max]! + this.windowMs - this.now()) / 1000));
  }

  fail(user: string, ip: string): void {
    const key = keyOf(user, ip);
    const list = this.recent(key);
    list.push(this.now());
    this.failures.set(key, list);
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(user: string, ip: string): void { this.failures.delete(keyOf(user, ip)); }
}

const keyOf = (user: string, ip: string) => `${user.toLowerCase()}\u0000${ip}`;

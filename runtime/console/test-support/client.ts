/** A console API client over real HTTP (fetch on loopback) with a cookie jar and the CSRF token. */
export interface Answer { status: number; headers: Headers; text: string; body: any }

export class Client {
  cookie = '';
  csrf = '';
  /** Every body this client received (tests grep them for secrets). */
  readonly seen: string[] = [];
  constructor(readonly base: string) {}

  async call(method: string, path: string, body?: unknown, opts: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if ((opts.csrf ?? true) && this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    const r = await fetch(this.base + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await r.text();
    this.seen.push(text);
    const set = r.headers.get('set-cookie');
    if (set) { const v = set.split(';')[0]!; this.cookie = v.endsWith('=') ? '' : v; }
    let parsed: unknown = undefined;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    return { status: r.status, headers: r.headers, text, body: parsed };
  }

  get(path: string) { return this.call('GET', path); }
  post(path: string, body: unknown = {}, opts?: { csrf?: boolean }) { return this.call('POST', path, body, opts); }

  async login(username: string, password: string): Promise<Answer> {
    const r = await this.post('/api/login', { username, password });
    if (r.status === 200) this.csrf = r.body.csrf;
    return r;
  }
}

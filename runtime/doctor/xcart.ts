/**
 * The doctor's X-Cart checks over real HTTP (undici): the store answers and accepts the token (a
 * GET), the token may write when a flow writes (a harmless PUT on order 0), and the configured
 * change filter works on this store's version. The token is sent, never printed.
 *
 * How X-Cart 5.5.0.29 enforces the read-only token (source: iidevv/xc55):
 * - src/Security/Http/Authenticator/TokenRepository/ConfigTokenRepository.php: the read-only token
 *   (`token_read`) authenticates as ROLE_USER, the read/write token (`token_all`) as ROLE_ADMIN; an
 *   unknown token is 401 (src/Security/Http/Authenticator/TokenAuthenticator.php).
 * - config/packages/security.yaml access_control: `^/api/` with methods [GET] allows ROLE_USER or
 *   ROLE_ADMIN, every other method needs ROLE_ADMIN. Access control runs before the endpoint, so a
 *   PUT with the read-only token is 403 whatever the order, and with the read/write token
 *   `PUT /api/orders/0/payment_status` reaches the data provider and answers 400 `Order with ID 0 not
 *   found` (classes/XLite/API/Endpoint/OrderPaymentStatus/DataProvider/ItemDataProvider.php): nothing changes.
 */
import { request } from 'undici';
import type { DeployedFlow } from './deployed.js';
import type { Finding } from './findings.js';
import { checkTracking, type TrackingSettings } from './xcart-tracking.js';

export interface XcartSettings {
  readonly baseUrl: string;
  readonly token: string;
  readonly changedFilter: 'auto' | 'lastRenewDate' | 'scan';
  readonly pollEnabled: boolean;
  readonly timeoutMs: number;
  /** connections.xcart.module and .tracking (xcart-tracking.ts); default auto, auto. */
  readonly tracking?: TrackingSettings;
}

const FAR_FUTURE = '2999-01-01T00:00:00+0000';

interface Answer { status: number; body: unknown }

export class XcartDoctor {
  constructor(private readonly s: XcartSettings) {}

  private async call(method: 'GET' | 'PUT', pathAndQuery: string, body?: unknown): Promise<Answer> {
    try {
      return await this.callOnce(method, pathAndQuery, body);
    } catch (e) {
      // A keep-alive socket the store closed while it sat idle answers the next request with a
      // reset; a GET is tried once more on a new connection (a PUT probe is not repeated).
      const code = (e as { code?: string }).code;
      if (method !== 'GET' || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw e;
      return this.callOnce(method, pathAndQuery, body);
    }
  }

  private async callOnce(method: 'GET' | 'PUT', pathAndQuery: string, body?: unknown): Promise<Answer> {
    const url = this.s.baseUrl.replace(/\/+$/, '') + pathAndQuery;
    const r = await request(url, {
      method,
      headers: { 'x-auth-token': this.s.token, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      headersTimeout: this.s.timeoutMs, bodyTimeout: this.s.timeoutMs,
    });
    const text = await r.body.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON: kept as text */ }
    return { status: r.statusCode, body: parsed };
  }

  async check(flows: readonly DeployedFlow[]): Promise<Finding[]> {
    const out: Finding[] = [];
    const uses = flows.filter((f) => f.operations.some((o) => o.system === 'xcart') || (f.trigger.kind === 'event' && f.trigger.system === 'xcart'));
    if (!uses.length) return out;
    // 1. Reachable, token accepted.
    let all: Answer;
    try {
      all = await this.call('GET', '/api/orders?itemsPerPage=1');
    } catch (e) {
      const code = (e as { code?: string }).code;
      return [{ flow: '*', operation: 'xcart', check: 'connection', severity: 'error', message: `X-Cart at ${this.s.baseUrl} cannot be reached: ${code ?? (e as Error).message}`, fix: 'check connections.xcart.base_url and that the store is up' }];
    }
    if (all.status === 401) {
      return [{ flow: '*', operation: 'xcart', check: 'token', severity: 'error', message: `X-Cart at ${this.s.baseUrl} rejects connections.xcart.token (401): it is neither the store's read-only nor its read/write API token`, fix: 'set connections.xcart.token to the read/write token of Settings → API in the store\'s admin area' }];
    }
    if (all.status !== 200 || !Array.isArray(all.body)) {
      return [{ flow: '*', operation: 'xcart', check: 'connection', severity: 'error', message: `X-Cart at ${this.s.baseUrl} answers GET /api/orders with HTTP ${all.status}${Array.isArray(all.body) ? '' : ' and no JSON list'}: this is not an X-Cart 5.5 API`, fix: 'check connections.xcart.base_url (the store URL without /api)' }];
    }

    // 2. Writes: the token must be the read/write one.
    const writers = flows.flatMap((f) => f.operations.filter((o) => o.system === 'xcart' && o.kind === 'write').map((o) => ({ flow: f.name, op: o.operation })));
    let readOnly = false;
    if (writers.length) {
      const probe = await this.call('PUT', '/api/orders/0/payment_status', { code: 'P' });
      readOnly = probe.status === 403 || probe.status === 401;
      if (readOnly) {
        const seen = new Set<string>();
        for (const w of writers) {
          if (seen.has(`${w.flow} ${w.op}`)) continue;
          seen.add(`${w.flow} ${w.op}`);
          out.push({ flow: w.flow, operation: w.op, check: 'token-write', severity: 'error', message: `connections.xcart.token is the store's read-only token (PUT answers ${probe.status}), and this flow writes to X-Cart`, fix: 'set connections.xcart.token to the read/write token of Settings → API (the read-only token allows GET only)' });
        }
      } else if (probe.status >= 500) {
        out.push({ flow: '*', operation: 'xcart', check: 'token-write', severity: 'warning', message: `could not tell whether the token may write: PUT /api/orders/0/payment_status answered ${probe.status}`, fix: '' });
      }
    }

    // 3. The change filter of the order poll.
    const polled = flows.filter((f) => f.trigger.kind === 'event' && f.trigger.system === 'xcart' && f.trigger.event.startsWith('order.'));
    if (polled.length && this.s.pollEnabled) {
      const far = await this.call('GET', `/api/orders?itemsPerPage=1&lastRenewDate%5Bafter%5D=${encodeURIComponent(FAR_FUTURE)}`);
      const hasOrders = all.body.length > 0;
      const honoured = far.status === 200 && Array.isArray(far.body) && far.body.length === 0 && hasOrders;
      const ignored = far.status === 200 && Array.isArray(far.body) && far.body.length > 0;
      for (const f of polled) {
        const op = `trigger xcart.${f.trigger.kind === 'event' ? f.trigger.event : ''}`;
        const base = { flow: f.name, operation: op, check: 'changed-filter' as const };
        if (this.s.changedFilter === 'lastRenewDate' && ignored) {
          out.push({ ...base, severity: 'error', message: 'connections.xcart.changed_filter is lastRenewDate, but this store ignores lastRenewDate[after] (X-Cart 5.5.0.x has no such filter; 5.5.1 has): every poll would page through every order', fix: 'set connections.xcart.changed_filter: scan (or auto)' });
        } else if (this.s.changedFilter === 'lastRenewDate' && !honoured) {
          out.push({ ...base, severity: 'warning', message: 'connections.xcart.changed_filter is lastRenewDate, but whether this store honours lastRenewDate[after] could not be verified (the store has no orders yet)', fix: 'set connections.xcart.changed_filter: auto to let flowd probe it, or scan' });
        } else if (this.s.changedFilter === 'auto') {
          out.push({ ...base, severity: 'info', message: ignored ? 'this store ignores lastRenewDate[after] (X-Cart 5.5.0.x): changed orders are found by sorting on lastRenewDate and paging back to the watermark (scan)' : honoured ? 'this store honours lastRenewDate[after] (X-Cart 5.5.1+): changed orders are found with that filter' : 'the store has no orders yet: flowd probes lastRenewDate[after] on its first poll', fix: '' });
        } else if (this.s.changedFilter === 'scan' && honoured) {
          out.push({ ...base, severity: 'info', message: 'this store honours lastRenewDate[after] (X-Cart 5.5.1+); scan works but reads more than needed', fix: 'connections.xcart.changed_filter: auto or lastRenewDate would use the filter' });
        }
      }
    }

    // 4. Tracking numbers: through the Connect module (xcart-tracking.ts).
    out.push(...await checkTracking(flows, this.s.tracking ?? { module: 'auto', tracking: 'auto' }, (p) => this.call('GET', p)));
    return out;
  }
}

/**
 * The module pushes `order.paid` (issue 13): its event code and signer, run by Debian's php, send an
 * order.paid that flowd's real push endpoint (runtime/http/server.ts on loopback, the real
 * XcartPushTrigger, a real SQLite store) accepts with 202 and queues for the shipped flow on
 * `xcart.order.paid`, OrderPaidToReceivables, keyed by the order id (events.yaml dedupe: once).
 * The module's order hooks (src/Model/Order.php) and pusher run on a php-cli stand-in of X-Cart's
 * status code (test/xcart-module/xcart/: no X-Cart store runs here) through the payment histories of
 * X-Cart 5.5.0.29: order.paid once per transition to P, never for A or PP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../../grammar/index.js';
import { startHttpServer, type HttpServer, type PushedEvent } from '../../runtime/http/server.js';
import { Secret } from '../../runtime/config/secret.js';
import { createLogger } from '../../runtime/observability/logger.js';
import { createMetrics } from '../../runtime/observability/metrics.js';
import { SqliteStore } from '../../runtime/store/sqlite-store.js';
import { openDatabase } from '../../runtime/store/sqlite-driver.js';
import { XcartPushTrigger } from '../../runtime/triggers/xcart-push.js';
import type { LoadedFlow } from '../../runtime/engine/flows.js';
import type { FlowModule } from '../../runtime/contract.js';
import { HAS_PHP, MODULE_DIR, NO_PHP_MESSAGE, PUSH_CLI, REPO, filesUnder, php } from './php.js';

const SECRET = 'whsec-order-paid-test-0123456789';
const env = { CONNECT_PUSH_SECRET: SECRET };
const STAND_IN = path.join(REPO, 'test', 'xcart-module', 'xcart');
const SCENARIO = path.join(STAND_IN, 'scenario.php');

/**
 * The shipped flows (mappings/*.flow) with the trigger each declares, as flowc's emitter writes it
 * into meta.trigger (compiler/emitter/emit-flow.ts): routing reads nothing else of a flow.
 */
function shippedFlows(): Map<string, LoadedFlow> {
  const flows = new Map<string, LoadedFlow>();
  const dir = path.join(REPO, 'mappings');
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.flow')).sort()) {
    const { ast, issues } = parse(fs.readFileSync(path.join(dir, f), 'utf8'), f);
    expect(issues, f).toEqual([]);
    for (const flow of ast.flows) {
      const t = flow.items.find((i) => i.kind === 'EventTrigger' || i.kind === 'PollTrigger' || i.kind === 'ScheduleTrigger')!;
      const trigger = t.kind === 'EventTrigger' ? { kind: 'event', system: t.system.text, event: t.event.map((n) => n.text).join('.') } : { kind: t.kind === 'PollTrigger' ? 'poll' : 'schedule' };
      flows.set(flow.name.text, { name: flow.name.text, version: 'test', module: { meta: { trigger } } as unknown as FlowModule });
    }
  }
  return flows;
}

describe.skipIf(!HAS_PHP)(`the module pushes order.paid to flowd${HAS_PHP ? '' : ` (skipped: ${NO_PHP_MESSAGE})`}`, () => {
  let tmp: string;
  let store: SqliteStore;
  let server: HttpServer;
  let url: string;
  /** What flowd's endpoint accepted, in order, with its answer. */
  const received: { type: string; id: string; data: unknown; duplicate: boolean }[] = [];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-xcart-order-paid-'));
    store = SqliteStore.open(path.join(tmp, 'flowd.db'));
    const trigger = new XcartPushTrigger({ sink: store, flows: shippedFlows() });
    server = await startHttpServer({
      port: 0, host: '127.0.0.1', metrics: createMetrics({ processMetrics: false }), logger: createLogger({ file: path.join(tmp, 'flowd.log'), level: 'info' }),
      push: {
        secret: new Secret(SECRET, 'env', 'env XCART_PUSH_SECRET'), toleranceMs: 300_000,
        accept: async (e: PushedEvent) => { const r = await trigger.accept(e); received.push({ type: e.type, id: e.id, data: e.data, duplicate: r.duplicate }); return r; },
        reject: (raw) => trigger.reject(raw),
      },
      health: async () => ({ ok: true, checks: {} }),
      ready: () => true,
    });
    url = `${server.url}/hooks/xcart`;
  });
  afterAll(async () => { await server?.close(); await store?.close(); fs.rmSync(tmp, { recursive: true, force: true }); });

  /** The queued jobs of an order: flow and event type (read-only SQL on the store file). */
  const jobs = (orderId: number): string[] => {
    const d = openDatabase(path.join(tmp, 'flowd.db'), { readonly: true, fileMustExist: true, timeout: 5000 });
    try {
      return d.prepare<{ flow: string; event_type: string; dedupe_key: string }>('SELECT flow, event_type, dedupe_key FROM jobs WHERE entity_id = ? ORDER BY id').all(String(orderId))
        .map((r) => `${r.flow} ${r.event_type}${r.event_type === 'order.paid' ? ` ${r.dedupe_key}` : ''}`);
    } finally { d.close(); }
  };
  /** The pushes flowd received for an order; an order.paid it had already is marked (its dedupe is once per order). */
  const pushes = (orderId: number) => received.filter((r) => r.id === String(orderId)).map((r) => `${r.type}${r.type === 'order.paid' && r.duplicate ? ' (duplicate)' : ''}`);
  const run = async (scenario: string, orderId: number) => {
    const r = await php([SCENARIO, scenario, String(orderId)], { env: { ...env, CONNECT_FLOWD_URL: url } });
    expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 0, stderr: '', stdout: '' });
  };

  it('the stand-in of X-Cart passes php -l (the module files: module-files.test.ts)', async () => {
    for (const f of filesUnder(STAND_IN).filter((x) => x.endsWith('.php'))) {
      const r = await php(['-l', path.join(STAND_IN, f)]);
      expect(r.stdout, f).toContain('No syntax errors detected');
    }
  });

  it("the module's order.paid is accepted (202) and queued for OrderPaidToReceivables, once per order", async () => {
    const event = `require '${path.join(MODULE_DIR, 'src/Core/Event.php')}'; echo Connect\\Push\\Core\\Event::order('order.paid', 42, '100042', 1764669600)->body();`;
    const body = await php(['-r', event]);
    expect({ code: body.code, stderr: body.stderr }).toEqual({ code: 0, stderr: '' });
    // The body of the other order events (order.updated: signer.test.ts), with type order.paid.
    expect(body.stdout).toBe('{"type":"order.paid","id":42,"occurred_at":"2025-12-02T10:00:00Z","data":{"order_id":42,"order_number":"100042"}}');

    const sent = await php([PUSH_CLI, 'send', '--url', url, '--type', 'order.paid', '--id', '42', '--number', '100042'], { env });
    expect({ code: sent.code, stderr: sent.stderr }).toEqual({ code: 0, stderr: '' });
    const answer = JSON.parse(sent.stdout) as { status: number; body: string };
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({ accepted: true, duplicate: false, jobs: [expect.any(Number)] });
    expect(received.at(-1)).toEqual({ type: 'order.paid', id: '42', data: { order_id: 42, order_number: '100042' }, duplicate: false });
    expect(jobs(42)).toEqual(['OrderPaidToReceivables order.paid ["xcart","order.paid","42"]']);

    // Sent again (a second transition to P, or a re-send by hand): 202, a duplicate, no second job.
    const again = await php([PUSH_CLI, 'send', '--url', url, '--type', 'order.paid', '--id', '42', '--number', '100042'], { env });
    expect(JSON.parse(JSON.parse(again.stdout).body)).toMatchObject({ accepted: true, duplicate: true });
    expect(JSON.parse(again.stdout).status).toBe(202);
    expect(jobs(42)).toHaveLength(1);
  });

  it('the hooks push order.paid when the payment status becomes P, once per transition, never for A or PP', async () => {
    const PAID = (id: number) => `OrderPaidToReceivables order.paid ["xcart","order.paid","${id}"]`;
    // Placed and paid in one checkout request (Q, then P, processSucceed()): one of each event.
    await run('checkout-paid', 51);
    expect(pushes(51)).toEqual(['order.created', 'order.paid', 'order.updated']);
    expect(jobs(51)).toEqual(['OrderToSalesOrder order.created', PAID(51), 'RefundToCreditMemo order.updated']);

    // Paid before it had a number (a flush in the payment step): order.paid with the placement.
    await run('paid-before-number', 57);
    expect(pushes(57)).toEqual(['order.created', 'order.paid']);
    expect(jobs(57)).toEqual(['OrderToSalesOrder order.created', PAID(57)]);

    // Placed awaiting payment, paid by the gateway's callback later.
    await run('checkout-queued-then-callback', 52);
    expect(pushes(52)).toEqual(['order.created', 'order.updated', 'order.paid']);
    expect(jobs(52)).toContain(PAID(52));

    // Authorised, captured: paid when captured.
    await run('authorised-captured', 53);
    expect(pushes(53)).toEqual(['order.updated', 'order.paid']);

    // Partly paid is not paid: order.paid only with the rest.
    await run('partly-then-paid', 54);
    expect(pushes(54)).toEqual(['order.updated', 'order.updated', 'order.paid']);

    // Shipping a paid order, or saving P again, is no transition to P.
    await run('paid-then-shipped', 55);
    expect(pushes(55)).toEqual(['order.updated']);
    expect(jobs(55).filter((j) => j.includes('order.paid'))).toEqual([]);

    // Paid, refunded, paid again: two transitions, two pushes; flowd runs the flow once.
    await run('refunded-repaid', 56);
    expect(pushes(56)).toEqual(['order.updated', 'order.paid', 'order.updated', 'order.updated', 'order.paid (duplicate)']);
    expect(jobs(56).filter((j) => j.includes('order.paid'))).toEqual([PAID(56)]);
  });
});

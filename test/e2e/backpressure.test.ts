/**
 * Issue 9, "back-pressure": more concurrent pushes than `http.max_concurrent_pushes` allows. Some are
 * refused with 503 and Retry-After before their body is buffered; the sender (here: a client that
 * honours Retry-After, as the Connect push module does) retries them; every event that got 202 is
 * processed exactly once (one job, one run, one Sage Pro sales order) and none is lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlows, E2E, figures, waitFor, type XOrder } from './harness.js';

const LIMIT = 4;
const ORDERS = 60;
const PADDING = 'x'.repeat(64 * 1024); // each body ~64 KiB

describe('e2e: back-pressure on POST /hooks/xcart', () => {
  let env: E2E;
  let orders: XOrder[];
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildFlows(), xcartPollEvery: '1h', logLevel: 'warn' });
    // The orders exist in X-Cart before flowd runs (the sandbox's own pushes find no flowd), so the
    // only way in is the pushes below; polling waits an hour.
    orders = await env.placeOrders(ORDERS, { lines: 1, concurrency: 8 });
    const yaml = fs.readFileSync(env.configFile, 'utf8');
    fs.writeFileSync(env.configFile, yaml.replace(/^http: \{ host: 127\.0\.0\.1, port: (\d+) \}$/m, `http: { host: 127.0.0.1, port: $1, max_concurrent_pushes: ${LIMIT} }`));
    expect(fs.readFileSync(env.configFile, 'utf8')).toContain(`max_concurrent_pushes: ${LIMIT}`);
    await env.startFlowd();
  }, 180_000);
  afterAll(async () => { await env?.close(); });

  it(`${ORDERS} pushes at once past a limit of ${LIMIT}: some 503 with Retry-After, every 202 processed exactly once`, async () => {
    // The sender is its own process (as X-Cart is): it starts every push at once, its bodies arrive
    // in parts (as over a real network, not all in one loopback read), and it retries each
    // 503 after a fraction of its Retry-After (to keep the test fast), until every push got 202.
    const occurred = new Date().toISOString();
    const bodies = orders.map((o) => JSON.stringify({ type: 'order.created', id: o.id, occurred_at: occurred, data: { order_number: o.order_number, padding: PADDING } }));
    const input = path.join(env.dir, 'bodies.json');
    fs.writeFileSync(input, JSON.stringify(bodies));
    const out = await runSender(`${env.flowdUrl}/hooks/xcart`, env.pushSecret, input);
    const { firstTry503, retries, missingRetryAfter, otherStatuses, accepted } = out;
    expect(firstTry503).toBeGreaterThan(0);
    expect(otherStatuses).toEqual([]);
    expect(accepted).toBe(ORDERS);

    await waitFor('every accepted order processed', async () => (await env.tally(orders)).lost === 0 && env.openJobs('OrderToSalesOrder') === 0, 120_000, 250);
    const tally = await env.tally(orders);
    const jobs = env.storeQuery<{ entity_id: string; n: number; done: number }>("SELECT entity_id, COUNT(*) AS n, SUM(state = 'done') AS done FROM jobs WHERE flow = 'OrderToSalesOrder' GROUP BY entity_id");
    const runs = env.storeQuery<{ job_id: number; n: number }>("SELECT job_id, COUNT(*) AS n FROM runs WHERE flow = 'OrderToSalesOrder' AND outcome = 'done' GROUP BY job_id");
    figures('e2e-backpressure', { pushes: ORDERS, limit: LIMIT, refused_503_first_try: firstTry503, retries, accepted_202: accepted, processed: runs.length,
      jobs_per_order_max: Math.max(...jobs.map((j) => j.n)), sales_orders: tally.salesOrders, duplicates: tally.duplicates, lost: tally.lost });
    expect(tally).toMatchObject({ lost: 0, duplicates: 0, salesOrders: ORDERS });
    expect(jobs).toHaveLength(ORDERS);
    expect(jobs.every((j) => j.n === 1 && j.done === 1)).toBe(true);
    expect(runs).toHaveLength(ORDERS);
    expect(runs.every((r) => r.n === 1)).toBe(true);
    expect(missingRetryAfter).toBe(0);
    const metrics = await (await fetch(`${env.flowdUrl}/metrics`)).text();
    expect(metrics).toMatch(/push_rejected_total\{reason="busy"\} [1-9]/);
  }, 180_000);
});

interface SenderResult { firstTry503: number; retries: number; missingRetryAfter: number; otherStatuses: number[]; accepted: number }

/** A separate node process that signs (its own HMAC code, as the X-Cart module has) and sends every body at once. */
function runSender(url: string, secret: string, bodiesFile: string): Promise<SenderResult> {
  const script = `
    const crypto = require('node:crypto');
    const fs = require('node:fs');
    const http = require('node:http');
    const [url, secret, file] = process.argv.slice(1);
    const bodies = JSON.parse(fs.readFileSync(file, 'utf8'));
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const r = { firstTry503: 0, retries: 0, missingRetryAfter: 0, otherStatuses: [], accepted: 0 };
    const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
    // One POST whose body arrives in 4 parts 25 ms apart, as from a sender on a real network.
    const post = (body) => new Promise((resolve, reject) => {
      const ts = String(Math.floor(Date.now() / 1000));
      const sig = 'sha256=' + crypto.createHmac('sha256', secret).update(ts + '.').update(body).digest('hex');
      const buf = Buffer.from(body);
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': buf.length, 'x-connect-timestamp': ts, 'x-connect-signature': sig } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] }));
      });
      req.on('error', reject);
      (async () => {
        const part = Math.ceil(buf.length / 4);
        for (let i = 0; i < 4 && !req.destroyed; i++) { req.write(buf.subarray(i * part, (i + 1) * part)); await sleep(25); }
        req.end();
      })().catch(reject);
    });
    const send = async (body) => {
      for (let attempt = 0; attempt < 300; attempt++) {
        let res;
        try { res = await post(body); } catch (e) { r.retries++; await sleep(50); continue; }
        if (res.status === 202) { r.accepted++; return; }
        if (res.status !== 503) { r.otherStatuses.push(res.status); return; }
        if (attempt === 0) r.firstTry503++;
        r.retries++;
        if (!/^[1-9][0-9]*$/.test(res.retryAfter || '')) r.missingRetryAfter++;
        await sleep(20 + Math.random() * 80);
      }
      r.otherStatuses.push('gave up');
    };
    Promise.all(bodies.map(send)).then(() => process.stdout.write(JSON.stringify(r)));
  `;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', script, url, secret, bodiesFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => { out += c; });
    p.once('error', reject);
    p.once('close', (code) => { try { resolve(JSON.parse(out) as SenderResult); } catch { reject(new Error(`sender exited ${code}: ${out}`)); } });
  });
}

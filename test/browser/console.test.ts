/**
 * The operations console in a real Chromium (playwright-core, Debian's /usr/bin/chromium) against a
 * real flowd (the e2e harness: X-Cart sandbox over HTTP on loopback, Sage Pro sandbox through the
 * SQLite3 ODBC driver, the shipped flows, a real store file) serving dist/console/ at /console and
 * the JSON API at /api/. Users are made with `flowd user add` (a second process on the store).
 *
 * Every scenario of issue 14: log in; find an order by its X-Cart number and open its run; replay a
 * dead letter after fixing its cause and see the sales order in Sage Pro; bulk replay after a dry run;
 * edit-and-resubmit, and a second resubmit creates nothing; a viewer refused an operator action; a
 * request without the CSRF token refused. A screenshot of each main page goes to test-output/console/
 * (and to docs/console/ for the README with CONSOLE_SCREENSHOTS_TO_DOCS=1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildFlows, E2E, figures, REPO, waitFor, type XOrder } from '../e2e/harness.js';
import { hasChromium, launch, newUser } from './chromium.js';
// @ts-expect-error plain JavaScript module without types
import { buildConsole } from '../../scripts/build-console.mjs';

const OUT = path.join(REPO, 'test-output', 'console');
const DOCS = path.join(REPO, 'docs', 'console');
const FLOW = 'OrderToSalesOrder';

/** `flowd user add NAME --role ROLE --password-stdin` on the test's store. */
function addUser(env: E2E, name: string, role: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), 'user', 'add', name, '--role', role, '--password-stdin', '--config', env.configFile],
      { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    p.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    p.once('error', reject);
    p.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`flowd user add ${name}: exit ${code}: ${out}`))));
    p.stdin.end(`${password}\n`);
  });
}

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.CONSOLE_SCREENSHOTS_TO_DOCS === '1') { fs.mkdirSync(DOCS, { recursive: true }); fs.copyFileSync(file, path.join(DOCS, `${name}.png`)); }
}

async function logIn(page: Page, base: string, name: string, password: string): Promise<void> {
  await page.goto(`${base}/console/`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** fetch() from inside the page (its cookies), with or without the session's CSRF token. */
async function pagePost(page: Page, url: string, body: unknown, withCsrf: boolean): Promise<{ status: number; body: { error?: { code: string } } }> {
  return page.evaluate(async ({ url, body, withCsrf }) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (withCsrf) headers['x-csrf-token'] = ((await (await fetch('/api/me')).json()) as { csrf: string }).csrf;
    const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: r.status, body: await r.json().catch(() => ({})) };
  }, { url, body, withCsrf });
}

const suite = hasChromium() ? describe : describe.skip;
if (!hasChromium()) console.warn('test/browser: skipped, /usr/bin/chromium is missing (apt-get install chromium)');

suite('browser: the operations console', () => {
  let env: E2E;
  let browser: Browser;
  let ops: Page;
  let base: string;
  const passwords = { ops: 'ops-pass-4f9c1', viewer: 'viewer-pass-8a2d7', admin: 'admin-pass-3e6b0' };
  let good: XOrder[] = [];

  beforeAll(async () => {
    const t0 = Date.now();
    const lap = (what: string) => console.log(`browser setup: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!buildConsole({ quiet: true })) throw new Error('the console did not build (node scripts/build-console.mjs)');
    const flowsDir = buildFlows({ fastRetry: true });
    lap('flows built');
    env = await E2E.start({ flowsDir });
    await env.startFlowd();
    base = env.flowdUrl;
    lap('flowd started');
    // The first user from the command line; the admin makes the others in the console (Users page).
    [browser, good] = await Promise.all([launch(), env.placeOrders(3), addUser(env, 'admin', 'admin', passwords.admin)]);
    lap('admin added, browser launched, 3 orders placed');
    ops = (await newUser(browser)).page;
    ops.on('pageerror', (e) => console.log(`browser: page error: ${e.message}`));
    ops.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) console.log(`browser: console error: ${m.text()}`); });
    await waitFor('the first orders in Sage Pro', async () => (await env.tally(good)).lost === 0, 45_000);
    lap('orders in Sage Pro');
  }, 180_000);
  afterAll(async () => { await browser?.close().catch(() => undefined); await env?.close(); });
  // A failed scenario leaves the operator's page as it was: test-output/console/failed-<n>.png.
  let n = 0;
  afterEach(async (ctx) => {
    n++;
    if (ctx.task.result?.state === 'fail' && ops) await ops.screenshot({ path: path.join(OUT, `failed-${n}.png`), fullPage: true }).catch(() => undefined);
  });

  it('an admin adds the operator and the viewer in the Users page', async () => {
    const a = (await newUser(browser)).page;
    await logIn(a, base, 'admin', passwords.admin);
    await a.goto(`${base}/console/#/users`);
    const users = a.getByRole('table', { name: 'Users' });
    await users.getByText('admin', { exact: true }).first().waitFor();
    for (const [name, role] of [['ops', 'operator'], ['viewer', 'viewer']] as const) {
      await a.getByLabel('Name', { exact: true }).fill(name);
      await a.getByLabel('Password', { exact: true }).fill(passwords[name]);
      await a.getByLabel('Role', { exact: true }).selectOption(role);
      await a.getByRole('button', { name: 'Add user' }).click();
      await a.getByRole('status').filter({ hasText: `User ${name} added` }).waitFor();
      await users.getByRole('cell', { name, exact: true }).first().waitFor();
    }
    await shot(a, 'users');
    await a.context().close();
  });

  it('nobody sees anything without logging in; an operator logs in and sees the overview', async () => {
    const r = await fetch(`${base}/api/overview`);
    expect(r.status).toBe(401);
    await ops.goto(`${base}/console/`);
    await ops.getByLabel('User name').waitFor();
    await shot(ops, 'login');
    await ops.getByLabel('User name').fill('ops');
    await ops.getByLabel('Password').fill('wrong password');
    await ops.getByRole('button', { name: 'Log in' }).click();
    await ops.getByRole('alert').waitFor();
    await logIn(ops, base, 'ops', passwords.ops);
    const flow = ops.getByRole('article', { name: `Flow ${FLOW}` });
    await expect.poll(async () => flow.textContent()).toMatch(/\d+ done/);
    await ops.getByRole('article', { name: 'Connection sagepro' }).waitFor();
    await ops.getByText('● live').waitFor();
    // Live: a new order's run shows up through /api/stream, without reloading the page.
    const runsNow = async () => Number(/(\d+) runs/.exec((await flow.textContent()) ?? '')?.[1]);
    const before = await runsNow();
    await ops.evaluate(() => { (window as unknown as { notReloaded: boolean }).notReloaded = true; });
    good.push(await env.placeOrder({ email: 'pepper@stark.example', payment_status: 'P', items: [{ sku: 'MOUSE-WL', amount: 1 }] }));
    await expect.poll(runsNow, { timeout: 20_000 }).toBeGreaterThan(before);
    expect(await ops.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await shot(ops, 'overview');
  });

  it('finds an order by its X-Cart number and opens its run', async () => {
    const order = good[1]!;
    await ops.goto(`${base}/console/#/runs`);
    await ops.getByLabel('Business key').fill(String(order.order_number));
    await ops.getByLabel('Flow').selectOption(FLOW);
    await ops.getByRole('button', { name: 'Search' }).click();
    const rows = ops.getByRole('table', { name: 'Runs' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    expect(await rows.first().textContent()).toContain(String(order.order_number));
    await shot(ops, 'runs');
    await rows.first().getByRole('link').first().click();
    await ops.getByRole('heading', { name: 'Writes made' }).waitFor();
    const page = await ops.locator('main').textContent();
    expect(page).toContain('sagepro.sales_orders.create');
    expect(page).toContain('order.created');
    expect(page).toContain('Flow version');
    await ops.getByText('sagepro.sales_orders.create').click(); // open the write: its arguments and result
    await ops.getByRole('heading', { name: 'Arguments' }).waitFor();
    await shot(ops, 'run');
  });

  it('replays a dead letter after its cause is fixed: the sales order appears in Sage Pro', async () => {
    const order = await env.placeOrder({ email: 'pepper@stark.example', payment_status: 'P', items: [{ sku: 'WIDGET-200', amount: 2 }, { sku: 'POSTER-LTD', amount: 1 }] });
    const dl = await waitFor('the dead letter', async () => (await env.deadLetters(FLOW)).find((d) => d.entityId === String(order.id)), 30_000);
    await ops.goto(`${base}/console/#/dead-letters`);
    await ops.getByRole('table', { name: 'Dead-letter groups' }).getByText("unknown item 'POSTER-LTD'", { exact: false }).waitFor();
    await ops.getByRole('link', { name: `#${dl.id}`, exact: true }).click();
    await ops.getByRole('heading', { name: 'Attempts' }).waitFor();
    expect(await ops.locator('pre.source').count()).toBeGreaterThan(0); // the .flow lines around the site
    await env.addItem('POSTER-LTD', 'Limited edition poster', 24, 10);
    await ops.getByRole('button', { name: 'Replay', exact: true }).click();
    await ops.getByRole('status').filter({ hasText: 'Replayed as job' }).waitFor();
    await waitFor(`sales order XC-${order.id}`, async () => (await env.countSalesOrders(`XC-${order.id}`)) === 1, 30_000);
  });

  it('bulk replay: a dry run says how many, the confirmed replay runs them', async () => {
    // GIFT-CARD-50: in the X-Cart store, not in Sage Pro (runtime/sandbox/xcart/seed.ts).
    const lamps = await Promise.all([0, 1].map(() => env.placeOrder({ email: 'pepper@stark.example', payment_status: 'P', items: [{ sku: 'GIFT-CARD-50', amount: 1 }] })));
    await waitFor('two GIFT-CARD-50 dead letters', async () => (await env.deadLetters(FLOW)).filter((d) => lamps.some((o) => d.entityId === String(o.id))).length === 2, 30_000);
    await ops.goto(`${base}/console/#/dead-letters`);
    await ops.getByRole('link', { name: /unknown item 'GIFT-CARD-50'/ }).click();
    await expect.poll(() => ops.getByRole('table', { name: 'Dead letters' }).locator('tbody tr').count()).toBe(2);
    await shot(ops, 'dead-letters');
    await env.addItem('GIFT-CARD-50', 'Gift card 50', 50, 100);
    await ops.getByRole('button', { name: 'Dry run: replay all that match' }).click();
    await ops.getByRole('status').filter({ hasText: 'Dry run: 2 dead letters would be replayed' }).waitFor();
    expect(await Promise.all(lamps.map((o) => env.countSalesOrders(`XC-${o.id}`)))).toEqual([0, 0]); // a dry run replays nothing
    await ops.getByRole('button', { name: 'Replay 2 dead letters' }).click();
    await ops.getByRole('status').filter({ hasText: 'Replayed 2 dead letters' }).waitFor();
    await waitFor('both gift card sales orders', async () => (await Promise.all(lamps.map((o) => env.countSalesOrders(`XC-${o.id}`)))).every((n) => n === 1), 30_000);
  });

  it('edit-and-resubmit shows a diff; a second resubmit creates nothing', async () => {
    // The cause: Sage Pro lacks the item (removed here, put back before the resubmit).
    const sku = 'WEBCAM-4K';
    const [item] = await env.sql<{ ITMDESC: string; PRICE: number }>(`SELECT ITMDESC, PRICE FROM ${env.table('ICITEM')} WHERE RTRIM(ITEM) = ?`, [sku]);
    for (const t of ['ICILOC', 'ICITEM']) await env.sql(`DELETE FROM ${env.table(t)} WHERE RTRIM(ITEM) = ?`, [sku]);
    const order = await env.placeOrder({ email: 'pepper@stark.example', payment_status: 'P', items: [{ sku, amount: 1 }] });
    const dl = await waitFor(`the ${sku} dead letter`, async () => (await env.deadLetters(FLOW)).find((d) => d.entityId === String(order.id)), 30_000);
    await env.addItem(sku, item!.ITMDESC.trim(), Number(item!.PRICE), 10);
    await ops.goto(`${base}/console/#/dead-letters/${dl.id}`);
    const editor = ops.getByLabel(/Event payload \(JSON\)/);
    await editor.waitFor();
    const original = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    await editor.fill('{ not json');
    await ops.getByText('Not valid JSON').waitFor();
    expect(await ops.getByRole('button', { name: 'Resubmit' }).isDisabled()).toBe(true);
    const edited = { ...original, order_number: String(order.order_number), note: `resubmitted after adding ${sku} to Sage Pro` };
    await editor.fill(JSON.stringify(edited, null, 2));
    const diff = ops.getByRole('table', { name: 'Changes against the original payload' });
    await diff.getByText('note', { exact: true }).waitFor();
    await shot(ops, 'dead-letter');
    const resubmit = async (previous?: number): Promise<number> => {
      await ops.getByRole('button', { name: 'Resubmit' }).click();
      // The message names the new job (a second resubmit's message differs from the first's).
      const status = ops.getByRole('status').filter({ hasText: new RegExp(`Resubmitted as job ${previous === undefined ? '' : `(?!${previous}\\b)`}\\d+`) });
      await status.waitFor();
      const job = Number(/job (\d+)/.exec((await status.textContent()) ?? '')![1]);
      await waitFor(`resubmitted job ${job} finished`, async () => (await env.runs(FLOW)).find((r) => r.jobId === job), 30_000);
      return job;
    };
    const first = await resubmit();
    expect(await env.countSalesOrders(`XC-${order.id}`)).toBe(1);
    expect((await env.runs(FLOW)).find((r) => r.jobId === first)!.outcome).toBe('done');
    // Again: the same idempotency key, so the second run writes nothing and ends `duplicate`.
    const second = await resubmit(first);
    expect(second).not.toBe(first);
    const run = (await env.runs(FLOW)).find((r) => r.jobId === second)!;
    expect(run.outcome).toBe('duplicate');
    const n = await env.countSalesOrders(`XC-${order.id}`);
    expect(n).toBe(1);
    figures('browser-resubmit', { resubmits: 2, sales_orders: n, second_outcome: run.outcome });
  });

  it('discards a dead letter with a reason; it leaves the queue and writes nothing', async () => {
    const sku = 'DOCK-USB4';
    for (const t of ['ICILOC', 'ICITEM']) await env.sql(`DELETE FROM ${env.table(t)} WHERE RTRIM(ITEM) = ?`, [sku]);
    const order = await env.placeOrder({ email: 'pepper@stark.example', payment_status: 'P', items: [{ sku, amount: 1 }] });
    const dl = await waitFor(`the ${sku} dead letter`, async () => (await env.deadLetters(FLOW)).find((d) => d.entityId === String(order.id)), 30_000);
    await ops.goto(`${base}/console/#/dead-letters/${dl.id}`);
    await ops.getByLabel('Reason for discarding').fill('test order, placed by mistake');
    await ops.getByRole('button', { name: 'Discard' }).click();
    await ops.getByRole('status').filter({ hasText: 'Discarded.' }).waitFor();
    await ops.getByText('discarded: test order, placed by mistake').waitFor();
    expect(await ops.getByRole('button', { name: /Replay|Resubmit|Discard/ }).count()).toBe(0);
    expect((await env.deadLetters(FLOW)).find((d) => d.id === dl.id)).toBeUndefined();
    expect(await env.countSalesOrders(`XC-${order.id}`)).toBe(0);
  });

  it('re-syncs an X-Cart order by number, idempotently', async () => {
    const order = good[0]!;
    await ops.goto(`${base}/console/#/resync`);
    await ops.getByLabel('X-Cart order number').fill(String(order.order_number));
    await ops.getByRole('button', { name: 'Re-sync' }).click();
    await ops.getByRole('status').filter({ hasText: /queued/ }).waitFor();
    await shot(ops, 'resync');
    await waitFor('the re-sync finished', () => env.openJobs(FLOW) === 0, 30_000);
    expect(await env.countSalesOrders(`XC-${order.id}`)).toBe(1);
  });

  it('shows the flows as graphs and the audit log of the actions', async () => {
    await ops.goto(`${base}/console/#/flows/${FLOW}`);
    await ops.locator('.react-flow__node').first().waitFor();
    const steps = ops.getByRole('table', { name: `Steps of ${FLOW}, last 24 hours` });
    await expect.poll(() => steps.locator('tbody tr').count()).toBeGreaterThan(2);
    await shot(ops, 'flows');
    await ops.goto(`${base}/console/#/audit`);
    const audit = ops.getByRole('table', { name: 'Audit log' });
    await audit.waitFor();
    const text = await audit.textContent();
    expect(text).toContain('ops');
    expect(text).toMatch(/replay/);
    expect(text).toMatch(/resubmit/);
    await shot(ops, 'audit');
  });

  it('a viewer sees no operator buttons and is refused an operator action by the server', async () => {
    const v = (await newUser(browser)).page;
    await logIn(v, base, 'viewer', passwords.viewer);
    await v.goto(`${base}/console/#/dead-letters`);
    await v.getByRole('heading', { name: 'Dead letters' }).waitFor();
    await v.getByRole('heading', { name: 'By flow and reason' }).waitFor();
    expect(await v.getByRole('button', { name: /Replay|Dry run/ }).count()).toBe(0);
    expect(await v.getByRole('link', { name: 'Re-sync' }).count()).toBe(0);
    const r = await pagePost(v, '/api/resync/order', { number: String(good[0]!.order_number) }, true);
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('forbidden');
    await v.context().close();
  });

  it('a change without the CSRF token is refused', async () => {
    const r = await pagePost(ops, '/api/resync/order', { number: String(good[0]!.order_number) }, false);
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('csrf');
    const ok = await pagePost(ops, '/api/resync/order', { number: String(good[0]!.order_number) }, true);
    expect(ok.status).toBe(200);
  });
});

/**
 * The designer's flow graph (issue 16) in a real Chromium (playwright-core, Debian's /usr/bin/chromium)
 * against a real flowd (the e2e harness: X-Cart sandbox on loopback, Sage Pro sandbox through the
 * SQLite3 ODBC driver, a real store file) whose designer folder (`console.designer_dir`) is a temp copy
 * of mappings/. Kept short: one flow is compiled and deployed (the designer lists and edits them all).
 *
 * Add a fetch from the palette and see the exact .flow diff; type a change in the text pane and see
 * the graph change; move a node and see the .flow bytes unchanged and the sidecar written; save and see
 * `node bin/flowc.js check <saved file>` pass; a save over a file changed on disk is refused (409);
 * in the properties panel, edit a let's expression, a skip's reason, a retry policy and the trigger's interval and see
 * the exact .flow diff each time.
 * The graph page's screenshot goes to test-output/console/designer-graph.png (and docs/console/ with
 * CONSOLE_SCREENSHOTS_TO_DOCS=1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { create as createDesignerBackend } from '../../compiler/designer-backend.js';
import { loadConfig } from '../../runtime/config/config.js';
import { hashPassword } from '../../runtime/console/auth.js';
import { createLogger } from '../../runtime/observability/logger.js';
import { startService } from '../../runtime/service.js';
import { E2E, REPO, waitFor } from '../e2e/harness.js';
import { hasChromium, launch, newUser } from './chromium.js';
// @ts-expect-error plain JavaScript module without types
import { buildConsole } from '../../scripts/build-console.mjs';

const OUT = path.join(REPO, 'test-output', 'console');
const DOCS = path.join(REPO, 'docs', 'console');
const FILE = 'inventory-to-xcart.flow';
const PASSWORD = 'designer-admin-pass-1';

const suite = hasChromium() ? describe : describe.skip;
if (!hasChromium()) console.warn('test/browser: skipped, /usr/bin/chromium is missing (apt-get install chromium)');

suite('browser: the designer flow graph', () => {
  let tmp: string;
  let root: string;
  let env: E2E;
  let browser: Browser;
  let page: Page;
  const flowPath = () => path.join(root, FILE);

  beforeAll(async () => {
    const t0 = Date.now();
    const lap = (what: string) => console.log(`designer setup: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!buildConsole({ quiet: true })) throw new Error('the console did not build (node scripts/build-console.mjs)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-designer-'));
    root = path.join(tmp, 'mappings');
    fs.cpSync(path.join(REPO, 'mappings'), root, { recursive: true, filter: (p) => !p.includes(`${path.sep}tests`) });
    const p = createProgram([flowPath()], { schemasDir: path.join(root, 'schemas'), lookupsDir: path.join(root, 'lookups'), displayBase: root });
    if (p.hasErrors) throw new Error(p.diagnostics.map((d) => d.message).join('; '));
    writeBuild(buildProgram(p, { typeCheck: false }), path.join(tmp, 'flows'));
    env = await E2E.start({ flowsDir: path.join(tmp, 'flows') });
    fs.appendFileSync(env.configFile, `console: { designer_dir: ${JSON.stringify(root)} }\n`);
    const config = loadConfig(env.configFile);
    env.svc = await startService(config, { logger: createLogger({ level: 'warn', file: path.join(env.dir, 'flowd.log'), name: 'flowd' }), designer: createDesignerBackend() });
    await env.svc.store.console.createUser({ name: 'dana', role: 'admin', passwordHash: await hashPassword(PASSWORD) });
    lap('flowd started');
    browser = await launch();
    page = (await newUser(browser)).page;
    page.on('pageerror', (e) => console.log(`browser: page error: ${e.message}`));
    await page.goto(`${env.flowdUrl}/console/`);
    await page.getByLabel('User name').fill('dana');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    lap('logged in');
  }, 120_000);
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await env?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  let n = 0;
  afterEach(async (ctx) => {
    n++;
    if (ctx.task.result?.state === 'fail' && page) { fs.mkdirSync(OUT, { recursive: true }); await page.screenshot({ path: path.join(OUT, `designer-failed-${n}.png`), fullPage: true }).catch(() => undefined); }
  });

  const node = (key: string) => page.locator(`.react-flow__node[data-key="${key}"]`);
  const textArea = () => page.getByLabel('Flow text');

  async function open(): Promise<void> {
    await page.goto(`${env.flowdUrl}/console/#/designer?file=${encodeURIComponent(FILE)}`);
    await node('lookup:product').waitFor();
    // every step of the list is drawn: the trigger, 10 statements, 2 policies
    const steps = page.getByRole('navigation', { name: 'Steps' }).getByRole('button');
    expect(await steps.count()).toBe(13);
    await expect.poll(async () => page.locator('.react-flow__node').evaluateAll((ns) => ns.filter((n) => getComputedStyle(n).visibility !== 'hidden').length)).toBe(13);
  }

  it('adds a fetch from the palette: the .flow text gains exactly that step, the graph its node', async () => {
    await open();
    const before = await textArea().inputValue();
    expect(before).toBe(fs.readFileSync(flowPath(), 'utf8'));
    await node('lookup:product').click();
    await page.getByRole('radio', { name: 'fetch' }).click();
    await page.getByLabel('Name').fill('item');
    await page.getByLabel('Operation').selectOption('sagepro.inventory.item');
    await page.getByLabel(/^item \(/).fill('trim(event.data.item)');
    await page.getByRole('button', { name: /^Add fetch/ }).click();
    await node('fetch:item').waitFor();
    const after = await textArea().inputValue();
    const line = '  fetch item: sagepro.InventoryItem? = sagepro.inventory.item(item: trim(event.data.item))\n';
    const anchor = '  lookup product: xcart.Product? = xcart.products.find_by_sku(sku: sku)\n';
    expect(after).toBe(before.replace(anchor, anchor + line));
    // the changed line is highlighted and announced
    const changedAt = after.split('\n').indexOf(line.slice(0, -1)) + 1;
    await page.locator(`.gutter .ln.changed[data-line="${changedAt}"]`).waitFor();
    await page.getByRole('status').filter({ hasText: `line ${changedAt}` }).first().waitFor();
    // nothing is on disk until Save
    expect(fs.readFileSync(flowPath(), 'utf8')).toBe(before);
    fs.mkdirSync(OUT, { recursive: true });
    const shot = path.join(OUT, 'designer-graph.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.CONSOLE_SCREENSHOTS_TO_DOCS === '1') { fs.mkdirSync(DOCS, { recursive: true }); fs.copyFileSync(shot, path.join(DOCS, 'designer-graph.png')); }
  });

  it('typing in the text pane changes the graph', async () => {
    const text = await textArea().inputValue();
    const anchor = '  let available = max(0, floor(event.data.available ?? 0))\n';
    const at = text.indexOf(anchor) + anchor.length;
    await textArea().focus();
    await textArea().evaluate((t: HTMLTextAreaElement, at: number) => t.setSelectionRange(at, at), at);
    await page.keyboard.type('  let spare = available + 1\n');
    await node('let:spare').waitFor();
    expect(await node('let:spare').textContent()).toContain('spare');
  });

  it('moving a node writes the sidecar and leaves the .flow bytes as they were', async () => {
    const bytes = fs.readFileSync(flowPath());
    // chosen in the steps list, the step is brought into view (a long flow is panned, not shrunk)
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /^table web_warehouse/ }).click();
    await expect.poll(async () => node('table:web_warehouse').evaluate((el) => {
      const r = el.getBoundingClientRect(); const g = el.closest('.dgraph')!.getBoundingClientRect();
      return r.left >= g.left && r.right <= g.right && r.top >= g.top && r.bottom <= g.bottom;
    })).toBe(true);
    const box = (await node('table:web_warehouse').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 90, { steps: 8 });
    await page.mouse.up();
    const sidecar = `${flowPath()}.layout.json`;
    await waitFor('the sidecar', () => fs.existsSync(sidecar) && JSON.parse(fs.readFileSync(sidecar, 'utf8')).positions['table:web_warehouse'], 10_000);
    const layout = JSON.parse(fs.readFileSync(sidecar, 'utf8'));
    expect(layout.version).toBe(1);
    expect(Object.keys(layout.positions)).toEqual(['table:web_warehouse']);
    expect(fs.readFileSync(flowPath()).equals(bytes)).toBe(true);
    await page.getByRole('status').filter({ hasText: 'Layout saved' }).waitFor();
  });

  it('Save writes the .flow and `flowc check` passes on the saved file', async () => {
    const text = await textArea().inputValue();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: `Saved ${FILE}` }).waitFor();
    expect(fs.readFileSync(flowPath(), 'utf8')).toBe(text);
    const check = spawnSync(process.execPath, [path.join(REPO, 'bin/flowc.js'), 'check', flowPath()], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });

  it('a save over a file changed on disk since it was opened is refused (409) and the file is left alone', async () => {
    const theirs = fs.readFileSync(flowPath(), 'utf8').replace('on every 5m poll', 'on every 15m poll');
    fs.writeFileSync(flowPath(), theirs);
    const text = await textArea().inputValue();
    await textArea().focus();
    await textArea().evaluate((t: HTMLTextAreaElement, at: number) => t.setSelectionRange(at, at), text.length);
    await page.keyboard.type('// mine\n');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'Not saved' }).textContent()).toContain('changed on disk');
    expect(fs.readFileSync(flowPath(), 'utf8')).toBe(theirs);
  });

  // The properties panel edits a step's own fields, a policy and the trigger: each Apply is one
  // visual edit, and the text changes by exactly that (the rest of the text as the editor has it).
  const props = () => page.getByRole('region', { name: /^Properties/ });
  const choose = (name: RegExp) => page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name }).click();
  async function edited(before: string, from: string, to: string): Promise<string> {
    expect(before.split(from).length, `'${from}' occurs once`).toBe(2);
    const want = before.replace(from, () => to);
    await expect.poll(() => textArea().inputValue()).toBe(want);
    const line = want.slice(0, want.indexOf(to)).split('\n').length;
    await page.locator(`.gutter .ln.changed[data-line="${line}"]`).waitFor();
    return want;
  }

  it("edits a let's expression in the properties panel: the .flow text changes by exactly that expression", async () => {
    const before = await textArea().inputValue();
    await choose(/^let available/);
    const input = props().getByLabel('Expression', { exact: true });
    expect(await input.inputValue()).toBe('max(0, floor(event.data.available ?? 0))');
    await input.fill('max(0, floor(event.data.available ?? 0) - 1)');
    await props().getByRole('button', { name: 'Apply Expression' }).click();
    await edited(before, '  let available = max(0, floor(event.data.available ?? 0))\n', '  let available = max(0, floor(event.data.available ?? 0) - 1)\n');
    await expect.poll(async () => node('let:available').textContent()).toContain('- 1)');
    await page.getByRole('status').filter({ hasText: 'set expr of let:available: 1 line of the text changed' }).waitFor();
  });

  it("edits a skip's reason in the panel: the text gains exactly the new string, and the panel stays on the skip (its key changed)", async () => {
    const before = await textArea().inputValue();
    await choose(/skip when product == null && variant == null/);
    const reason = props().getByLabel('Reason', { exact: true });
    await reason.fill('not in the "store"');
    await props().getByRole('button', { name: 'Apply Reason' }).click();
    await edited(before, 'because "the item is not sold in the store (no X-Cart product or variant has this SKU)"\n', 'because "not in the \\"store\\""\n');
    await expect.poll(() => props().getByLabel('Reason', { exact: true }).inputValue()).toBe('not in the "store"');
  });

  it('changes a retry policy in the properties panel: only the retry budget changes, its backoff kept', async () => {
    const before = await textArea().inputValue();
    await choose(/^on transient retry/);
    const retry = props().getByLabel(/^Retry/);
    expect(await retry.inputValue()).toBe('24h');
    expect(await props().getByLabel('Backoff').inputValue()).toBe('exponential 2s..5m');
    await retry.fill('6h');
    await props().getByRole('button', { name: 'Set policy' }).click();
    await edited(before, '  on transient retry for 24h backoff exponential 2s..5m then dead_letter\n', '  on transient retry for 6h backoff exponential 2s..5m then dead_letter\n');
  });

  it("changes the trigger's interval in the properties panel: only the interval changes", async () => {
    const before = await textArea().inputValue();
    await choose(/^on every 5m poll/);
    await props().getByLabel('Interval').fill('10m');
    await props().getByRole('button', { name: 'Set interval' }).click();
    await edited(before, '  on every 5m poll sagepro.InventoryLevel changed key item, location\n', '  on every 10m poll sagepro.InventoryLevel changed key item, location\n');
    await expect.poll(async () => node('trigger').textContent()).toContain('every 10m poll');
  });
});

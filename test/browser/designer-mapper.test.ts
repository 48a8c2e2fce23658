/**
 * The designer's field mapper (#/designer/map) in a real Chromium (playwright-core, Debian's
 * /usr/bin/chromium) against a real flowd (the e2e harness: both sandboxes, a store file) whose
 * designer root is a temp copy of mappings/ beside connect.yaml, with a generated 500-column Sage Pro
 * entity (schemas/sagepro/WideRecord.yaml) and a flow mapping into it (wide.flow).
 *
 * Issue 16's mapper scenarios: drag a source field onto a target and see the exact .flow diff (and
 * save it); make a FLOW3005 by editing an expression (with completion) and fix it with the offered
 * quick fix; the preview shows write records, and a failed expectation after a breaking edit; search
 * narrows both trees; the 500-field entity scrolls (only the rows in view are in the page) and maps.
 */
import { create as createDesignerBackend } from '../../compiler/designer-backend.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { hashPassword } from '../../runtime/console/auth.js';
import { E2E, REPO } from '../e2e/harness.js';
import { hasChromium, launch, newUser } from './chromium.js';
// @ts-expect-error plain JavaScript module without types
import { buildConsole } from '../../scripts/build-console.mjs';

const OUT = path.join(REPO, 'test-output', 'console');
const DOCS = path.join(REPO, 'docs', 'console');
const FILE = 'order-to-sales-order.flow';
const PASSWORD = 'mapper-admin-pass-7c1';

/** A generated Sage Pro entity of 500 columns: C(4), C(10), C(20), C(35) in turn; f001 required. */
function wideSchema(): string {
  const out = ['$schema: https://json-schema.org/draft/2020-12/schema', '$id: https://connect.dev/schemas/sagepro/WideRecord', 'title: WideRecord',
    'description: A generated record of 500 columns (test/browser/designer-mapper.test.ts).', 'type: object', 'x-sagepro: { table: WIDEREC, key: [F001] }', 'required: [f001]', 'properties:'];
  for (let i = 1; i <= 500; i++) {
    const n = String(i).padStart(3, '0'), w = [4, 10, 20, 35][i % 4];
    out.push(`  f${n}:`, '    type: string', `    maxLength: ${w}`, `    description: Generated column ${i}.`, `    x-sagepro: { table: WIDEREC, column: F${n}, type: "C(${w})" }`);
  }
  return `${out.join('\n')}\n`;
}
const WIDE_FLOW = 'flow Wide "an X-Cart order into a record of 500 columns"\n  on xcart.order.created\n  fetch order: xcart.Order = xcart.orders.get(event.data.order_id)\n  map order -> rec: sagepro.WideRecord {\n    f001 = truncate(order.email, 10)\n  }\n';

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `${name}.png`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.screenshot({ path: file });
  if (size) await page.setViewportSize(size);
  if (process.env.CONSOLE_SCREENSHOTS_TO_DOCS === '1') { fs.mkdirSync(DOCS, { recursive: true }); fs.copyFileSync(file, path.join(DOCS, `${name}.png`)); }
}

const suite = hasChromium() ? describe : describe.skip;
if (!hasChromium()) console.warn('test/browser: skipped, /usr/bin/chromium is missing (apt-get install chromium)');

suite('browser: the designer field mapper', () => {
  let env: E2E;
  let browser: Browser;
  let page: Page;
  let root: string;
  let original: string;
  const flowPath = () => path.join(root, FILE);

  beforeAll(async () => {
    const t0 = Date.now();
    if (!buildConsole({ quiet: true })) throw new Error('the console did not build (node scripts/build-console.mjs)');
    // flowd runs one small flow; the mapper works on the .flow sources of its designer root.
    build = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-mapper-'));
    const program = createProgram([path.join(REPO, 'mappings', 'inventory-to-xcart.flow')], { schemasDir: path.join(REPO, 'mappings', 'schemas'), lookupsDir: path.join(REPO, 'mappings', 'lookups'), displayBase: path.join(REPO, 'mappings') });
    writeBuild(buildProgram(program, { typeCheck: false }), path.join(build, 'flows'));
    env = await E2E.start({ flowsDir: path.join(build, 'flows') });
    root = path.join(env.dir, 'mappings');
    fs.cpSync(path.join(REPO, 'mappings'), root, { recursive: true });
    fs.writeFileSync(path.join(root, 'schemas', 'sagepro', 'WideRecord.yaml'), wideSchema());
    fs.writeFileSync(path.join(root, 'wide.flow'), WIDE_FLOW);
    original = fs.readFileSync(flowPath(), 'utf8');
    await env.startFlowd({ designer: createDesignerBackend() }); // the designer's core, as bin/flowd.js gives it
    await env.store.console.createUser({ name: 'ada', role: 'admin', passwordHash: await hashPassword(PASSWORD, { N: 1024 }) });
    browser = await launch();
    page = (await newUser(browser)).page;
    page.on('pageerror', (e) => console.log(`browser: page error: ${e.message}`));
    // Each scenario starts from the file on disk: leaving a page with unsaved edits asks first (beforeunload); yes.
    page.on('dialog', (d) => { if (d.type() === 'beforeunload') void d.accept(); else void d.dismiss(); });
    await page.goto(`${env.flowdUrl}/console/`);
    await page.getByLabel('User name').fill('ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    console.log(`browser-mapper setup: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }, 120_000);
  let build = '';
  afterAll(async () => { await browser?.close().catch(() => undefined); await env?.close(); if (build) fs.rmSync(build, { recursive: true, force: true }); });
  let n = 0;
  afterEach(async (ctx) => {
    n++;
    if (ctx.task.result?.state === 'fail' && page) await page.screenshot({ path: path.join(OUT, `mapper-failed-${n}.png`), fullPage: true }).catch(() => undefined);
  });

  const src = (p: string) => page.locator(`.mapper-tree.source [data-path="${p}"]`);
  const tgt = (p: string) => page.locator(`.mapper-tree.target [data-path="${p}"]`);
  const textPane = () => page.getByLabel(/^Text of map /);
  async function open(file = FILE, map = 'so'): Promise<void> {
    await page.goto(`${env.flowdUrl}/console/#/designer/map?file=${encodeURIComponent(file)}&map=${map}`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: new RegExp(`Map ${map}`) }).waitFor();
  }
  it('drag a source field onto a target field: exactly one line added to the .flow, shown in the text pane; save writes it and flowc check passes', async () => {
    const t0 = Date.now();
    const lap = (w: string) => console.log(`mapper drag: ${w} at ${Date.now() - t0} ms`);
    await open();
    lap('open');
    await page.getByLabel('Search the source fields').fill('currency');
    await page.getByLabel('Search the target fields').fill('salesperson');
    await src('order.currency').dragTo(tgt('salesperson'));
    await page.getByRole('status').filter({ hasText: 'Mapped order.currency to salesperson.' }).waitFor();
    lap('mapped');
    await textPane().getByText('salesperson = order.currency').waitFor();
    await expect.poll(() => tgt('salesperson').getAttribute('class')).toMatch(/mapped/);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: `Saved ${FILE}.` }).waitFor();
    const saved = fs.readFileSync(flowPath(), 'utf8');
    // The exact diff: after ship_to's closing line, one line in the block's indentation; nothing else changed.
    const anchor = '      country  = truncate(ship?.country_code ?? "", 15)\n    }';
    const at = original.indexOf(anchor) + anchor.length;
    expect(saved).toBe(`${original.slice(0, at)}\n    salesperson = order.currency${original.slice(at)}`);
    lap('saved');
    // What `flowc check` checks, in process (bin/flowc.js would compile the compiler first in a worktree without dist/).
    const checked = createProgram([flowPath()], { schemasDir: path.join(root, 'schemas'), lookupsDir: path.join(root, 'lookups'), displayBase: root });
    expect(checked.diagnostics.filter((d) => d.category === 'error').map((d) => d.message)).toEqual([]);
    lap('checked');
    // The picture for the README: both trees whole, the lines, the new line highlighted in the text.
    await page.getByLabel('Search the source fields').fill('');
    await page.getByLabel('Search the target fields').fill('');
    await shot(page, 'designer-mapper');
    lap('shot');
    fs.writeFileSync(flowPath(), original);
  });

  it('an expression edited with completion makes a FLOW3005; the offered quick fix wraps it in truncate(value, 50) and the text is as before', async () => {
    await open();
    // Lines cross: the click goes to this line's own path (what a user aims at where it is apart from the others).
    await page.locator('.mapper-lines g.line[data-target="lines[].description"] path.hit').first().dispatchEvent('click');
    const input = page.getByLabel('lines[].description =');
    await expect.poll(() => input.inputValue()).toBe('truncate(item.name, 50)');
    await input.fill('');
    await input.pressSequentially('item.na');
    const list = page.getByRole('listbox', { name: 'Completions' });
    await list.getByRole('option', { name: /^name\b/ }).waitFor();
    await input.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('item.name');
    await page.getByRole('button', { name: 'Apply' }).click();
    const problem = page.locator('.mapper-problems li').filter({ hasText: 'FLOW3005' });
    await problem.waitFor();
    expect(await problem.textContent()).toContain("Field 'description' is stored in SOTRAN.DESCRIP of width 50");
    // "Show" scrolls the target tree to the field the problem is about, marked there too.
    await problem.getByRole('button', { name: /^Show FLOW3005 at line \d+$/ }).click();
    await expect.poll(() => tgt('lines[].description').getAttribute('aria-label')).toMatch(/FLOW3005/);
    await textPane().getByText(/description = item\.name$/).waitFor();
    await problem.getByRole('button', { name: 'Wrap in truncate(value, 50)' }).click();
    await page.getByRole('status').filter({ hasText: 'Applied the quick fix.' }).waitFor();
    await expect.poll(() => page.locator('.mapper-problems li').filter({ hasText: 'FLOW3005' }).count()).toBe(0);
    await textPane().getByText('description = truncate(item.name, 50)').waitFor();
    // The page's text is byte-identical to the file again (the fix restored the expression exactly): nothing to save.
    await page.locator('.mapper .actions').getByText('Saved', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    expect(fs.readFileSync(flowPath(), 'utf8')).toBe(original);
  });

  it('the preview runs the fixtures: write records shown, and a failed expectation after a breaking edit', async () => {
    await open();
    const preview = page.getByRole('region', { name: /Preview on the fixtures/ });
    await preview.getByRole('status').filter({ hasText: /^(\d+) of \1 cases pass\.$/ }).waitFor({ timeout: 30_000 });
    expect(await preview.locator('.write code').first().textContent()).toBe('sagepro.sales_orders.create');
    await page.getByRole('button', { name: 'Edit lines[].quantity' }).click();
    const input = page.getByLabel('lines[].quantity =');
    await input.fill('item.amount * 2');
    await page.getByRole('button', { name: 'Apply' }).click();
    await preview.getByRole('status').filter({ hasText: /cases pass, \d+ fail\.$/ }).waitFor({ timeout: 30_000 });
    const failures = preview.getByRole('list', { name: /^Failed expectations of / }).first();
    expect(await failures.textContent()).toMatch(/quantity: expected \d+, found \d+/);
    expect(fs.readFileSync(flowPath(), 'utf8')).toBe(original); // nothing saved
  });

  it("the mapping assistant's suggestions are dashed lines with their confidence, applied only when accepted", async () => {
    await open();
    await page.getByRole('button', { name: 'Suggest mappings' }).click();
    const item = page.locator('.mapper-suggestions li').filter({ hasText: 'lines[].request_date = date(item.update_date' });
    await item.waitFor({ timeout: 30_000 });
    expect(await item.locator('.conf').textContent()).toMatch(/^\d+ %$/);
    await page.locator('.mapper-lines g.suggestion[data-suggested="lines[].request_date"]').waitFor({ state: 'attached' });
    expect(await textPane().textContent()).not.toContain('request_date');
    await item.getByRole('button', { name: 'Accept the suggestion for lines[].request_date' }).click();
    await page.getByRole('status').filter({ hasText: 'Applied the suggestion for lines[].request_date.' }).waitFor();
    await textPane().getByText(/request_date += date\(item\.update_date, "America\/New_York"\)/).waitFor();
    expect(fs.readFileSync(flowPath(), 'utf8')).toBe(original);
  });

  it('search narrows both trees (name, and Sage Pro table or column on the target side)', async () => {
    await open();
    const rows = (side: 'source' | 'target') => page.locator(`.mapper-tree.${side} [role="treeitem"]`);
    await page.getByLabel('Search the source fields').fill('sku');
    await expect.poll(async () => (await rows('source').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).join(' ')).toBe('order.items order.items[].sku');
    await page.getByLabel('Search the target fields').fill('SOADDR.CITY');
    await expect.poll(async () => (await rows('target').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).join(' ')).toBe('ship_to ship_to.city');
    await page.getByLabel('Search the target fields').fill('');
    await expect.poll(async () => rows('target').count()).toBeGreaterThan(20);
  });

  it('an entity of 500 fields: only the rows in view are in the page, it scrolls to the last field and maps it', async () => {
    await open('wide.flow', 'rec');
    const tree = page.getByRole('tree', { name: /^Target fields/ });
    await expect.poll(() => tree.locator('[role="treeitem"]').first().getAttribute('aria-setsize')).toBe('500');
    expect(await tree.locator('[role="treeitem"]').count()).toBeLessThan(40);
    await tree.evaluate((el) => { el.scrollTop = el.scrollHeight; el.dispatchEvent(new Event('scroll')); });
    await tgt('f500').waitFor();
    expect(await tree.locator('[role="treeitem"]').count()).toBeLessThan(40);
    expect(await tgt('f001').count()).toBe(0);
    // From the keyboard: select the source field, then the target field, press Enter.
    await page.getByLabel('Search the source fields').fill('currency');
    await src('order.currency').click();
    await tgt('f500').click();
    await tgt('f500').press('Enter');
    await page.getByRole('status').filter({ hasText: 'Mapped order.currency to f500.' }).waitFor();
    await textPane().getByText('f500 = order.currency').waitFor();
    await expect.poll(() => tgt('f500').getAttribute('class')).toMatch(/mapped/);
  });
});

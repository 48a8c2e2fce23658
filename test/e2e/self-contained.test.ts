/**
 * Issue 10, item 5: a build folder is everything flowd needs. `flowc build mappings --out` (the real
 * CLI) writes the flows' JavaScript, the manifest and the entity schemas and operation catalogs the
 * connectors validate against (schemas/xcart, schemas/sagepro); that folder and a connect.yaml are
 * copied into an empty directory with no mappings/, and `flowd serve` runs there (a real child, its
 * working directory that empty one) against both sandboxes: an order placed in the X-Cart sandbox
 * becomes a Sage Pro sales order. A build without schemas/ is refused at start with the key named.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E, REPO, waitFor } from './harness.js';

let work: string;
let env: E2E;
let child: ChildProcess | undefined;
let output = '';

function serve(cwd: string): ChildProcess {
  const p = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), 'serve', '--config', 'connect.yaml'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
  p.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
  return p;
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-selfcontained-'));
  const built = path.join(work, 'build');
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin/flowc.js'), 'build', 'mappings', '--out', built], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`flowc build failed (${r.status}): ${r.stderr}`);
  env = await E2E.start({ flowsDir: 'flows' });
}, 180_000);

afterAll(async () => {
  if (child && child.exitCode === null) { child.kill('SIGTERM'); await new Promise((r) => child!.once('exit', r)); }
  await env?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('a build folder and connect.yaml are all flowd needs', () => {
  it('flowc build writes the schemas and catalogs of both systems into the build', () => {
    for (const system of ['xcart', 'sagepro']) {
      const src = path.join(REPO, 'mappings/schemas', system);
      const out = path.join(work, 'build/schemas', system);
      const files = fs.readdirSync(src).filter((f) => f.endsWith('.yaml')).sort();
      expect(files).toContain('operations.yaml');
      expect(fs.readdirSync(out).sort()).toEqual(files);
      for (const f of files) expect(fs.readFileSync(path.join(out, f), 'utf8')).toBe(fs.readFileSync(path.join(src, f), 'utf8'));
    }
  });

  it('flowd serve from an empty directory with no mappings/ turns an X-Cart order into a Sage Pro sales order', async () => {
    const site = path.join(work, 'site');
    fs.mkdirSync(site);
    fs.cpSync(path.join(work, 'build'), path.join(site, 'flows'), { recursive: true });
    for (const f of ['connect.yaml', 'xcart_token', 'push_secret', 'sagepro_dsn']) fs.copyFileSync(path.join(env.dir, f), path.join(site, f));
    expect(fs.existsSync(path.join(site, 'mappings'))).toBe(false);
    expect(fs.readdirSync(site).sort()).toEqual(['connect.yaml', 'flows', 'push_secret', 'sagepro_dsn', 'xcart_token']);

    child = serve(site);
    let exited = false;
    child.once('exit', () => { exited = true; });
    await waitFor('flowd (child, in the empty directory) ready', async () => {
      if (exited) throw new Error(`flowd exited: ${output}`);
      const r = await fetch(`${env.flowdUrl}/readyz`).catch(() => null);
      return r?.ok ?? false;
    }, 60_000);
    const order = await env.placeOrder({ email: 'orders@acme.example', payment_status: 'P', items: [{ sku: 'WIDGET-100', amount: 2 }] });
    await waitFor(`order ${order.id} in Sage Pro`, async () => (await env.countSalesOrders(`XC-${order.id}`)) === 1, 60_000, 250);
    expect(fs.existsSync(path.join(site, 'flowd.db'))).toBe(true);
    expect(fs.existsSync(path.join(site, 'mappings'))).toBe(false);
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }, 180_000);

  it('a build folder with flows but without schemas/ is refused at start, naming flows.schemas', async () => {
    const site = path.join(work, 'site-noschemas');
    fs.mkdirSync(site);
    fs.cpSync(path.join(work, 'build'), path.join(site, 'flows'), { recursive: true });
    fs.rmSync(path.join(site, 'flows/schemas'), { recursive: true });
    for (const f of ['connect.yaml', 'xcart_token', 'push_secret', 'sagepro_dsn']) fs.copyFileSync(path.join(env.dir, f), path.join(site, f));
    output = '';
    const p = serve(site);
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => { p.kill('SIGKILL'); }, 60_000);
      p.once('exit', (c) => { clearTimeout(t); resolve(c); });
    });
    expect(code).toBe(1);
    expect(output).toContain('flows.schemas');
    expect(output).toContain(path.join(site, 'flows/schemas/xcart'));
  }, 90_000);
});

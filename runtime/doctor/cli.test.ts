/**
 * `flowd doctor --config connect.yaml [--format json]` as a real child process (`node bin/flowd.js`)
 * on the real sandboxes: the exit codes (0 everything will work, 1 not, 2 usage or configuration),
 * the JSON fields, the human report, and no secret in the output.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { startXcartSandbox, type XcartSandbox } from '../sandbox/xcart/server.js';
import { createSageProSandbox } from '../sandbox/sagepro/database.js';
import { buildFlows } from '../../test/e2e/harness.js';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
/** connect.yaml accepts the Sage Pro site keys (numbering, default_location) once runtime/config has them. */
const configHasSiteKeys = (JSON.parse(fs.readFileSync(path.join(REPO, 'runtime/config/connect.schema.json'), 'utf8')) as { properties: { connections: { properties: { sagepro: { properties: Record<string, unknown> } } } } })
  .properties.connections.properties.sagepro.properties.numbering !== undefined;
const FLOWD = path.join(REPO, 'bin/flowd.js');
let tmp: string;
let xc: XcartSandbox;
let dsn: string;

function flowd(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FLOWD, ...args], { cwd: tmp, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** main() of runtime/cli.ts in this process, with its stdout and stderr captured. */
async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../cli.js');
  let stdout = '', stderr = '';
  const [o, e] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((c: string | Uint8Array) => { stdout += String(c); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { stderr += String(c); return true; }) as typeof process.stderr.write;
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    process.stdout.write = o; process.stderr.write = e;
  }
}

function build(paths: string[], out: string): string {
  const p = createProgram(paths, { schemasDir: path.join(REPO, 'mappings/schemas'), lookupsDir: path.join(REPO, 'mappings/lookups'), displayBase: REPO });
  expect(p.hasErrors).toBe(false);
  const dir = path.join(tmp, out);
  writeBuild(buildProgram(p, { typeCheck: false, emitJs: false }), dir);
  return dir;
}

function config(name: string, flowsDir: string, token: string, extra = ''): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(path.join(tmp, 'dsn'), dsn + '\n');
  fs.writeFileSync(file, [
    `flows: { dir: ${flowsDir} }`,
    `store: { path: ${path.join(tmp, 'flowd.db')} }`,
    'connections:',
    `  xcart: { base_url: "${xc.url}", token: { env: DOCTOR_XCART_TOKEN } }`,
    `  sagepro: { dsn: { file: ${path.join(tmp, 'dsn')} } }`,
    'triggers: { push: { enabled: false } }',
    extra,
  ].join('\n'));
  process.env.DOCTOR_XCART_TOKEN = token;
  return file;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-doctor-cli-'));
  xc = await startXcartSandbox({ port: 0, stateDir: path.join(tmp, 'xc'), lastRenewDateFilter: false });
  ({ dsn } = await createSageProSandbox({ dbPath: path.join(tmp, 'sagepro.db') }));
}, 60_000);

afterAll(async () => {
  await xc?.close();
  delete process.env.DOCTOR_XCART_TOKEN;
  delete process.env.DOCTOR_PUSH_SECRET;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('flowd doctor (child process)', () => {
  test('exit 0 when every deployed flow will work; the human report groups by flow and operation', async () => {
    const flows = build([path.join(REPO, 'mappings/inventory-to-xcart.flow')], 'flows-inventory');
    const r = await flowd('doctor', '--config', config('ok.yaml', flows, xc.writeToken));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      'InventoryToXCart (mappings/inventory-to-xcart.flow)',
      '  trigger sagepro.InventoryLevel',
      '    ok    will work on this install',
      '  xcart.products.find_by_sku',
      '    ok    will work on this install',
      '  xcart.products.set_stock',
      '    ok    will work on this install',
      '  xcart.variants.find_by_sku',
      '    ok    will work on this install',
      '  xcart.variants.set_stock',
      '    ok    will work on this install',
      '',
      'everything will work on this install (0 warnings)',
      '',
    ].join('\n'));
    expect(r.code).toBe(0);
  }, 60_000);

  test('exit 1 with the findings as JSON; the token never appears', async () => {
    const flows = build([path.join(REPO, 'mappings')], 'flows-all');
    const r = await flowd('doctor', '--config', config('ro.yaml', flows, xc.readToken), '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout) as Record<string, string>[];
    for (const f of findings) expect(Object.keys(f)).toEqual(['flow', 'operation', 'check', 'severity', 'message', 'fix']);
    expect(findings.filter((f) => f.severity === 'error').map((f) => `${f.flow} ${f.operation} ${f.check}`)).toEqual([
      'CustomerToSagePro trigger xcart.customer.updated trigger',
      'CustomerToXCart xcart.addresses.create token-write',
      'CustomerToXCart xcart.addresses.update token-write',
      'CustomerToXCart xcart.profiles.create token-write',
      'InventoryToXCart xcart.products.set_stock token-write',
      'InventoryToXCart xcart.variants.set_stock token-write',
      'ItemToXCartProduct xcart.products.create token-write',
      'ItemToXCartProduct xcart.products.update token-write',
      'ItemToXCartProduct xcart.variants.update token-write',
      'OrderToSalesOrder sagepro.sales_orders.create numbering',
      'SalesOrderStatusToXCart xcart.orders.add_staff_note token-write',
      'SalesOrderStatusToXCart xcart.orders.set_payment_status token-write',
      'SalesOrderStatusToXCart xcart.orders.set_shipping_status token-write',
      'SalesOrderStatusToXCart xcart.orders.set_tracking token-write',
    ]);
    expect(findings.find((f) => f.check === 'trigger')!.message).toBe('triggers.push is disabled and X-Cart customer events arrive only by signed push (the poller reads orders): the flow never runs');
    expect(r.stdout).not.toContain(xc.readToken);
    expect(r.stdout).not.toContain(dsn);
    console.log(`flowd doctor --format json on the sandbox with the read-only token: ${findings.length} findings, ${findings.filter((f) => f.severity === 'error').length} errors`);
  }, 60_000);

  test.runIf(configHasSiteKeys)("the minimal profile with its site keys in connect.yaml: only the stock flow's web warehouse (MAIN) is left (exit 1), until the site lists WH1 in its lookups (exit 0)", async () => {
    const sb = await createSageProSandbox({ dbPath: path.join(tmp, 'minimal', 'sagepro.db'), profile: 'minimal' });
    fs.writeFileSync(path.join(tmp, 'minimal-dsn'), sb.dsn);
    const connectYaml = (name: string, flows: string) => {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, [
        `flows: { dir: ${flows} }`,
        'connections:',
        `  xcart: { base_url: "${xc.url}", token: { env: DOCTOR_XCART_TOKEN } }`,
        '  sagepro:',
        `    dsn: { file: ${path.join(tmp, 'minimal-dsn')} }`,
        `    numbering: ${JSON.stringify(sb.siteConfig.numbering)}`,
        `    default_location: ${sb.siteConfig.default_location!}`,
        'triggers: { push: { enabled: true, secret: { env: DOCTOR_PUSH_SECRET } } }',
      ].join('\n'));
      return file;
    };
    process.env.DOCTOR_XCART_TOKEN = xc.writeToken;
    process.env.DOCTOR_PUSH_SECRET = 'push-secret-for-the-doctor-test';
    const notOk = (out: string) => (JSON.parse(out) as Record<string, string>[]).filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => `${f.flow} ${f.operation} ${f.check}`);
    // The shipped lookups/web-warehouses.yaml lists MAIN, which LOCTID C(3) cannot hold.
    const shipped = await flowd('doctor', '--config', connectYaml('minimal.yaml', build([path.join(REPO, 'mappings')], 'flows-minimal')), '--format', 'json');
    expect(shipped.stderr).toBe('');
    expect(notOk(shipped.stdout)).toEqual(['InventoryToXCart trigger sagepro.InventoryLevel lookup-key']);
    expect(shipped.code).toBe(1);
    expect(shipped.stdout).not.toContain('push-secret-for-the-doctor-test');
    // The site's own lookups (web-warehouses.yaml: WH1), as a site edits them.
    const siteFlows = buildFlows({ sageproProfile: 'minimal' });
    try {
      const site = await flowd('doctor', '--config', connectYaml('minimal-site.yaml', siteFlows), '--format', 'json');
      expect([site.stderr, notOk(site.stdout), site.code]).toEqual(['', [], 0]);
    } finally {
      fs.rmSync(path.dirname(siteFlows), { recursive: true, force: true });
    }
  }, 120_000);

  test('exit 2 for a usage or configuration error, naming what is wrong (in process: main() of runtime/cli.ts)', async () => {
    const flows = build([path.join(REPO, 'mappings/inventory-to-xcart.flow')], 'flows-usage');
    const bad = await inProcess('doctor', '--config', config('usage.yaml', flows, xc.writeToken), '--format', 'xml');
    expect([bad.code, bad.stderr]).toEqual([2, "flowd: --format must be human or json, not 'xml'\n"]);
    const noReq = path.join(tmp, 'flows-old');
    fs.cpSync(flows, noReq, { recursive: true });
    fs.rmSync(path.join(noReq, 'requirements.json'));
    const old = await inProcess('doctor', '--config', config('old.yaml', noReq, xc.writeToken));
    expect(old.code).toBe(2);
    expect(old.stderr).toBe(`flowd: ${path.join(noReq, 'requirements.json')} is missing: these flows were built by an older flowc; rebuild them (flowc build <flows> --out ${noReq})\n`);
    const cfgErr = await inProcess('doctor', '--config', config('bad.yaml', flows, xc.writeToken, 'workers: { cuont: 2 }'));
    expect(cfgErr.code).toBe(2);
    expect(cfgErr.stderr).toContain("/workers/cuont: unknown key; did you mean 'count'?");
  }, 60_000);
});

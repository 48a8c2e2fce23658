/**
 * flowc's command line as scripts and CI use it: exit codes (0 clean, 1 errors, 2 usage), the
 * `file:line:col` of pretty output, the JSON format's fields, `build --out` outputs and their
 * byte-for-byte determinism, and no stack trace for garbage input. Each case spawns `node bin/flowc.js`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const FLOWC = path.resolve('bin/flowc.js');
const COMMON = ['--schemas', 'mappings/schemas', '--lookups', 'test/fixtures/lookups'];
const CLEAN = 'test/fixtures/emit/order-to-sales-order.flow';
const BROKEN = 'test/fixtures/check/unknown-field.flow';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run { code: number | null; stdout: string; stderr: string }

function flowc(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOWC, ...args], { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file under `dir`, relative, with its bytes. */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out.set(f.split(path.sep).join('/'), fs.readFileSync(p));
  }
  return out;
}

const noStackTrace = (r: Run) => {
  expect(r.stdout + r.stderr).not.toMatch(/internal error|\n\s+at .+:\d+:\d+\)?\n/);
};

describe('flowc check', () => {
  test('a clean file exits 0', async () => {
    const r = await flowc('check', CLEAN, ...COMMON);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('a file with errors exits 1 and names file:line:col', async () => {
    const r = await flowc('check', BROKEN, ...COMMON);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${BROKEN}:7:5`);
    expect(r.stdout).toContain('FLOW3001');
    noStackTrace(r);
  });

  test('--format json prints an array of diagnostics with the documented fields', async () => {
    const r = await flowc('check', BROKEN, ...COMMON, '--format', 'json');
    expect(r.code).toBe(1);
    const diags = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(Array.isArray(diags)).toBe(true);
    expect(diags.length).toBeGreaterThan(0);
    const required = ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message'];
    for (const d of diags) {
      // hint only when there is one; related (documented in render-json.ts) only when there is some.
      expect(Object.keys(d).filter((k) => !required.includes(k)).every((k) => k === 'hint' || k === 'related')).toBe(true);
      for (const k of required) expect(d, k).toHaveProperty(k);
      expect(d.file).toBe(BROKEN);
      expect(d.code).toMatch(/^FLOW\d{4}$/);
      expect(['error', 'warning', 'message']).toContain(d.severity);
      if ('hint' in d) expect(typeof d.hint).toBe('string');
    }
    expect(diags[0]).toMatchObject({ line: 7, column: 5, endLine: 7, endColumn: 12, severity: 'error', code: 'FLOW3001' });
    expect(diags.some((d) => 'hint' in d)).toBe(true);
  });

  test('a file of random bytes exits 1 with diagnostics and no stack trace', async () => {
    let a = 0x5eed;
    const bytes = Buffer.alloc(2048, 0).map(() => { a = (a * 1103515245 + 12345) >>> 0; return a >>> 24; });
    const file = path.join(tmp, 'random.flow');
    fs.writeFileSync(file, bytes);
    const r = await flowc('check', file, ...COMMON);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FLOW1\d{3}/);
    noStackTrace(r);
  });
});

describe('usage errors exit 2', () => {
  test.each([
    ['an unknown command', ['frobnicate', CLEAN]],
    ['an unknown flag', ['check', CLEAN, '--frob']],
    ['build without --out', ['build', CLEAN, ...COMMON]],
    ['an unknown format', ['check', CLEAN, '--format', 'xml']],
    ['no command', []],
  ])('%s', async (_, args) => {
    const r = await flowc(...args);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toContain('usage:');
    noStackTrace(r);
  });
});

describe('flowc build', () => {
  test('writes the module, its JavaScript, the manifest and the runtime; byte-identical across builds', async () => {
    const [a, b] = [path.join(tmp, 'out-a'), path.join(tmp, 'out-b')];
    const [ra, rb] = await Promise.all([flowc('build', CLEAN, ...COMMON, '--out', a), flowc('build', CLEAN, ...COMMON, '--out', b)]);
    for (const r of [ra, rb]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^built 1 flow into .*: OrderToSalesOrder@[0-9a-f]{8}\n$/);
    }
    const sa = snapshot(a), sb = snapshot(b);
    for (const f of ['OrderToSalesOrder.ts', 'OrderToSalesOrder.js', 'manifest.json', 'runtime/builtins.ts']) expect(sa.has(f), f).toBe(true);
    expect([...sb.keys()]).toEqual([...sa.keys()]);
    for (const [f, bytes] of sa) expect(bytes.equals(sb.get(f)!), f).toBe(true);
    const manifest = JSON.parse(sa.get('manifest.json')!.toString()) as { flows: { name: string; module: string }[] };
    expect(manifest.flows.map((f) => [f.name, f.module])).toEqual([['OrderToSalesOrder', 'OrderToSalesOrder.js']]);
    // Building again into the same folder changes nothing.
    const again = await flowc('build', CLEAN, ...COMMON, '--out', a);
    expect(again.code).toBe(0);
    const sa2 = snapshot(a);
    expect([...sa2.keys()]).toEqual([...sa.keys()]);
    for (const [f, bytes] of sa) expect(bytes.equals(sa2.get(f)!), f).toBe(true);
  });

  test('a file with errors builds nothing and exits 1', async () => {
    const out = path.join(tmp, 'out-broken');
    const r = await flowc('build', BROKEN, ...COMMON, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FLOW3001');
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('line endings and positions', () => {
  test('a file with CR-only line endings builds its flow (not "built 0 flows")', async () => {
    const file = path.join(tmp, 'cr-only.flow');
    fs.writeFileSync(file, fs.readFileSync(CLEAN, 'utf8').replace(/\r?\n/g, '\r'));
    const r = await flowc('build', file, ...COMMON, '--out', path.join(tmp, 'out-cr'));
    expect(r.stdout).toMatch(/^built 1 flow into /m);
    expect(r.code).toBe(0);
  });

  test('--format json gives the line and column an editor shows, whatever the line endings', async () => {
    const file = path.join(tmp, 'mixed.flow');
    // CRLF, CR and LF in one file, invalid UTF-8 before the error on line 4.
    fs.writeFileSync(file, Buffer.concat([Buffer.from('// mixed\r\nflow Mixed\r  on xcart.order.created\n  let x = "'), Buffer.from([0xff, 0xfe]),
      Buffer.from('" + ordr.email\r\n  write xcart.orders.set_payment_status(order_id: 1, code: "P")\r')]));
    const r = await flowc('check', file, ...COMMON, '--format', 'json');
    expect(r.code).toBe(1);
    const d = (JSON.parse(r.stdout) as { code: string; line: number; column: number; endColumn: number }[]).find((x) => x.code === 'FLOW2001');
    // `  let x = "��" + ordr.email`: 'ordr' is columns 18 to 21 of line 4 (each bad byte is one U+FFFD).
    expect(d).toMatchObject({ line: 4, column: 18, endColumn: 22 });
  });

  test('a file that defines no flow is warning FLOW6007', async () => {
    const file = path.join(tmp, 'comments-only.flow');
    fs.writeFileSync(file, '// flow Forgotten\r//   on xcart.order.created\r');
    const r = await flowc('check', file, ...COMMON);
    expect(r.stdout).toContain('warning FLOW6007');
    expect(r.code).toBe(0);
  });
});

describe('flowc introspect', () => {
  test('a folder that holds no schemas stops with exit 2 and says what to pass', async () => {
    const out = path.join(tmp, 'not-schemas');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'readme.txt'), 'x');
    const r = await flowc('introspect', '--dsn', 'Driver=SQLite3;Database=/nonexistent/x.db', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds no Sage Pro entity schemas.*pass the folder that has them/);
    expect(r.stdout).not.toContain('schemas match the install');
    noStackTrace(r);
  });
});

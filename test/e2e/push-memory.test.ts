/**
 * Issue 9, "back-pressure", the memory side: a real `flowd serve` child (no flows, no polls, push on)
 * under 600 concurrent pushes of 128 KiB bodies that trickle in, once with the limit lifted
 * (`http.max_concurrent_pushes: 10000`) and once with the default (64). Prints flowd's peak RSS
 * (VmHWM from /proc) in both runs; asserts only behaviour: with the limit some pushes get 503 with
 * Retry-After, every push ends in 202, no connection is reset.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '../../runtime/contract.js';
import { figures, freePort, REPO, waitFor } from './harness.js';
import { runSender } from './push-sender.js';

const SECRET = 'push-memory-secret-0123456789abcdef';
const PUSHES = 600;
const PADDING = 512 * 1024;
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-pushmem-'));
  fs.mkdirSync(path.join(dir, 'flows'));
  fs.writeFileSync(path.join(dir, 'flows/manifest.json'), JSON.stringify({ contractVersion: CONTRACT_VERSION, flows: [] }));
  for (const [f, v] of [['secret', 'xcart-token'], ['dsn', 'Driver=SQLite3;Database=/nonexistent/s.db;NoCreat=1'], ['push_secret', SECRET]] as const) fs.writeFileSync(path.join(dir, f), v);
  fs.writeFileSync(path.join(dir, 'bodies.json'), JSON.stringify({ count: PUSHES, padding: PADDING }));
});
afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

async function run(limit: number) {
  const port = await freePort();
  const config = path.join(dir, `limit-${limit}.yaml`);
  fs.writeFileSync(config, [
    `http: { host: 127.0.0.1, port: ${port}, max_concurrent_pushes: ${limit} }`,
    `store: { path: limit-${limit}/flowd.db }`,
    'flows: { dir: flows }',
    'connections:',
    '  xcart: { base_url: "http://127.0.0.1:9", token: { file: secret } }',
    '  sagepro: { dsn: { file: dsn } }',
    'triggers: { xcart_poll: { enabled: false }, sagepro_poll: { enabled: false }, push: { enabled: true, secret: { file: push_secret } } }',
    'log: { level: error }',
    '',
  ].join('\n'));
  const p = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), 'serve', '--config', config], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  p.stdout.on('data', (c: Buffer) => { output += c; });
  p.stderr.on('data', (c: Buffer) => { output += c; });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor('flowd ready', async () => (await fetch(`${url}/readyz`).catch(() => null))?.ok, 60_000);
    const hwm = () => Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8'))![1]) / 1024);
    const before = hwm();
    const r = await runSender(`${url}/hooks/xcart`, SECRET, path.join(dir, 'bodies.json'));
    return { ...r, peakMb: hwm(), startMb: before, output };
  } finally {
    p.kill('SIGTERM');
    await new Promise((resolve) => p.once('close', resolve));
  }
}

describe('flowd serve: memory under many concurrent pushes', () => {
  it(`${PUSHES} pushes of ${PADDING / 1024} KiB at once: no limit vs the default limit of 64`, async () => {
    const open = await run(10_000);
    const bounded = await run(64);
    figures('e2e-push-memory', { pushes: PUSHES, body_kib: PADDING / 1024,
      nolimit_peak_rss_mb: open.peakMb, nolimit_503: open.firstTry503,
      limit64_peak_rss_mb: bounded.peakMb, limit64_503_first_try: bounded.firstTry503, limit64_retries: bounded.retries, start_rss_mb: bounded.startMb });
    for (const r of [open, bounded]) {
      expect(r.accepted, r.output).toBe(PUSHES);
      expect(r.connectionErrors).toBe(0);
      expect(r.otherStatuses).toEqual([]);
    }
    expect(open.firstTry503).toBe(0);
    expect(bounded.firstTry503).toBeGreaterThan(0);
    expect(bounded.missingRetryAfter).toBe(0);
  }, 240_000);
});

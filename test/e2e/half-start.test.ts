/**
 * Issue 9, "half-starts": `flowd serve` (a real child process, `node bin/flowd.js serve --config`)
 * either serves or exits non-zero at once with a clear message; and when it serves, /readyz and
 * /healthz say what is true about the store (a real write is probed).
 *
 * Read-only store: the tests run as root, for whom file modes do not stop writes, so the child runs
 * as the unprivileged user `nobody` (`runuser -u nobody --`) on a root-owned directory (0755) whose
 * store files are root-owned 0644: to nobody, a read-only store, as a read-only volume would be.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '../../runtime/contract.js';
import { signPush } from '../../runtime/http/push.js';
import { SqliteStore } from '../../runtime/store/sqlite-store.js';
import { figures, freePort, REPO, waitFor } from './harness.js';

const PUSH_SECRET = 'half-start-push-secret-0123456789';
let dir: string;

/** A connect.yaml for a flowd with no flows and no polls (nothing outside is contacted). */
function writeConfig(name: string, o: { host?: string; port: number; store?: string; flowsDir?: string }): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, [
    `http: { host: ${JSON.stringify(o.host ?? '127.0.0.1')}, port: ${o.port} }`,
    `store: { kind: sqlite, path: ${JSON.stringify(o.store ?? path.join(dir, name, 'flowd.db'))} }`,
    `flows: { dir: ${JSON.stringify(o.flowsDir ?? path.join(dir, 'flows'))} }`,
    'connections:',
    '  xcart: { base_url: "http://127.0.0.1:9", token: { file: secret } }',
    '  sagepro: { dsn: { file: dsn } }',
    'triggers:',
    '  xcart_poll: { enabled: false }',
    '  sagepro_poll: { enabled: false }',
    '  push: { enabled: true, secret: { file: push_secret } }',
    'log: { level: info }',
    '',
  ].join('\n'), { mode: 0o644 });
  return file;
}

interface Run { code: number | null; signal: string | null; output: string; ms: number }
/** Runs `flowd serve --config file` to its end; kills it (and fails) if it is still running after `ms`. */
function serveUntilExit(config: string, ms = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), 'serve', '--config', config], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (c: Buffer) => { output += c; });
    p.stderr.on('data', (c: Buffer) => { output += c; });
    const kill = setTimeout(() => { output += `\n[still running after ${ms} ms: killed]`; p.kill('SIGKILL'); }, ms);
    p.once('close', (code, signal) => { clearTimeout(kill); resolve({ code, signal, output, ms: Date.now() - t0 }); });
  });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-halfstart-'));
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(path.join(dir, 'flows'));
  fs.writeFileSync(path.join(dir, 'flows/manifest.json'), JSON.stringify({ contractVersion: CONTRACT_VERSION, flows: [] }));
  for (const [f, v] of [['secret', 'xcart-token-abc'], ['dsn', 'Driver=SQLite3;Database=/nonexistent/sagepro.db;NoCreat=1'], ['push_secret', PUSH_SECRET]]) fs.writeFileSync(path.join(dir, f!), v!, { mode: 0o644 });
});
afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

describe('flowd serve: start fully or exit at once', () => {
  it('a port in use: exit 1 with a message naming the address and http.port', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const r = await serveUntilExit(writeConfig('port-taken', { port }));
      figures('e2e-half-start-port', { exit_code: String(r.code), ms: r.ms });
      expect(r.output).not.toContain('still running');
      expect(r.code).toBe(1);
      expect(r.output).toContain(`flowd: cannot listen on 127.0.0.1:${port}: port ${port} is already in use (EADDRINUSE)`);
      expect(r.output).toContain('http.port');
    } finally { taken.close(); }
  }, 30_000);

  it('a host that does not resolve: exit 1 with a message naming http.host', async () => {
    const r = await serveUntilExit(writeConfig('bad-host', { host: 'no-such-host.invalid', port: await freePort() }));
    figures('e2e-half-start-host', { exit_code: String(r.code), ms: r.ms });
    expect(r.output).not.toContain('still running');
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/cannot listen on no-such-host\.invalid:\d+: host 'no-such-host\.invalid' does not resolve \((ENOTFOUND|EAI_AGAIN)\); set http\.host/);
  }, 30_000);

  it('a truncated manifest.json: exit 1 naming the file', async () => {
    const flowsDir = path.join(dir, 'flows-truncated');
    fs.mkdirSync(flowsDir);
    fs.writeFileSync(path.join(flowsDir, 'manifest.json'), `{"contractVersion": ${CONTRACT_VERSION}, "flows": [{"name": "A", "modu`);
    const r = await serveUntilExit(writeConfig('bad-manifest', { port: await freePort(), flowsDir }));
    expect(r.output).not.toContain('still running');
    expect(r.code).toBe(1);
    expect(r.output).toContain(`${path.join(flowsDir, 'manifest.json')}: not valid JSON`);
    expect(r.output).not.toMatch(/must be of type string/);
  }, 30_000);
});

describe('flowd serve on a store it cannot write (as nobody)', () => {
  const hasRunuser = process.getuid?.() === 0 && spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status === 0;

  it.runIf(hasRunuser)('a store directory it cannot write (no -wal yet): exit 1 at once, naming the file and what flowd needs', async () => {
    const stateDir = path.join(dir, 'ro-fresh');
    fs.mkdirSync(stateDir);
    const storeFile = path.join(stateDir, 'flowd.db');
    await SqliteStore.open(storeFile).close(); // closed cleanly: no -wal or -shm beside it
    fs.chmodSync(storeFile, 0o644);
    fs.chmodSync(stateDir, 0o755);
    const config = writeConfig('ro-fresh', { port: await freePort(), store: storeFile });
    const r = await new Promise<Run>((resolve) => {
      const t0 = Date.now();
      const p = spawn('runuser', ['-u', 'nobody', '--', process.execPath, path.join(REPO, 'bin/flowd.js'), 'serve', '--config', config], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      p.stdout.on('data', (c: Buffer) => { output += c; });
      p.stderr.on('data', (c: Buffer) => { output += c; });
      const kill = setTimeout(() => { output += '\n[still running: killed]'; p.kill('SIGKILL'); }, 20_000);
      p.once('close', (code, signal) => { clearTimeout(kill); resolve({ code, signal, output, ms: Date.now() - t0 }); });
    });
    figures('e2e-half-start-readonly-dir', { exit_code: String(r.code), ms: r.ms });
    expect(r.output).not.toContain('still running');
    expect(r.code).toBe(1);
    expect(r.output).toContain(`flowd: cannot open the store ${storeFile} (SQLITE_READONLY`);
    expect(r.output).toContain(`create flowd.db-wal and -shm beside it in ${stateDir}`);
  }, 30_000);

  it.runIf(hasRunuser)('comes up not ready: /readyz 503 and /healthz store false with the reason, pushes 503 with Retry-After', async () => {
    const stateDir = path.join(dir, 'ro-state');
    fs.mkdirSync(stateDir);
    // A store written by root and left open (its -wal and -shm exist, as after a crash), then read-only to nobody.
    const storeFile = path.join(stateDir, 'flowd.db');
    const owner = SqliteStore.open(storeFile);
    try {
      await owner.setMeta('made-by', 'root');
      for (const f of fs.readdirSync(stateDir)) fs.chmodSync(path.join(stateDir, f), 0o644);
      fs.chmodSync(stateDir, 0o755);
      const port = await freePort();
      const config = writeConfig('ro', { port, store: storeFile });
      const p = spawn('runuser', ['-u', 'nobody', '--', process.execPath, path.join(REPO, 'bin/flowd.js'), 'serve', '--config', config], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let output = '';
      p.stdout.on('data', (c: Buffer) => { output += c; });
      p.stderr.on('data', (c: Buffer) => { output += c; });
      let exited: number | null | undefined;
      p.once('exit', (code) => { exited = code; });
      try {
        const url = `http://127.0.0.1:${port}`;
        // Either it refuses to start with a clear message, or it serves and says it is not ready.
        const answered = await waitFor('flowd (as nobody) to answer or exit', async () => {
          if (exited !== undefined) return 'exited';
          const r = await fetch(`${url}/readyz`).catch(() => null);
          return r ? 'answered' : false;
        }, 30_000);
        expect(answered, output).toBe('answered');
        const ready = await fetch(`${url}/readyz`);
        const readyBody = (await ready.json()) as { ready: boolean; problem?: string };
        const health = await fetch(`${url}/healthz`);
        const healthBody = (await health.json()) as { ok: boolean; checks: Record<string, boolean>; problems?: Record<string, string> };
        const body = JSON.stringify({ type: 'order.created', id: 14, occurred_at: new Date().toISOString(), data: {} });
        const ts = String(Math.floor(Date.now() / 1000));
        const push = await fetch(`${url}/hooks/xcart`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-connect-timestamp': ts, 'x-connect-signature': signPush(PUSH_SECRET, ts, body) } });
        figures('e2e-half-start-readonly-store', { readyz: ready.status, healthz: health.status, store_check: String(healthBody.checks.store), push: push.status });
        expect(ready.status).toBe(503);
        expect(readyBody.problem).toMatch(/does not accept writes \(SQLITE_READONLY/);
        expect(health.status).toBe(503);
        expect(healthBody.checks.store).toBe(false);
        expect(healthBody.problems?.store).toMatch(/does not accept writes/);
        expect(push.status).toBe(503);
        expect(push.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
        await waitFor('the alert in the log', () => output.includes('store unusable'), 5000);
      } finally {
        if (exited === undefined) { process.kill(-p.pid!, 'SIGTERM'); await new Promise((r) => p.once('exit', r)); }
      }
      expect(await owner.getMeta('made-by')).toBe('root');
    } finally { await owner.close(); }
  }, 60_000);
});

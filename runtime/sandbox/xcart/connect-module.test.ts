/**
 * `flowd sandbox --xcart-module` as a user runs it (node bin/flowd.js, a real process): the X-Cart
 * sandbox then has the Connect module's endpoints (connect-module.ts); without the flag they are 404,
 * as on a store without the module.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-xcart-module-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Starts `flowd sandbox`, and once it printed its tokens asks GET /api/connect/module; then stops it. */
function probe(args: string[]): Promise<{ banner: string; status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), 'sandbox', '--xcart-port', '0', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let asked = false;
    p.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /X-Cart sandbox:\s+(\S+)/.exec(out)?.[1];
      const token = /read token:\s+(\S+)/.exec(out)?.[1];
      if (asked || !url || !token || !out.includes('connect.yaml')) return;
      asked = true;
      fetch(`${url}/api/connect/module`, { headers: { 'x-auth-token': token } })
        .then(async (r) => resolve({ banner: out.split('\n')[0]!, status: r.status, body: await r.json() }), reject)
        .finally(() => p.kill('SIGTERM'));
    });
    p.once('error', reject);
    p.once('close', (code) => { if (!asked) reject(new Error(`flowd sandbox exited ${code}: ${out}`)); });
  });
}

describe('flowd sandbox --xcart-module', () => {
  it('gives the store the Connect module; without the flag its endpoints are 404', async () => {
    const withModule = await probe(['--state-dir', path.join(dir, 'with'), '--xcart-module']);
    expect(withModule.banner).toContain('with the Connect module');
    expect(withModule).toMatchObject({ status: 200, body: { module: 'Connect-Push', version: '5.5.0.0' } });
    const without = await probe(['--state-dir', path.join(dir, 'without')]);
    expect(without.banner).not.toContain('Connect module');
    expect(without.status).toBe(404);
  }, 60_000);
});

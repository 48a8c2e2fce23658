/**
 * `flowd sandbox --sagepro-profile NAME` as a user runs it (node bin/flowd.js, a real process): the
 * chosen profile's database is created and its connect.yaml lines printed; an unknown profile is a
 * usage error (exit 2) naming the profiles.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-sagepro-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs flowd; once stdout contains `until` (if given), stops it with SIGTERM. */
function flowd(args: string[], until?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    p.stdout.on('data', (c: Buffer) => { stdout += c.toString(); if (until && stdout.includes(until)) p.kill('SIGTERM'); });
    p.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    p.once('error', reject);
    p.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('flowd sandbox --sagepro-profile', () => {
  it('creates the chosen profile and prints its connect.yaml lines', async () => {
    const r = await flowd(['sandbox', '--xcart-port', '0', '--state-dir', dir, '--sagepro-profile', 'minimal'], 'default_location');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Sage Pro sandbox: Driver=SQLite3;Database=${path.join(dir, 'sagepro.db')};`);
    expect(r.stdout).toContain('  profile:        minimal\n');
    expect(r.stdout).toContain('  sagepro:\n    dsn: { file: sagepro_dsn }\n    numbering: {"sales_order":{"method":"table","table":"NEXTNUM",');
    expect(r.stdout).toContain('    default_location: "WH1"');
  }, 60_000);

  it('refuses an unknown profile with exit 2, naming the profiles, and creates nothing', async () => {
    const r = await flowd(['sandbox', '--xcart-port', '0', '--state-dir', path.join(dir, 'bad'), '--sagepro-profile', 'tiny']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("flowd: --sagepro-profile: unknown profile 'tiny' (profiles: standard, minimal, vfp-modules)\n");
    expect(fs.existsSync(path.join(dir, 'bad'))).toBe(false);
  }, 60_000);
});

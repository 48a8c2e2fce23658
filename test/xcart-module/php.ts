/**
 * Shared by the X-Cart module's tests: where the module is, and the php-cli from Debian's packages
 * (setup installs php-cli). When php is missing the tests are skipped with a message saying so.
 */
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MODULE_DIR = path.join(REPO, 'xcart-module', 'Connect', 'Push');
export const PUSH_CLI = path.join(MODULE_DIR, 'bin', 'connect-push.php');

const probe = spawnSync('php', ['-v'], { encoding: 'utf8' });
export const HAS_PHP = probe.status === 0;
export const NO_PHP_MESSAGE = 'php is not installed (setup installs php-cli from Debian: apt-get install php-cli); the X-Cart module tests are skipped';
if (!HAS_PHP) console.warn(`test/xcart-module: ${NO_PHP_MESSAGE}`);

/** Every file under dir (relative paths, sorted). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Runs php with args and stdin; the secret goes in the environment, as the CLI wants it. */
export function php(args: string[], opts: { stdin?: string | Buffer; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('php', args, { env: { PATH: process.env.PATH ?? '', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    p.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(opts.stdin ?? '');
  });
}

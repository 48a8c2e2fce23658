/**
 * `flowd user add|passwd|remove|list` (runtime/console/user-cli.ts, as runtime/cli.ts runs it) on a
 * real store file: the password comes from --password-stdin (or a prompt), never from the command line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { verifyPassword } from './auth.js';
import { userCommand } from './user-cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowd-user-cli-'));
const file = path.join(dir, 'flowd.db');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function capture(fn: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const [o, e] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((c: string | Uint8Array) => { stdout += String(c); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { stderr += String(c); return true; }) as typeof process.stderr.write;
  try { return { code: await fn(), stdout, stderr }; } finally { process.stdout.write = o; process.stderr.write = e; }
}
/** `flowd user ...` with `input` on standard input (errors as main() reports them: exit 2 usage, 1 refused). */
const user = (args: string[], input = '') => capture(async () => {
  try {
    return await userCommand(args, async () => SqliteStore.open(file), { stdin: Readable.from([Buffer.from(input)]) });
  } catch (err) {
    process.stderr.write(`flowd: ${(err as Error).message}\n`);
    return (err as Error).name === 'ConfigError' ? 2 : 1;
  }
});

describe('flowd user', () => {
  it('adds, lists, changes the password of and removes users in the store; refuses a password on the command line', async () => {
    const add = await user(['add', 'ada', '--role', 'admin', '--password-stdin'], 'ada-admin-password\n');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toBe('user ada added (admin)\n');
    expect((await user(['add', 'ada', '--role', 'admin', '--password-stdin'], 'ada-admin-password\n')).code).toBe(1);
    const onLine = await user(['add', 'bob', '--role', 'viewer', '--password', 'bob-password-1']);
    expect(onLine.code).toBe(2);
    expect(onLine.stderr).toMatch(/^flowd: --password is not accepted/);
    expect((await user(['add', 'bob', '--role', 'root', '--password-stdin'], 'bob-password-1\n')).stderr).toMatch(/--role viewer\|operator\|admin is required \(not 'root'\)/);
    expect((await user(['add', 'bob', '--role', 'viewer'])).stderr).toMatch(/no terminal to ask for the password/);
    expect((await user(['passwd', 'ada', '--password-stdin'], 'short\n')).stderr).toMatch(/at least 10 characters/);
    expect((await user(['passwd', 'ada', '--password-stdin'], 'ada-new-password\n')).code).toBe(0);
    // through flowd's own command line
    const list = await capture(() => main(['user', 'list', '--json', '--state-dir', dir]));
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([{ name: 'ada', role: 'admin', createdAt: expect.any(String) }]);
    const store = SqliteStore.open(file);
    try {
      const u = (await store.console.getUser('ada'))!;
      expect(u.passwordHash).toMatch(/^scrypt\$/);
      expect(await verifyPassword('ada-new-password', u.passwordHash)).toBe(true);
      expect(await verifyPassword('ada-admin-password', u.passwordHash)).toBe(false);
      expect((await store.console.listAudit()).map((e) => e.action)).toEqual(['user.passwd', 'user.add']);
    } finally { await store.close(); }
    expect((await user(['remove', 'ada'])).stdout).toBe('user ada removed\n');
    expect((await user(['remove', 'ada'])).code).toBe(1);
  }, 60_000);
});

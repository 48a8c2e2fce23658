/**
 * `flowd store migrate` as an operator runs it (a child process, bin/flowd.js): exit 0 with the
 * counts after a migration, 1 when refused (a second migrate, a wrong password), 2 for usage; the
 * database password is never printed, whether `--to` is the URL itself or `env:NAME`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresServerAvailable, startPostgres, type StartedPostgres } from '../../test/support/postgres.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import { orderEvent, tempDir } from './test-support/helpers.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function flowd(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => { out += c; });
    p.stderr.on('data', (c: Buffer) => { out += c; });
    p.once('error', reject);
    p.once('close', (code) => resolve({ code, out }));
  });
}

describe.skipIf(!postgresServerAvailable())('flowd store migrate (command line)', () => {
  let server: StartedPostgres;
  const tmp = tempDir('flowd-migrate-cli-');
  const file = tmp.file('flowd.db');

  beforeAll(async () => {
    server = await startPostgres();
    const s = SqliteStore.open(file);
    await s.enqueueBatch([orderEvent(1), orderEvent(2), orderEvent(3)]);
    const [job] = await s.lease('w1', { leaseMs: 60_000 });
    await s.deadLetter(job!.id, 'w1', { error: 'SKU X not in ICITEM', errorClass: 'invalid', flowVersion: 'v1' });
    await s.lease('w-stopped', { leaseMs: 60_000 });
    await s.setWatermark('xcart.orders', '{"since":"2025-01-01T00:00:00Z"}');
    await s.close();
  });
  afterAll(async () => { await server?.stop(); tmp.cleanup(); });

  it('migrates with --to env:NAME, prints the counts, never the password', async () => {
    const r = await flowd(['store', 'migrate', '--from', file, '--to', 'env:FLOWD_MIGRATE_URL'], { FLOWD_MIGRATE_URL: server.url });
    expect(r.out).not.toContain(server.password);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`migrated ${file} into postgres://connect:***@127.0.0.1:${server.port}/connect_test (schema public), one transaction, every row read back and compared`);
    expect(r.out).toMatch(/jobs +3 rows, 3 verified/);
    expect(r.out).toMatch(/dead_letters +1 rows, 1 verified/);
    expect(r.out).toMatch(/watermarks +1 rows, 1 verified/);
    expect(r.out).toContain('jobs by state: 1 queued, 1 running, 1 dead_letter; 1 leased job(s) are pending again');
    const pgs = await PostgresStore.open(server.url);
    try {
      expect((await pgs.status()).queueDepth).toBe(2);
      expect((await pgs.listDeadLetters()).map((d) => d.reason)).toEqual(['SKU X not in ICITEM']);
    } finally { await pgs.close(); }
  });

  it('a second migrate is refused (exit 1), with the URL as given shown without its password', async () => {
    const r = await flowd(['store', 'migrate', '--from', file, '--to', server.url]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`flowd: postgres://connect:***@127.0.0.1:${server.port}/connect_test (schema public) is not an empty store: it already holds a migrated store`);
    expect(r.out).not.toContain(server.password);
  });

  it('a wrong password is exit 1 and not printed', async () => {
    const wrong = server.url.replace(`:${encodeURIComponent(server.password)}@`, ':Wr0ngSecretPw@');
    const r = await flowd(['store', 'migrate', '--from', file, '--to', wrong]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/password|authentication/);
    expect(r.out).not.toContain('Wr0ngSecretPw');
  });

  it('usage errors are exit 2 and name what is missing', async () => {
    const noTo = await flowd(['store', 'migrate', '--from', file]);
    expect(noTo.code).toBe(2);
    expect(noTo.out).toContain('--to <postgres url | env:NAME> is required');
    const unset = await flowd(['store', 'migrate', '--from', file, '--to', 'env:FLOWD_NOT_SET_ANYWHERE']);
    expect(unset.code).toBe(2);
    expect(unset.out).toContain('environment variable FLOWD_NOT_SET_ANYWHERE is not set');
    const other = await flowd(['store', 'migrate', '--from', file, '--to', 'mysql://u:An0therSecret@db/x']);
    expect(other.code).toBe(2);
    expect(other.out).toContain('--to is not a postgres:// URL (mysql://u:***@db/x)');
    expect(other.out).not.toContain('An0therSecret');
  });
});

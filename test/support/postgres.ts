/**
 * A throwaway PostgreSQL server for tests.
 *
 * initdb into a fresh temp folder, listen on 127.0.0.1 only (a free port), unix socket in the temp
 * folder, password authentication for TCP. When the test runs as root (uid 0), the server runs as
 * the `postgres` OS user (`runuser -u postgres --`) and the temp folder is chown'ed to it.
 * `stop()` shuts the server down (fast mode) and removes the folder.
 *
 *   const pg = await startPostgres();
 *   // pg.dsn: "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=...;Database=...;Uid=...;Pwd=..."
 *   // pg.url: "postgres://connect:...@127.0.0.1:.../connect_test" (node-postgres, the PostgreSQL store)
 *   await pg.stop();
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface StartedPostgres {
  port: number;
  /** ODBC connection string for psqlODBC. */
  dsn: string;
  /** The same database as a `postgres://` URL (node-postgres; `store.kind: postgres`). */
  url: string;
  database: string;
  user: string;
  password: string;
  /** Stops the server and removes its temp folder. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Restarts the server on the same port and data folder (pg_ctl stop -m fast, then a new postmaster):
   * every session is cut, committed data stays. Resolves once the server accepts logins again.
   */
  restart(): Promise<void>;
}

export interface StartPostgresOptions {
  database?: string;
  user?: string;
  /** ODBC driver name from /etc/odbcinst.ini. */
  driver?: string;
}

/** The folder holding initdb / pg_ctl / postgres, or throws with a hint. */
export function postgresBinDir(): string {
  const candidates: string[] = [];
  try {
    const out = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (out) candidates.push(out);
  } catch { /* pg_config missing */ }
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join(root, v, 'bin'));
  }
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'))) return dir;
  }
  throw new Error('PostgreSQL server binaries not found (run scripts/setup.sh to install postgresql)');
}

/** True when a PostgreSQL server looks installed (no ODBC driver needed: the `pg` package speaks the protocol). */
export function postgresServerAvailable(): boolean {
  try { postgresBinDir(); return true; } catch { return false; }
}

/** True when a PostgreSQL server and the psqlODBC driver look installed. */
export function postgresAvailable(): boolean {
  try { postgresBinDir(); } catch { return false; }
  try {
    return /\[PostgreSQL Unicode\]/.test(fs.readFileSync('/etc/odbcinst.ini', 'utf8'));
  } catch { return false; }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function asServerUser(root: boolean, cmd: string, args: string[]): [string, string[]] {
  return root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<StartedPostgres> {
  const bin = postgresBinDir();
  const database = opts.database ?? 'connect_test';
  const user = opts.user ?? 'connect';
  const password = `pw${Math.random().toString(36).slice(2, 12)}`;
  const driver = opts.driver ?? 'PostgreSQL Unicode';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-pg-'));
  const dataDir = path.join(dir, 'data');
  const sockDir = path.join(dir, 'sock');
  fs.mkdirSync(sockDir);
  const pwFile = path.join(dir, 'pw');
  fs.writeFileSync(pwFile, password + '\n', { mode: 0o600 });
  if (root) {
    fs.chmodSync(dir, 0o700);
    execFileSync('chown', ['-R', 'postgres:', dir]);
  }

  let child: ChildProcess | undefined;
  const cleanup = () => { try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* ignore */ } };
  try {
    const [initCmd, initArgs] = asServerUser(root, path.join(bin, 'initdb'), [
      '-D', dataDir, '-U', user, '--pwfile', pwFile, '-A', 'scram-sha-256', '--auth-local', 'trust',
      '-E', 'UTF8', '--locale', 'C', '--no-sync',
    ]);
    execFileSync(initCmd, initArgs, { stdio: ['ignore', 'ignore', 'pipe'] });

    const port = await freePort();
    const [pgCmd, pgArgs] = asServerUser(root, path.join(bin, 'postgres'), [
      '-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', sockDir,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=40', '-c', 'shared_buffers=16MB',
    ]);
    /** Spawns the postmaster and waits until it accepts TCP; returns the process and its exit promise. */
    const launch = async (): Promise<{ proc: ChildProcess; exited: Promise<number | null> }> => {
      let stderr = '';
      const proc = spawn(pgCmd, pgArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      proc.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + 30_000;
      let exitCode: number | null | 'running' = 'running';
      void exited.then((c) => { exitCode = c; });
      while (!(await canConnect(port))) {
        if (exitCode !== 'running') throw new Error(`postgres exited (${exitCode}): ${stderr}`);
        if (Date.now() > deadline) throw new Error(`postgres did not start in 30 s: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return { proc, exited };
    };
    let current = await launch();
    // The server accepts TCP a moment before it accepts logins; createdb over the socket waits for that.
    const [cdbCmd, cdbArgs] = asServerUser(root, path.join(bin, 'createdb'), ['-h', sockDir, '-p', String(port), '-U', user, database]);
    for (let attempt = 0; ; attempt++) {
      try { execFileSync(cdbCmd, cdbArgs, { stdio: ['ignore', 'ignore', 'pipe'] }); break; } catch (e) {
        if (attempt > 50) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    let stopped = false;
    /** pg_ctl signals the postmaster itself (runuser does not forward signals to it). */
    const shutdown = async () => {
      const { proc, exited } = current;
      if (proc.exitCode === null && proc.signalCode === null) {
        const [stopCmd, stopArgs] = asServerUser(root, path.join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '20']);
        try { execFileSync(stopCmd, stopArgs, { stdio: 'ignore' }); } catch { proc.kill('SIGKILL'); }
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    };
    const [psqlCmd, psqlArgs] = asServerUser(root, path.join(bin, 'psql'), ['-h', sockDir, '-p', String(port), '-U', user, '-d', database, '-c', 'SELECT 1']);
    return {
      port, database, user, password,
      dsn: `Driver={${driver}};Server=127.0.0.1;Port=${port};Database=${database};Uid=${user};Pwd=${password}`,
      url: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      async stop() {
        if (stopped) return;
        stopped = true;
        await shutdown();
        cleanup();
      },
      async restart() {
        if (stopped) throw new Error('restart() after stop()');
        await shutdown();
        current = await launch();
        // TCP comes a moment before logins (crash recovery / startup): wait until a query runs.
        for (let attempt = 0; ; attempt++) {
          try { execFileSync(psqlCmd, psqlArgs, { stdio: ['ignore', 'ignore', 'pipe'] }); break; } catch (e) {
            if (attempt > 100) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      },
    };
  } catch (e) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    cleanup();
    throw e;
  }
}

/**
 * flowd: the runtime's command line. Names and flags are an interface scripts depend on:
 *   flowd serve --config connect.yaml [--since 2026-11-30T00:00:00Z]
 *   flowd demo [--once] [--state-dir DIR] [--sagepro-profile NAME]
 *   flowd dlq list [--json] [--flow NAME] | dlq show <id> | dlq replay <id> | dlq replay --all [--flow NAME]
 *   flowd status [--json]
 *   flowd store check | store recover --to NEW.db
 *   flowd store migrate --from <sqlite file> --to <postgres url | env:NAME>   exit 0 migrated, 1 refused/failed, 2 usage
 *   flowd sandbox [--xcart-port P] [--read-token T] [--write-token T] [--state-dir DIR] [--sagepro-db FILE] [--sagepro-profile NAME] [--xcart-version 5.5.0|5.5.1] [--xcart-module]
 *   flowd doctor --config connect.yaml [--format json]     exit 0 all will work, 1 not, 2 usage/config
 *   flowd resync order <number>... | resync --since DATE [--until DATE]  [--force] [--json] [--config connect.yaml]
 *                                                          exit 0 every chosen order queued, 1 some not (or a failure), 2 usage/config
 *   flowd user add NAME --role viewer|operator|admin [--password-stdin] | user passwd NAME | user remove NAME | user list
 * Store-reading commands take --state-dir DIR (the store is DIR/flowd.db) or --config FILE.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import fs from 'node:fs';

const USAGE = `usage:
  flowd serve --config connect.yaml [--since <ISO date-time>]
  flowd demo [--once] [--state-dir DIR] [--sagepro-profile standard|minimal|vfp-modules]
  flowd dlq list [--json] [--flow NAME] [--state-dir DIR | --config FILE]
  flowd dlq show <id> [--state-dir DIR | --config FILE]
  flowd dlq replay <id> | --all [--flow NAME] [--state-dir DIR | --config FILE]
  flowd status [--json] [--state-dir DIR | --config FILE]
  flowd store check [--state-dir DIR | --config FILE]
  flowd store recover --to NEW.db [--state-dir DIR | --config FILE]
  flowd store migrate --from <sqlite file> --to <postgres url | env:NAME>
  flowd sandbox [--xcart-port <port>] [--read-token T] [--write-token T] [--state-dir DIR] [--sagepro-db FILE]
                [--sagepro-profile standard|minimal|vfp-modules] [--xcart-version 5.5.0|5.5.1] [--xcart-module]
  flowd doctor --config connect.yaml [--format json]
  flowd resync order <X-Cart order number>... [--force] [--json] [--config connect.yaml]
  flowd resync --since <ISO date> [--until <ISO date>] [--force] [--json] [--config connect.yaml]
  flowd user add NAME --role viewer|operator|admin [--password-stdin] [--state-dir DIR | --config FILE]
  flowd user passwd NAME [--password-stdin] | user remove NAME | user list [--json]
`;

/** Where `flowd demo` keeps its state (examples/demo/cli.ts), the store commands' default --state-dir. */
const DEFAULT_DEMO_DIR = '.state/demo';

/** What the launcher (bin/flowd.js) adds from outside the runtime: the designer's core for `serve`. */
export interface Extras { readonly designer?: import('./console/routes/designer.js').DesignerBackend }

export async function main(argv: string[], extras: Extras = {}): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'serve': return await serve(rest, extras);
      // `flowd demo` compiles flows, so it is not part of the runtime: bin/flowd.js runs examples/demo/cli.ts for it.
      case 'demo': process.stderr.write('flowd: the demo is run by bin/flowd.js (examples/demo/cli.ts), not by runtime/cli.ts\n'); return 2;
      case 'dlq': return await dlq(rest);
      case 'status': return await status(rest);
      case 'store': return await storeCommand(rest);
      case 'sandbox': return await sandbox(rest);
      case 'doctor': return await doctor(rest);
      case 'resync': return await resync(rest);
      case 'user': return await (await import('./console/user-cli.js')).userCommand(rest, openUserStore);
      case undefined: case '-h': case '--help':
        process.stdout.write(USAGE); return cmd ? 0 : 2;
      default:
        process.stderr.write(`flowd: unknown command '${cmd}'\n${USAGE}`); return 2;
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.name === 'ConfigError' || e.code?.startsWith('ERR_PARSE_ARGS')) { process.stderr.write(`flowd: ${e.message}\n`); return 2; }
    process.stderr.write(`flowd: ${e.message}\n`);
    return 1;
  }
}

async function serve(argv: string[], extras: Extras): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', default: 'connect.yaml' }, since: { type: 'string' } }, strict: true });
  const { loadConfig } = await import('./config/config.js');
  const { startService } = await import('./service.js');
  const config = loadConfig(path.resolve(values.config!));
  if (values.since !== undefined) {
    await pollXcartSince(config.store, values.since);
    const cut = config.connections.xcart.cutover;
    if (cut) process.stdout.write(`flowd: ${(await import('./cutover.js')).describeCutover(cut)}\n`);
  }
  let svc: Awaited<ReturnType<typeof startService>>;
  try {
    svc = await startService(config, extras.designer ? { designer: extras.designer } : {});
  } catch (err) {
    // A half-start (port taken, host unknown, flows unloadable) must not linger: startService closed
    // what it opened; should anything still hold the event loop, exit anyway shortly after.
    setTimeout(() => process.exit(1), 2000).unref();
    throw err;
  }
  process.stdout.write(`flowd serving ${svc.flows.size} flows on ${svc.url} (metrics ${svc.url}/metrics)\n`);
  await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  process.stdout.write('flowd: stopping (finishing in-flight jobs)\n');
  await svc.stop();
  return 0;
}

/**
 * `flowd serve --since T`: the X-Cart poller's watermark is set to T before the service starts, so
 * the first poll lists every order changed since T, whatever the store held (e.g. after the store
 * was lost or recreated and polling restarted at "now"). The watermark is stored, so a crash before
 * the first poll still starts there. Safe to repeat: events dedupe in the store and OrderToSalesOrder
 * finds an order already in Sage Pro by its external reference, so each order is exported once.
 */
async function pollXcartSince(storeSettings: import('./store/open.js').StoreSettings, since: string): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(since) || Number.isNaN(Date.parse(since.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')))) {
    throw Object.assign(new Error(`--since: '${since}' is not an ISO 8601 date-time with a zone, e.g. 2026-11-30T00:00:00Z`), { name: 'ConfigError' });
  }
  const ms = Date.parse(since.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (ms > Date.now()) throw Object.assign(new Error(`--since: '${since}' is in the future`), { name: 'ConfigError' });
  const { openConfiguredStore } = await import('./store/open.js');
  const { XCART_WATERMARK } = await import('./triggers/xcart-poll.js');
  const store = await openConfiguredStore(storeSettings);
  try {
    await store.setWatermark(XCART_WATERMARK, JSON.stringify({ since: new Date(ms).toISOString(), seen: [] }));
  } finally { await store.close(); }
  process.stdout.write(`flowd: X-Cart polling starts from ${new Date(ms).toISOString()} (--since)\n`);
}

/** The --sagepro-profile value, or undefined after printing the usage error (exit 2). */
async function sageproProfileFlag(name: string): Promise<string | undefined> {
  const { PROFILE_NAMES } = await import('./sandbox/sagepro/profiles.js');
  if ((PROFILE_NAMES as readonly string[]).includes(name)) return name;
  process.stderr.write(`flowd: --sagepro-profile: unknown profile '${name}' (profiles: ${PROFILE_NAMES.join(', ')})\n`);
  return undefined;
}

/** The store file named by --config FILE (its store.path) or --state-dir DIR (DIR/flowd.db). */
async function storeFile(values: { 'state-dir'?: string; config?: string }): Promise<string> {
  if (values.config) {
    const { loadConfig } = await import('./config/config.js');
    const st = loadConfig(path.resolve(values.config)).store;
    if (st.kind !== 'sqlite') throw new Error(`${values.config}: store.kind is ${st.kind}; this command reads a SQLite store file (flowd dlq and flowd status work on PostgreSQL)`);
    return st.path;
  }
  return path.join(path.resolve(values['state-dir'] ?? DEFAULT_DEMO_DIR), 'flowd.db');
}

async function openStore(values: { 'state-dir'?: string; config?: string }) {
  if (values.config) {
    const { loadConfig } = await import('./config/config.js');
    const st = loadConfig(path.resolve(values.config)).store;
    if (st.kind === 'postgres') return (await import('./store/open.js')).openConfiguredStore(st);
  }
  const { SqliteStore } = await import('./store/sqlite-store.js');
  const file = await storeFile(values);
  if (!fs.existsSync(file)) throw new Error(`no store at ${file} (give --state-dir DIR or --config FILE)`);
  return SqliteStore.open(file);
}

/** The store for `flowd user`: like openStore, but a SQLite store that does not exist yet is created (users come before the first run). */
async function openUserStore(values: { 'state-dir'?: string; config?: string }) {
  if (values.config) {
    const { loadConfig } = await import('./config/config.js');
    const st = loadConfig(path.resolve(values.config)).store;
    return (await import('./store/open.js')).openConfiguredStore(st);
  }
  const { SqliteStore } = await import('./store/sqlite-store.js');
  return SqliteStore.open(await storeFile(values));
}

const storeOptions = { 'state-dir': { type: 'string' }, config: { type: 'string' } } as const;
const when = (ms: number | null) => (ms ? new Date(ms).toISOString() : '-');

async function dlq(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true,
    options: { ...storeOptions, json: { type: 'boolean', default: false }, flow: { type: 'string' }, all: { type: 'boolean', default: false } } });
  const store = await openStore(values);
  try {
    switch (sub) {
      case 'list': {
        const list = await store.listDeadLetters({ ...(values.flow ? { flow: values.flow } : {}), limit: 1000 });
        if (values.json) { process.stdout.write(JSON.stringify(list, null, 2) + '\n'); return 0; }
        if (!list.length) { process.stdout.write('the dead-letter queue is empty\n'); return 0; }
        for (const d of list) {
          process.stdout.write(`${String(d.id).padStart(5)}  ${when(d.createdAt)}  ${d.flow}@${d.flowVersion.slice(0, 8)}  ${d.errorClass}  ${d.reason}${d.site ? `  (${d.site})` : ''}${d.replayedAt ? `  [replayed as job ${d.replayJobId}]` : ''}\n`);
        }
        return 0;
      }
      case 'show': {
        const id = Number(positionals[0]);
        if (!Number.isInteger(id)) throw new Error('usage: flowd dlq show <id>');
        const d = await store.getDeadLetter(id);
        if (!d) { process.stderr.write(`flowd: no dead-letter entry ${id}\n`); return 1; }
        process.stdout.write(JSON.stringify(d, null, 2) + '\n');
        return 0;
      }
      case 'replay': {
        if (values.all) {
          const r = await store.replayAll(values.flow ? { flow: values.flow } : {});
          process.stdout.write(`replayed ${r.length} entr${r.length === 1 ? 'y' : 'ies'}${r.length ? `: jobs ${r.map((x) => x.jobId).join(', ')}` : ''}\n`);
          return 0;
        }
        const id = Number(positionals[0]);
        if (!Number.isInteger(id)) throw new Error('usage: flowd dlq replay <id> | --all [--flow NAME]');
        const r = await store.replay(id);
        if (!r) { process.stderr.write(`flowd: no dead-letter entry ${id}\n`); return 1; }
        process.stdout.write(r.alreadyReplayed ? `entry ${id} was already replayed as job ${r.jobId}\n` : `entry ${id} replayed as job ${r.jobId} (runs through the currently deployed flow version)\n`);
        return 0;
      }
      default:
        throw new Error(`usage: flowd dlq list|show|replay ...`);
    }
  } finally { await store.close(); }
}

async function status(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { ...storeOptions, json: { type: 'boolean', default: false } } });
  const store = await openStore(values);
  try {
    const s = await store.status();
    if (values.json) { process.stdout.write(JSON.stringify(s, null, 2) + '\n'); return 0; }
    process.stdout.write(`queue depth ${s.queueDepth} (ready ${s.totals.ready}, running ${s.totals.running}); dead letters ${s.totals.deadLettered}\n`);
    for (const f of s.flows) {
      const last = f.lastRun ? `last run ${when(f.lastRun.at)} ${f.lastRun.outcome}` : 'no runs yet';
      process.stdout.write(`  ${f.flow.padEnd(28)} queued ${f.queued}  running ${f.running}  dead ${f.deadLettered}  ${last}${f.lastError ? `  last error: ${f.lastError.error}` : ''}\n`);
    }
    return 0;
  } finally { await store.close(); }
}

/** `flowd doctor`: read-only preflight of the install (runtime/doctor/README.md). 0 all will work, 1 not, 2 usage/config. */
async function doctor(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { config: { type: 'string', default: 'connect.yaml' }, format: { type: 'string', default: 'human' } } });
  if (values.format !== 'human' && values.format !== 'json') {
    process.stderr.write(`flowd: --format must be human or json, not '${values.format}'\n`);
    return 2;
  }
  const { loadConfig } = await import('./config/config.js');
  const { runDoctor, doctorOptions } = await import('./doctor/doctor.js');
  const { DeployedFlowsError, loadDeployedFlows } = await import('./doctor/deployed.js');
  const { renderHuman, renderJson, exitCode } = await import('./doctor/report.js');
  const { scrubSecrets } = await import('./observability/logger.js');
  const config = loadConfig(path.resolve(values.config!));
  const secrets = config.secrets.map((s) => s.reveal()).filter((s) => s.length > 0);
  const opts = doctorOptions(config);
  let findings;
  try {
    findings = await runDoctor(opts);
  } catch (e) {
    if (e instanceof DeployedFlowsError) { process.stderr.write(`flowd: ${scrubSecrets(e.message, secrets)}\n`); return 2; }
    throw new Error(scrubSecrets((e as Error).message, secrets));
  }
  const sources = new Map(loadDeployedFlows(opts.flowsDir).map((f) => [f.name, f.source] as const));
  const text = values.format === 'json' ? renderJson(findings) : renderHuman(findings, sources);
  process.stdout.write(scrubSecrets(text, secrets));
  return exitCode(findings);
}

/**
 * `flowd resync order <number>...` / `flowd resync --since DATE [--until DATE]`: re-runs the chosen
 * X-Cart orders through the deployed flows (runtime/resync.ts), on the store of connect.yaml (SQLite
 * or PostgreSQL; a running flowd picks the jobs up). One line per order not queued (stderr), then
 * the summary `orders=N enqueued=N already_queued=N refused_before_cutover=N` (stdout).
 * Exit 0: every chosen order is queued (enqueued now or already); 1: some are not (before the
 * cutover without --force, not in X-Cart, unreadable, no flow) or X-Cart or the store failed; 2: usage.
 */
async function resync(argv: string[]): Promise<number> {
  const usage = (m: string) => Object.assign(new Error(`${m}\nusage: flowd resync order <number>... | flowd resync --since DATE [--until DATE]  [--force] [--json] [--config connect.yaml]`), { code: 'ERR_PARSE_ARGS_USAGE' });
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    config: { type: 'string', default: 'connect.yaml' }, since: { type: 'string' }, until: { type: 'string' },
    force: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
  } });
  const [what, ...numbers] = positionals;
  if (what !== undefined && what !== 'order') throw usage(`flowd resync: unknown '${what}' (resync order <number> or resync --since DATE)`);
  if (what === 'order' && !numbers.length) throw usage('flowd resync order: give the X-Cart order number');
  if (what === 'order' && values.since !== undefined) throw usage('flowd resync: give order numbers or --since, not both');
  if (what === undefined && values.since === undefined) throw usage(values.until !== undefined ? 'flowd resync: --until needs --since' : 'flowd resync: choose the orders');
  const { resyncOrders, parseResyncDate, ResyncRequestError } = await import('./resync.js');
  const range: { since?: Date; until?: Date } = {};
  try {
    if (values.since !== undefined) range.since = parseResyncDate(values.since, '--since');
    if (values.until !== undefined) range.until = parseResyncDate(values.until, '--until');
  } catch (e) { throw usage((e as Error).message); }
  if (range.since && range.since.getTime() > Date.now()) throw usage(`--since: '${values.since}' is in the future`);
  const { loadConfig } = await import('./config/config.js');
  const { scrubSecrets } = await import('./observability/logger.js');
  const config = loadConfig(path.resolve(values.config!));
  const secrets = config.secrets.map((s) => s.reveal()).filter((s) => s.length > 0);
  const { loadFlows } = await import('./engine/flows.js');
  const { XcartConnector } = await import('./connectors/xcart/connector.js');
  const { openConfiguredStore } = await import('./store/open.js');
  const flows = await loadFlows(config.flows.dir);
  const xc = config.connections.xcart;
  const schemaDir = path.join(config.flows.schemas, 'xcart');
  const xcart = new XcartConnector({ ...(fs.existsSync(path.join(schemaDir, 'operations.yaml')) ? { schemaDir } : {}),
    baseUrl: xc.baseUrl, token: xc.token.reveal(), ratePerSecond: xc.ratePerSecond, timeoutMs: xc.timeoutMs, changedFilter: xc.changedFilter, connections: xc.concurrency });
  try {
    const store = await openConfiguredStore(config.store);
    try {
      const r = await resyncOrders({ store, xcart, flows, ...(xc.cutover ? { cutover: xc.cutover } : {}) },
        { ...(numbers.length ? { numbers } : {}), ...range, force: values.force });
      if (values.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else {
        for (const o of r.results) {
          if (o.status === 'enqueued' || o.status === 'already_queued') continue;
          process.stderr.write(scrubSecrets(`flowd resync: ${o.number ?? `order id ${o.orderId ?? '?'}`}: ${o.status}: ${o.reason ?? ''}\n`, secrets));
        }
        process.stdout.write(`${r.summary}\n`);
      }
      return r.results.every((o) => o.status === 'enqueued' || o.status === 'already_queued') ? 0 : 1;
    } catch (e) {
      if (e instanceof ResyncRequestError) throw usage(e.message);
      throw new Error(scrubSecrets((e as Error).message, secrets));
    } finally { await store.close(); }
  } finally { await xcart.close(); }
}

/** flowd store check: exit 0 when sound, 1 listing what is wrong. flowd store recover --to NEW.db: salvage into a new file. */
async function storeCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, strict: true, options: { ...storeOptions, to: { type: 'string' }, from: { type: 'string' } } });
  if (sub === 'migrate') return storeMigrate(values);
  if (values.from !== undefined) throw Object.assign(new Error(`--from is for flowd store migrate only`), { code: 'ERR_PARSE_ARGS_USAGE' });
  const { checkStoreFile, recoverStore } = await import('./store/recover.js');
  const file = await storeFile(values);
  switch (sub) {
    case 'check': {
      const problems = checkStoreFile(file);
      if (!problems.length) { process.stdout.write(`${file}: sound\n`); return 0; }
      process.stdout.write(`${file}: damaged (${problems.length} problem${problems.length === 1 ? '' : 's'})\n${problems.map((p) => `  ${p}`).join('\n')}\n` +
        `keep what can be read: flowd store recover --to NEW.db ${values.config ? `--config ${values.config}` : `--state-dir ${values['state-dir'] ?? DEFAULT_DEMO_DIR}`} (runtime/store/README.md)\n`);
      return 1;
    }
    case 'recover': {
      if (!values.to) throw Object.assign(new Error('usage: flowd store recover --to NEW.db [--state-dir DIR | --config FILE]'), { code: 'ERR_PARSE_ARGS_USAGE' });
      const r = recoverStore(file, path.resolve(values.to));
      process.stdout.write(`recovered ${r.from} into ${r.to}\n`);
      for (const t of r.tables) {
        const lost = t.unreadable === null ? (t.damaged ? ', some unreadable (damaged pages; how many is unknown)' : '') : t.unreadable ? `, ${t.unreadable} unreadable` : '';
        process.stdout.write(`  ${t.table.padEnd(18)} kept ${t.kept}${lost}${t.refused ? `, ${t.refused} refused (damaged values)` : ''}\n`);
      }
      const rp = r.repairs;
      process.stdout.write(`  repairs: ${rp.jobsRebuiltFromDeadLetters} job(s) rebuilt from dead letters, ${rp.deadLettersRebuiltFromJobs} dead letter(s) rebuilt from jobs, ${rp.replaysForgotten} replay(s) to do again, ${rp.deadLettersDropped} dead letter(s) dropped\n`);
      if (r.problems.length) { process.stdout.write(`the new store is not sound:\n${r.problems.map((p) => `  ${p}`).join('\n')}\n`); return 1; }
      process.stdout.write(`${r.to}: sound. Stop flowd, keep ${r.from} aside, move ${r.to} to its path, start flowd (runtime/store/README.md, "A damaged store")\n`);
      return 0;
    }
    default:
      throw Object.assign(new Error('usage: flowd store check | store recover --to NEW.db [--state-dir DIR | --config FILE] | store migrate --from <sqlite file> --to <postgres url | env:NAME>'), { code: 'ERR_PARSE_ARGS_USAGE' });
  }
}

/**
 * flowd store migrate --from <sqlite file> --to <postgres url | env:NAME>: the SQLite store into an
 * empty PostgreSQL store, in one transaction, verified (runtime/store/README.md, "Moving a SQLite
 * store to PostgreSQL"). The URL's password is never printed: messages show it as ***.
 */
async function storeMigrate(values: { from?: string; to?: string; 'state-dir'?: string; config?: string }): Promise<number> {
  const usage = (why: string) => Object.assign(new Error(`${why}\nusage: flowd store migrate --from <sqlite file> --to <postgres url | env:NAME>`), { code: 'ERR_PARSE_ARGS_USAGE' });
  if (values['state-dir'] !== undefined || values.config !== undefined) throw usage('store migrate takes --from and --to, not --state-dir or --config');
  if (!values.from) throw usage('--from <sqlite file> is required');
  if (!values.to) throw usage('--to <postgres url | env:NAME> is required');
  const { redactUrl } = await import('./store/postgres-store.js');
  const { scrubSecrets } = await import('./observability/logger.js');
  let url = values.to;
  let origin = '--to is';
  const env = /^env:(.+)$/.exec(url);
  if (env) {
    origin = `--to env:${env[1]}: environment variable ${env[1]} holds`;
    const v = process.env[env[1]!];
    if (v === undefined || v === '') throw usage(`--to env:${env[1]}: environment variable ${env[1]} is not set`);
    url = v;
  }
  // Only the redacted form is ever shown (the value may hold a password even when it is not a URL).
  if (!/^postgres(ql)?:\/\//.test(url)) throw usage(`${origin} not a postgres:// URL (${/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? redactUrl(url) : 'not a URL'})`);
  const secrets = [url, ...(() => { try { const p = decodeURIComponent(new URL(url).password); return p ? [p, new URL(url).password] : []; } catch { return []; } })()];
  const { migrateSqliteToPostgres } = await import('./store/migrate.js');
  const from = path.resolve(values.from);
  let r;
  try {
    r = await migrateSqliteToPostgres(from, url);
  } catch (err) {
    process.stderr.write(`flowd: ${scrubSecrets((err as Error).message, secrets)}\n`);
    return 1;
  }
  process.stdout.write(`migrated ${r.from} into ${r.to} (schema ${r.schema}), one transaction, every row read back and compared\n`);
  for (const t of r.tables) process.stdout.write(`  ${t.table.padEnd(18)} ${String(t.read).padStart(8)} rows, ${t.verified} verified\n`);
  const states = ['queued', 'running', 'done', 'skipped', 'duplicate', 'dead_letter'].filter((s) => r.jobStates[s]).map((s) => `${r.jobStates[s]} ${s}`).join(', ');
  process.stdout.write(`  jobs by state: ${states || 'none'}${r.leasedRequeued ? `; ${r.leasedRequeued} leased job(s) are pending again (their worker was stopped)` : ''}\n`);
  process.stdout.write(`next: set store: { kind: postgres, url: { env: FLOWD_DATABASE_URL } } in connect.yaml and start flowd; keep ${r.from} aside and do not start flowd on it again (it would run its queue a second time)\n`);
  return 0;
}

async function sandbox(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'xcart-port': { type: 'string', default: '8089' },
      'read-token': { type: 'string' },
      'write-token': { type: 'string' },
      'state-dir': { type: 'string', default: '.state/sandbox' },
      'sagepro-db': { type: 'string' },
      'sagepro-profile': { type: 'string', default: 'standard' },
      'xcart-version': { type: 'string', default: '5.5.0' },
      // The store has the Connect X-Cart module (xcart-module/): its /api/connect/ endpoints answer.
      'xcart-module': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const profile = await sageproProfileFlag(values['sagepro-profile']!);
  if (profile === undefined) return 2;
  const { startXcartSandbox, XCART_VERSIONS } = await import('./sandbox/xcart/server.js');
  const version = values['xcart-version']!;
  if (!(XCART_VERSIONS as readonly string[]).includes(version)) {
    throw Object.assign(new Error(`--xcart-version must be one of ${XCART_VERSIONS.join(', ')}, not '${version}'`), { name: 'ConfigError' });
  }
  const stateDir = path.resolve(values['state-dir']!);
  fs.mkdirSync(stateDir, { recursive: true });
  const { createSageProSandbox, sageproYaml } = await import('./sandbox/sagepro/database.js');
  const sage = await createSageProSandbox({ dbPath: path.resolve(values['sagepro-db'] ?? path.join(stateDir, 'sagepro.db')), profile });
  const xc = await startXcartSandbox({
    port: Number(values['xcart-port']),
    ...(values['read-token'] ? { readToken: values['read-token'] } : {}),
    ...(values['write-token'] ? { writeToken: values['write-token'] } : {}),
    stateDir,
    xcartVersion: version as (typeof XCART_VERSIONS)[number],
    connectModule: values['xcart-module'] === true,
  });
  process.stdout.write(
    `X-Cart sandbox:   ${xc.url}  (X-Cart ${xc.version}${xc.connectModule.installed ? ', with the Connect module' : ''})\n` +
    `  read token:     ${xc.readToken}\n` +
    `  write token:    ${xc.writeToken}\n` +
    `Sage Pro sandbox: ${sage.dsn}\n` +
    `  profile:        ${sage.profile}\n` +
    Object.entries(sage.attach).map(([m, f]) => `  attach:         ATTACH DATABASE '${f}' AS ${m}\n`).join('') +
    `connect.yaml for this install (under connections:):\n` +
    sageproYaml(sage.profile, sage.siteConfig, ['dsn: { file: sagepro_dsn }']).join('\n') + '\n');
  await new Promise<void>((resolve) => {
    const stop = () => { void xc.close().then(() => resolve()); };
    process.once('SIGINT', stop); process.once('SIGTERM', stop);
  });
  return 0;
}

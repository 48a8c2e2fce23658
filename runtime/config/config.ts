/**
 * connect.yaml: the configuration of flowd. `loadConfig(file)` reads the YAML, validates it against
 * `connect.schema.json` (JSON Schema 2020-12, ajv) with defaults applied, resolves every secret
 * reference, converts durations to milliseconds and relative paths to absolute ones, and returns a
 * `Config` with camelCase keys. Every problem is a `ConfigError` whose message names the file and
 * the key, e.g. `connect.yaml:4:29: /connections/xcart/base_url: must be a URL (http:// or https://)`.
 * See runtime/config/README.md for the keys and examples/connect.yaml for a complete example.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import YAML from 'yaml';
import { DURATION_RANGES, parseDuration } from './duration.js';
import { numberingFromRaw, type NumberingOptions, type RawNumbering } from '../connectors/sagepro/numbering.js';
import { resolveSecret, Secret, SecretError, type SecretRef } from './secret.js';
import type { TextRules } from '../text/codepage.js';
import { cutoverDateMs, type Cutover } from '../cutover.js';

export { parseDuration } from './duration.js';
export { resolveSecret, Secret, SecretError, type SecretRef, type SecretSource, type ResolveSecretOptions } from './secret.js';

export interface Config {
  /** Absolute path of the file the configuration was read from. */
  readonly file: string;
  /** `maxConcurrentPushes`: pushes handled at once; past it 503 with Retry-After (back-pressure). */
  readonly http: { readonly port: number; readonly host: string; readonly maxConcurrentPushes: number };
  /**
   * The runtime store: a SQLite file (`path` absolute), or a PostgreSQL database shared by several
   * flowd processes (`url`, a secret: it usually holds the password).
   */
  readonly store:
    | { readonly kind: 'sqlite'; readonly path: string }
    /** `leaderTtlMs`: a poll leader that stops renewing loses its sources after this long (store.leader_ttl). */
    | { readonly kind: 'postgres'; readonly url: Secret; readonly leaderTtlMs: number };
  /**
   * Output folder of `flowc build` (holds manifest.json); absolute. `schemas`: the folder of the
   * entity schemas and operation catalogs the connectors validate against (`xcart/`, `sagepro/`);
   * default `<dir>/schemas`, which flowc build writes; absolute.
   */
  readonly flows: { readonly dir: string; readonly schemas: string };
  readonly connections: {
    readonly xcart: {
      readonly baseUrl: string;
      readonly token: Secret;
      readonly ratePerSecond: number;
      readonly concurrency: number;
      readonly changedFilter: 'auto' | 'lastRenewDate' | 'scan';
      readonly timeoutMs: number;
      /**
       * The cutover start (`cutover`): orders placed before `beforeMs` or numbered below
       * `beforeNumber` are never exported (runtime/cutover.ts). Absent: every order is.
       */
      readonly cutover?: Cutover;
      /** `module`: whether the store has the Connect X-Cart module (xcart-module/); auto probes it. */
      readonly module: 'auto' | boolean;
      /** `tracking`: where Sage Pro tracking numbers go (runtime/connectors/xcart/tracking.ts). */
      readonly tracking: 'auto' | 'module' | 'staff_note' | 'skip';
    };
    readonly sagepro: {
      readonly dsn: Secret;
      /** SQL dialect of the ODBC source; absent means the connector detects it. */
      readonly dialect?: 'vfp' | 'mssql' | 'sqlite' | 'postgres';
      readonly company: string;
      readonly concurrency: number;
      readonly externalRefColumn: string;
      /** `tracking_column`: the SOMAST column holding a shipment's tracking number (default SOTRACK; never required). */
      readonly trackingColumn: string;
      /** How text is stored (`text`): the install's code page and the rules for what it cannot hold. */
      readonly text: TextRules;
      /** Location for orders and lines without one (`default_location`, default MAIN). */
      readonly defaultLocation: string;
      /** How next numbers are assigned (`numbering.sales_order`, `numbering.ar_session`); absent counters are not set. */
      readonly numbering: NumberingOptions;
      /** Table name template per module (`modules`), e.g. { AR: 'ardata.{table}{company}' }. */
      readonly modules?: Readonly<Record<string, string>>;
      /** Table name per logical table (`tables`); wins over modules. */
      readonly tables?: Readonly<Record<string, string>>;
      /** SQLite only: name → absolute database file, ATTACHed on each connection (`attach`). */
      readonly attach?: Readonly<Record<string, string>>;
    };
  };
  readonly triggers: {
    readonly xcartPoll: { readonly enabled: boolean; readonly everyMs: number };
    /** Signed push on POST /hooks/xcart. `secret` is present whenever `enabled` is true. */
    readonly push: { readonly enabled: boolean; readonly secret?: Secret; readonly toleranceMs: number };
    /** Default interval of Sage Pro polls; a flow's own `every` wins. */
    readonly sageproPoll: { readonly enabled: boolean; readonly everyMs: number };
  };
  readonly workers: { readonly count: number; readonly leaseMs: number };
  readonly alerts?: { readonly url: string; readonly afterConnectionDownMs: number };
  /** Anomaly detection (runtime/anomaly/): on by default; no flag before a flow has `warmupRuns` runs. */
  readonly anomaly: { readonly enabled: boolean; readonly warmupRuns: number };
  /** `file` is absolute; without it flowd logs to stdout. */
  readonly log: { readonly level: LogLevel; readonly file?: string };
  /** The operations console (runtime/console/): on by default; sessions last `sessionTtlMs`; the SPA's files in `dir`; the visual designer edits the `.flow` files of `designerDir`. */
  readonly console: { readonly enabled: boolean; readonly sessionTtlMs: number; readonly dir?: string; readonly designerDir?: string };
  /** Every resolved secret, e.g. for `scrubSecrets(text, config.secrets.map((s) => s.reveal()))`. */
  readonly secrets: readonly Secret[];
  /** Things that load but deserve a warning at start-up (inline secret values). */
  readonly warnings: readonly string[];
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** One problem in a config file: the key (a JSON pointer) and what is wrong with it. */
export interface ConfigIssue {
  /** JSON pointer of the key, e.g. `/connections/xcart/base_url` (`/` for the whole file). */
  readonly key: string;
  readonly message: string;
  /** 1-based position of the key's value in the file, when known. */
  readonly line?: number;
  readonly column?: number;
}

/** The configuration cannot be used. `message` lists every issue, one per line, each naming file and key. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(readonly file: string, issues: readonly ConfigIssue[]) {
    const sorted = [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    super(sorted.map((i) => formatIssue(file, i)).join('\n'));
    this.issues = sorted;
    this.name = 'ConfigError';
  }
}

function formatIssue(file: string, i: ConfigIssue): string {
  const pos = i.line !== undefined ? `:${i.line}:${i.column ?? 1}` : '';
  return `${file}${pos}: ${i.key}: ${i.message}`;
}

export interface LoadConfigOptions {
  /** Directory that relative paths (store, flows, log, secret files) resolve against. Default: the config file's directory. */
  baseDir?: string;
}

/**
 * Reads, validates and resolves a connect.yaml. Relative paths resolve against the directory of
 * the file (so the meaning of a config does not depend on where flowd is started). Throws
 * `ConfigError` listing every problem found.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, opts: LoadConfigOptions = {}): Config {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ key: '/', message: `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
  }
  return parseConfig(text, file, env, { baseDir: opts.baseDir ?? path.dirname(abs) });
}

/** As `loadConfig`, from text; `file` names the source in messages. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env, opts: LoadConfigOptions = {}): Config {
  const baseDir = opts.baseDir ?? path.dirname(path.resolve(file));
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(file, doc.errors.map((e) => ({
      key: '/', message: `YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      line: e.linePos?.[0].line, column: e.linePos?.[0].col,
    })));
  }
  const raw: unknown = doc.toJS() ?? {};
  const locate = (key: string): Pick<ConfigIssue, 'line' | 'column'> => {
    const segs = key.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    // The deepest node that exists: a missing key points at its parent.
    for (let n = segs.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(segs.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) { const p = lineCounter.linePos(range[0]); return { line: p.line, column: p.col }; }
    }
    return {};
  };

  const validate = compiledSchema();
  if (!validate(raw)) {
    throw new ConfigError(file, schemaIssues(validate.errors ?? []).map((i) => ({ ...i, ...locate(i.key) })));
  }
  const c = raw as RawConfig;

  const issues: ConfigIssue[] = [];
  const secrets: Secret[] = [];
  const warnings: string[] = [];
  const secret = (ref: SecretRef, key: string): Secret => {
    try {
      const s = resolveSecret(ref, { env, baseDir });
      if (s.inline) warnings.push(formatIssue(file, { key, ...locate(key), message: 'secret written inline ({ value }): acceptable for the sandbox only; use { env } or { file }' }));
      secrets.push(s);
      return s;
    } catch (err) {
      if (!(err instanceof SecretError)) throw err;
      issues.push({ key, ...locate(key), message: err.message });
      return new Secret('');
    }
  };
  const abs = (p: string) => path.resolve(baseDir, p);
  // A duration key in ms, checked against its sane range (DURATION_RANGES).
  const duration = (text: string, key: string): number => {
    const ms = parseDuration(text);
    const r = DURATION_RANGES[key];
    if (r && (ms < r.minMs || ms > r.maxMs)) issues.push({ key, ...locate(key), message: `must be from ${r.min} to ${r.max} (got ${text})` });
    return ms;
  };

  const xc = c.connections.xcart;
  const sp = c.connections.sagepro;
  const sageproNumbering = (raw: RawConfig['connections']['sagepro']['numbering']): NumberingOptions => {
    try { return numberingFromRaw(raw); } catch (e) {
      // numberingFromRaw names the key as sagepro.numbering.<counter>.<field>.
      const m = /^sagepro\.numbering\.(\S+?):\s*(.*)$/.exec((e as Error).message);
      const key = `/connections/sagepro/numbering${m ? `/${m[1]!.replace(/\./g, '/')}` : ''}`;
      issues.push({ key, ...locate(key), message: m ? m[2]! : (e as Error).message });
      return {};
    }
  };

  const storeOf = (st: RawConfig['store']): Config['store'] => {
    const leaderTtlMs = duration(st.leader_ttl, '/store/leader_ttl');
    if (st.kind === 'postgres') {
      if (!st.url) {
        issues.push({ key: '/store/url', ...locate('/store'), message: 'is required when kind is postgres (e.g. url: { env: FLOWD_DATABASE_URL })' });
        return { kind: 'postgres', url: new Secret(''), leaderTtlMs };
      }
      return { kind: 'postgres', url: secret(st.url, '/store/url'), leaderTtlMs };
    }
    if (st.url) issues.push({ key: '/store/url', ...locate('/store/url'), message: 'is only for kind postgres (a SQLite store is the file at store.path)' });
    return { kind: 'sqlite', path: abs(st.path) };
  };

  // connections.xcart.cutover: at least one bound; a date the calendar has; a future date is
  // allowed (a switch planned ahead) but said at start, since it holds back every new order until then.
  const cutoverOf = (raw: NonNullable<RawConfig['connections']['xcart']['cutover']>): Cutover | undefined => {
    const key = '/connections/xcart/cutover';
    if (raw.before_date === undefined && raw.before_number === undefined) {
      issues.push({ key, ...locate(key), message: 'give before_date (orders placed before it are not exported), before_number (orders numbered below it are not), or both' });
      return undefined;
    }
    let beforeMs: number | undefined;
    if (raw.before_date !== undefined) {
      const ms = cutoverDateMs(raw.before_date);
      if (Number.isNaN(ms)) issues.push({ key: `${key}/before_date`, ...locate(`${key}/before_date`), message: `'${raw.before_date}' is not a date the calendar has` });
      else {
        beforeMs = Math.floor(ms / 1000) * 1000; // X-Cart keeps whole seconds
        if (beforeMs > Date.now()) warnings.push(formatIssue(file, { key: `${key}/before_date`, ...locate(`${key}/before_date`), message: `is in the future: every order placed until ${new Date(beforeMs).toISOString()} is held back` }));
      }
    }
    return {
      ...(beforeMs !== undefined ? { beforeMs, beforeDate: raw.before_date! } : {}),
      ...(raw.before_number !== undefined ? { beforeNumber: raw.before_number } : {}),
    };
  };
  const cutover = xc.cutover ? cutoverOf(xc.cutover) : undefined;

  const push = c.triggers.push;
  if (push.enabled && !push.secret) issues.push({ key: '/triggers/push/secret', ...locate('/triggers/push'), message: 'is required when push is enabled' });

  const config: Config = {
    file: path.resolve(file),
    http: { port: c.http.port, host: c.http.host, maxConcurrentPushes: c.http.max_concurrent_pushes },
    store: storeOf(c.store),
    flows: { dir: abs(c.flows.dir), schemas: c.flows.schemas === undefined ? path.join(abs(c.flows.dir), 'schemas') : abs(c.flows.schemas) },
    connections: {
      xcart: {
        baseUrl: xc.base_url,
        token: secret(xc.token, '/connections/xcart/token'),
        ratePerSecond: xc.rate_per_second,
        concurrency: xc.concurrency,
        changedFilter: xc.changed_filter,
        timeoutMs: duration(xc.timeout, '/connections/xcart/timeout'),
        ...(cutover ? { cutover } : {}),
        module: xc.module,
        tracking: xc.tracking,
      },
      sagepro: {
        dsn: secret(sp.dsn, '/connections/sagepro/dsn'),
        ...(sp.dialect ? { dialect: sp.dialect } : {}),
        company: sp.company,
        concurrency: sp.concurrency,
        externalRefColumn: sp.external_ref_column,
        trackingColumn: sp.tracking_column,
        text: { codePage: sp.text.code_page, unmappable: sp.text.unmappable, control: sp.text.control },
        defaultLocation: sp.default_location,
        numbering: sageproNumbering(sp.numbering),
        ...(sp.modules ? { modules: sp.modules } : {}),
        ...(sp.tables ? { tables: sp.tables } : {}),
        ...(sp.attach ? { attach: Object.fromEntries(Object.entries(sp.attach).map(([k, v]) => [k, abs(v)])) } : {}),
      },
    },
    triggers: {
      xcartPoll: { enabled: c.triggers.xcart_poll.enabled, everyMs: duration(c.triggers.xcart_poll.every, '/triggers/xcart_poll/every') },
      push: {
        enabled: push.enabled,
        // An unused secret is not required to exist: a disabled push may keep its reference.
        ...(push.secret && push.enabled ? { secret: secret(push.secret, '/triggers/push/secret') } : {}),
        toleranceMs: duration(push.tolerance, '/triggers/push/tolerance'),
      },
      sageproPoll: { enabled: c.triggers.sagepro_poll.enabled, everyMs: duration(c.triggers.sagepro_poll.every, '/triggers/sagepro_poll/every') },
    },
    workers: { count: c.workers.count, leaseMs: duration(c.workers.lease, '/workers/lease') },
    ...(c.alerts ? { alerts: { url: c.alerts.url, afterConnectionDownMs: duration(c.alerts.after_connection_down, '/alerts/after_connection_down') } } : {}),
    anomaly: { enabled: c.anomaly.enabled, warmupRuns: c.anomaly.warmup_runs },
    log: { level: c.log.level, ...(c.log.file ? { file: abs(c.log.file) } : {}) },
    console: { enabled: c.console.enabled, sessionTtlMs: duration(c.console.session_ttl, '/console/session_ttl'), ...(c.console.dir ? { dir: abs(c.console.dir) } : {}), ...(c.console.designer_dir ? { designerDir: abs(c.console.designer_dir) } : {}) },
    secrets,
    warnings,
  };
  if (issues.length) throw new ConfigError(file, issues);
  return config;
}

// ---- schema -----------------------------------------------------------------------------------

/** connect.yaml after validation and defaults (snake_case, durations still text). */
interface RawConfig {
  http: { port: number; host: string; max_concurrent_pushes: number };
  store: { kind: 'sqlite' | 'postgres'; path: string; url?: SecretRef; leader_ttl: string };
  flows: { dir: string; schemas?: string };
  connections: {
    xcart: { base_url: string; token: SecretRef; rate_per_second: number; concurrency: number; changed_filter: 'auto' | 'lastRenewDate' | 'scan'; timeout: string; module: 'auto' | boolean; tracking: 'auto' | 'module' | 'staff_note' | 'skip';
      cutover?: { before_date?: string; before_number?: number } };
    sagepro: {
      dsn: SecretRef; dialect?: 'vfp' | 'mssql' | 'sqlite' | 'postgres'; company: string; concurrency: number; external_ref_column: string; tracking_column: string;
      text: { code_page: string; unmappable: TextRules['unmappable']; control: TextRules['control'] };
      default_location: string; numbering?: Partial<Record<'sales_order' | 'ar_session', RawNumbering>>;
      modules?: Record<string, string>; tables?: Record<string, string>; attach?: Record<string, string>;
    };
  };
  triggers: {
    xcart_poll: { every: string; enabled: boolean };
    push: { enabled: boolean; secret?: SecretRef; tolerance: string };
    sagepro_poll: { every: string; enabled: boolean };
  };
  workers: { count: number; lease: string };
  alerts?: { url: string; after_connection_down: string };
  anomaly: { enabled: boolean; warmup_runs: number };
  log: { level: LogLevel; file?: string };
  console: { enabled: boolean; session_ttl: string; dir?: string; designer_dir?: string };
}

export const CONFIG_SCHEMA_FILE = new URL('./connect.schema.json', import.meta.url);

let compiled: ReturnType<Ajv2020['compile']> | undefined;
function compiledSchema(): ReturnType<Ajv2020['compile']> {
  if (compiled) return compiled;
  const schema = JSON.parse(fs.readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as object;
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, verbose: true, strict: true });
  ajv.addKeyword({ keyword: 'x-error', schemaType: 'string' });
  ajv.addFormat('http-url', (s: string) => {
    try { const u = new URL(s); return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== ''; } catch { return false; }
  });
  compiled = ajv.compile(schema);
  return compiled;
}

/** ajv errors → one issue per key, in the user's words. */
function schemaIssues(errors: readonly ErrorObject[]): ConfigIssue[] {
  const out = new Map<string, ConfigIssue>();
  const add = (key: string, message: string) => { if (!out.has(key)) out.set(key, { key, message }); };
  for (const e of errors) {
    const at = e.instancePath || '';
    const custom = (e.parentSchema as { 'x-error'?: string } | undefined)?.['x-error'];
    if (e.keyword === 'required') {
      add(`${at}/${(e.params as { missingProperty: string }).missingProperty}`, 'is required');
    } else if (custom) {
      add(at || '/', custom);
    } else if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      const hint = didYouMean(extra, known);
      add(`${at}/${extra}`, `unknown key${hint ? `; did you mean '${hint}'?` : ` (expected one of: ${known.join(', ')})`}`);
    } else if (e.keyword === 'type') {
      add(at || '/', `must be ${article((e.params as { type: string }).type)}`);
    } else {
      add(at || '/', e.message ?? 'is not valid');
    }
  }
  return [...out.values()];
}

function article(type: string): string {
  return type === 'object' ? 'a mapping' : type === 'integer' ? 'a whole number' : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The candidate within edit distance 2 of `name`, if exactly one is closest. */
function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) { best = c; bestD = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

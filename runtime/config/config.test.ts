import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, parseDuration, resolveSecret, Secret } from './config.js';
import { createLogger } from '../observability/logger.js';
import { CODE_PAGES, DEFAULT_TEXT_RULES } from '../text/codepage.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/connect.yaml', import.meta.url));

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-config-')); });
afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

const MINIMAL = `
connections:
  xcart: { base_url: "http://127.0.0.1:8089", token: { env: XCART_TOKEN } }
  sagepro: { dsn: { env: SAGEPRO_DSN } }
`;
const ENV = { XCART_TOKEN: 'xc-token-1234', SAGEPRO_DSN: 'Driver=SQLite3;Database=/tmp/s.db;PWD=hunter22' };

/** The ConfigError thrown by `fn` (fails the test when nothing is thrown). */
function configError(fn: () => unknown): ConfigError {
  try { fn(); } catch (err) { if (err instanceof ConfigError) return err; throw err; }
  throw new Error('expected a ConfigError');
}
const parse = (text: string, env: NodeJS.ProcessEnv = ENV) => parseConfig(text, 'connect.yaml', env, { baseDir: tmp });

describe('loadConfig', () => {
  it('loads examples/connect.yaml with its secrets, durations and paths', () => {
    // The example keeps its DSN in ../.state/sagepro_dsn relative to itself: mirror that layout.
    fs.mkdirSync(path.join(tmp, '.state'));
    fs.writeFileSync(path.join(tmp, '.state/sagepro_dsn'), 'DSN=SagePro;PWD=s3cret-dsn\n');
    const base = path.join(tmp, 'examples');
    const c = loadConfig(EXAMPLE, { XCART_TOKEN: 'tok-abcdef', XCART_PUSH_SECRET: 'push-secret-xyz' }, { baseDir: base });
    expect(c.file).toBe(path.resolve(EXAMPLE));
    expect(c.http).toEqual({ port: 8088, host: '127.0.0.1', maxConcurrentPushes: 64 });
    expect(c.store).toEqual({ kind: 'sqlite', path: path.join(tmp, '.state/flowd.db') });
    expect(c.flows.dir).toBe(path.join(tmp, 'dist/flows'));
    expect(c.connections.xcart).toMatchObject({ baseUrl: 'http://127.0.0.1:8089', ratePerSecond: 10, concurrency: 4, changedFilter: 'auto', timeoutMs: 30_000 });
    expect(c.connections.xcart.token.reveal()).toBe('tok-abcdef');
    expect(c.connections.xcart.token.origin).toBe('env XCART_TOKEN');
    expect(c.connections.sagepro.dsn.reveal()).toBe('DSN=SagePro;PWD=s3cret-dsn'); // trailing newline dropped
    expect(c.connections.sagepro).toMatchObject({ company: '01', concurrency: 2, externalRefColumn: 'EXTREF' });
    expect(c.triggers.xcartPoll).toEqual({ enabled: true, everyMs: 30_000 });
    expect(c.triggers.push.enabled).toBe(true);
    expect(c.triggers.push.secret?.reveal()).toBe('push-secret-xyz');
    expect(c.triggers.push.toleranceMs).toBe(300_000);
    expect(c.triggers.sageproPoll).toEqual({ enabled: true, everyMs: 60_000 });
    expect(c.workers).toEqual({ count: 4, leaseMs: 60_000 });
    expect(c.alerts).toEqual({ url: 'http://127.0.0.1:9093/connect-alerts', afterConnectionDownMs: 120_000 });
    expect(c.log).toEqual({ level: 'info', file: path.join(tmp, '.state/flowd.log') });
    expect(c.secrets.map((s) => s.reveal()).sort()).toEqual(['DSN=SagePro;PWD=s3cret-dsn', 'push-secret-xyz', 'tok-abcdef']);
    expect(c.warnings).toEqual([]);
  });

  it('fills defaults for everything but connections', () => {
    const c = parse(MINIMAL);
    expect(c.http).toEqual({ port: 8088, host: '127.0.0.1', maxConcurrentPushes: 64 });
    expect(c.store).toEqual({ kind: 'sqlite', path: path.join(tmp, '.state/flowd.db') });
    expect(c.triggers.push).toEqual({ enabled: false, toleranceMs: 300_000 });
    expect(c.triggers.sageproPoll.everyMs).toBe(60_000);
    expect(c.workers).toEqual({ count: 4, leaseMs: 60_000 });
    expect(c.alerts).toBeUndefined();
    expect(c.log).toEqual({ level: 'info' });
  });

  it('resolves relative paths against the config file directory by default', () => {
    const file = path.join(tmp, 'conf', 'connect.yaml');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, MINIMAL + 'flows: { dir: out/flows }\n');
    expect(loadConfig(file, ENV).flows.dir).toBe(path.join(tmp, 'conf/out/flows'));
  });

  it('connections.sagepro.text: the install\'s code page and text rules, windows-1252 / transliterate / strip by default', () => {
    expect(parse(MINIMAL).connections.sagepro.text).toEqual(DEFAULT_TEXT_RULES);
    const c = parse(MINIMAL.replace('sagepro: { dsn: { env: SAGEPRO_DSN } }', 'sagepro: { dsn: { env: SAGEPRO_DSN }, text: { code_page: windows-1250, unmappable: reject, control: reject } }'));
    expect(c.connections.sagepro.text).toEqual({ codePage: 'windows-1250', unmappable: 'reject', control: 'reject' });
    const e = configError(() => parse(MINIMAL.replace('sagepro: { dsn: { env: SAGEPRO_DSN } }', 'sagepro: { dsn: { env: SAGEPRO_DSN }, text: { code_page: utf-8, unmappable: drop, contrl: strip } }')));
    expect(e.message).toMatch(/\/connections\/sagepro\/text\/code_page: must be a single-byte code page: windows-1252, /);
    expect(e.message).toMatch(/\/connections\/sagepro\/text\/unmappable: must be one of transliterate, replace, reject/);
    expect(e.message).toMatch(/\/connections\/sagepro\/text\/contrl: unknown key; did you mean 'control'\?/);
    // The schema offers exactly the code pages the runtime supports.
    const schema = JSON.parse(fs.readFileSync(new URL('./connect.schema.json', import.meta.url), 'utf8'));
    expect(schema.properties.connections.properties.sagepro.properties.text.properties.code_page.enum).toEqual(CODE_PAGES);
  });

  it('names file and key for a bad URL, with the line', () => {
    const e = configError(() => parse(MINIMAL.replace('http://127.0.0.1:8089', 'not a url')));
    expect(e.message).toBe('connect.yaml:3:22: /connections/xcart/base_url: must be a URL (http:// or https://)');
    expect(e.issues).toEqual([{ key: '/connections/xcart/base_url', message: 'must be a URL (http:// or https://)', line: 3, column: 22 }]);
    expect(configError(() => parse(MINIMAL.replace('http://127.0.0.1:8089', 'ftp://host/x'))).message).toContain('/connections/xcart/base_url: must be a URL');
  });

  it('names the key of every kind of schema error at once', () => {
    const e = configError(() => parse(`
http: { port: 70000 }
connections:
  xcart: { base_url: "http://x", token: plain-text-token, tokn: 1, concurrency: 0, changed_filter: sometimes }
  sagepro: { dsn: { env: SAGEPRO_DSN } }
triggers: { xcart_poll: { every: 30 }, push: { tolerance: 5 minutes } }
workers: { lease: 10x }
log: { level: loud }
`));
    const byKey = Object.fromEntries(e.issues.map((i) => [i.key, i.message]));
    expect(byKey).toEqual({
      '/http/port': 'must be a TCP port (0-65535)',
      '/connections/xcart/token': expect.stringContaining('must be a secret reference'),
      '/connections/xcart/tokn': "unknown key; did you mean 'token'?",
      '/connections/xcart/concurrency': 'must be a whole number from 1 to 1000',
      '/connections/xcart/changed_filter': 'must be one of auto, lastRenewDate, scan',
      '/triggers/xcart_poll/every': 'must be a duration such as 500ms, 30s, 1m or 2h',
      '/triggers/push/tolerance': 'must be a duration such as 500ms, 30s, 1m or 2h',
      '/workers/lease': 'must be a duration such as 500ms, 30s, 1m or 2h',
      '/log/level': 'must be one of trace, debug, info, warn, error, fatal, silent',
    });
    for (const line of e.message.split('\n')) expect(line).toMatch(/^connect\.yaml:\d+:\d+: \/\S+: /);
  });

  it('names a missing required key and an unknown top-level key', () => {
    const e = configError(() => parse('connections:\n  xcart: { token: { env: XCART_TOKEN } }\nworker: {}\n'));
    expect(e.message).toContain('connect.yaml:2:10: /connections/xcart/base_url: is required');
    expect(e.message).toContain('/connections/sagepro: is required');
    expect(e.message).toContain("/worker: unknown key; did you mean 'workers'?");
    expect(configError(() => parse('')).message).toBe('connect.yaml: /connections: is required');
  });

  it('reports YAML syntax errors with a position', () => {
    const e = configError(() => parse('connections: [\n'));
    expect(e.message).toMatch(/^connect\.yaml:\d+:\d+: \/: YAML: /);
  });

  it('reports an unreadable file by name', () => {
    expect(configError(() => loadConfig(path.join(tmp, 'nope.yaml'))).message).toBe(`${path.join(tmp, 'nope.yaml')}: /: cannot read file (ENOENT)`);
  });

  it('a missing env var or secret file is an error naming the key', () => {
    const e = configError(() => parse(MINIMAL.replace('{ env: SAGEPRO_DSN }', '{ file: secrets/dsn }'), { }));
    expect(e.message).toContain('connect.yaml:3:54: /connections/xcart/token: environment variable XCART_TOKEN is not set');
    expect(e.message).toContain(`connect.yaml:4:19: /connections/sagepro/dsn: cannot read secret file ${path.join(tmp, 'secrets/dsn')} (ENOENT)`);
  });

  it('requires the push secret only when push is enabled', () => {
    expect(configError(() => parse(MINIMAL + 'triggers: { push: { enabled: true } }\n')).message)
      .toContain('/triggers/push/secret: is required when push is enabled');
    // Disabled: the reference may stay and need not resolve.
    const c = parse(MINIMAL + 'triggers: { push: { enabled: false, secret: { env: UNSET_VAR } } }\n');
    expect(c.triggers.push.secret).toBeUndefined();
  });

  it('reads secrets from env and from files; inline values load but are flagged', () => {
    fs.writeFileSync(path.join(tmp, 'push.key'), 'from-a-file-9876\r\n');
    const c = parse(MINIMAL.replace('{ env: SAGEPRO_DSN }', '{ value: "Driver=SQLite3;Database=sandbox.db" }') +
      'triggers: { push: { enabled: true, secret: { file: push.key } } }\n');
    expect(c.connections.xcart.token.reveal()).toBe('xc-token-1234');
    expect(c.triggers.push.secret?.reveal()).toBe('from-a-file-9876');
    expect(c.triggers.push.secret?.source).toBe('file');
    expect(c.connections.sagepro.dsn.inline).toBe(true);
    expect(c.warnings).toEqual([expect.stringMatching(/^connect\.yaml:4:19: \/connections\/sagepro\/dsn: secret written inline/)]);
  });

  it('rejects an empty secret file', () => {
    fs.writeFileSync(path.join(tmp, 'empty'), '\n');
    expect(() => resolveSecret({ file: 'empty' }, { baseDir: tmp })).toThrow(`secret file ${path.join(tmp, 'empty')} is empty`);
  });
});

describe('Secret', () => {
  const s = new Secret('hunter2-very-secret', 'env', 'env X');

  it('never prints its value', () => {
    expect(String(s)).toBe('[redacted]');
    expect(`${s}`).toBe('[redacted]');
    expect('' + s).toBe('[redacted]');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(util.inspect(s)).toBe('[redacted]');
    expect(util.inspect({ nested: { s } }, { depth: 5, showHidden: true })).not.toContain('hunter2');
    expect(util.format('%s %o %O %j', s, s, s, s)).not.toContain('hunter2');
    expect(Object.keys(s)).not.toContain('value');
    expect(s.reveal()).toBe('hunter2-very-secret');
  });

  it('a config printed whole shows no secret', () => {
    const c = parse(MINIMAL);
    for (const text of [JSON.stringify(c), util.inspect(c, { depth: 10 })]) {
      expect(text).not.toContain('xc-token-1234');
      expect(text).not.toContain('hunter22');
      expect(text).toContain('[redacted]');
    }
  });

  it('is [redacted] in a pino log line', () => {
    const file = path.join(tmp, 'log.jsonl');
    const log = createLogger({ file });
    log.info({ conn: { credential: s }, value: s }, 'connecting');
    const line = JSON.parse(fs.readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
    expect(line.value).toBe('[redacted]');
    expect(line.conn).toEqual({ credential: '[redacted]' });
    expect(fs.readFileSync(file, 'utf8')).not.toContain('hunter2');
  });
});

describe('parseDuration', () => {
  it('converts units to milliseconds', () => {
    expect([parseDuration('500ms'), parseDuration('30s'), parseDuration('1m'), parseDuration('1.5m'), parseDuration('2h')])
      .toEqual([500, 30_000, 60_000, 90_000, 7_200_000]);
    expect(() => parseDuration('30')).toThrow(RangeError);
    expect(() => parseDuration('1d')).toThrow(RangeError);
  });
});

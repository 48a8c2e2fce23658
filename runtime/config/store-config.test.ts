/** `store:` in connect.yaml: a SQLite file (default) or a PostgreSQL database behind a secret reference. */
import os from 'node:os';
import util from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

const CONNECTIONS = `
connections:
  xcart: { base_url: "http://127.0.0.1:8089", token: { env: XCART_TOKEN } }
  sagepro: { dsn: { env: SAGEPRO_DSN } }
`;
const URL_WITH_PASSWORD = 'postgres://flowd:pg-pass-9731@db.internal:5432/connect';
const ENV = { XCART_TOKEN: 'xc-token-1234', SAGEPRO_DSN: 'Driver=SQLite3;Database=/tmp/s.db', FLOWD_DATABASE_URL: URL_WITH_PASSWORD };
const parse = (text: string, env: NodeJS.ProcessEnv = ENV) => parseConfig(text, 'connect.yaml', env, { baseDir: os.tmpdir() });
function configError(fn: () => unknown): ConfigError {
  try { fn(); } catch (err) { if (err instanceof ConfigError) return err; throw err; }
  throw new Error('expected a ConfigError');
}

describe('store.kind: postgres', () => {
  it('reads the URL from the secret reference; it is a secret (scrubbed from logs, never printed)', () => {
    const c = parse(`${CONNECTIONS}store: { kind: postgres, url: { env: FLOWD_DATABASE_URL } }\n`);
    expect(c.store.kind).toBe('postgres');
    if (c.store.kind !== 'postgres') throw new Error('unreachable');
    expect(c.store.url.reveal()).toBe(URL_WITH_PASSWORD);
    expect(c.store.url.origin).toBe('env FLOWD_DATABASE_URL');
    expect(c.store.leaderTtlMs).toBe(15_000);
    expect(c.secrets.map((s) => s.reveal())).toContain(URL_WITH_PASSWORD);
    expect(util.inspect(c, { depth: 10 }) + JSON.stringify(c)).not.toContain('pg-pass-9731');
  });

  it('without url, or with the variable unset, is an error naming the key', () => {
    expect(configError(() => parse(`${CONNECTIONS}store: { kind: postgres }\n`)).message)
      .toMatch(/connect\.yaml:\d+:\d+: \/store\/url: is required when kind is postgres/);
    expect(configError(() => parse(`${CONNECTIONS}store: { kind: postgres, url: { env: FLOWD_DATABASE_URL } }\n`, { ...ENV, FLOWD_DATABASE_URL: '' })).message)
      .toMatch(/\/store\/url: environment variable FLOWD_DATABASE_URL is not set/);
  });

  it('a url on a SQLite store, or an unknown kind, is refused', () => {
    expect(configError(() => parse(`${CONNECTIONS}store: { kind: sqlite, url: { env: FLOWD_DATABASE_URL } }\n`)).message)
      .toMatch(/\/store\/url: is only for kind postgres/);
    expect(configError(() => parse(`${CONNECTIONS}store: { kind: mysql }\n`)).message).toMatch(/\/store\/kind: must be sqlite or postgres/);
  });

  it('store.leader_ttl: how long a dead poll leader keeps its sources (1s to 10m)', () => {
    const c = parse(`${CONNECTIONS}store: { kind: postgres, url: { env: FLOWD_DATABASE_URL }, leader_ttl: 5s }\n`);
    expect(c.store).toMatchObject({ kind: 'postgres', leaderTtlMs: 5000 });
    expect(configError(() => parse(`${CONNECTIONS}store: { kind: postgres, url: { env: FLOWD_DATABASE_URL }, leader_ttl: 0s }\n`)).message)
      .toMatch(/\/store\/leader_ttl: must be from 1s to 10m \(got 0s\)/);
  });
});

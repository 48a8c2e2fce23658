/**
 * Issue 9, "durations": every duration key of connect.yaml has a sane range (runtime/config/README.md)
 * checked on load; a value outside it is a ConfigError naming the file, the position and the key.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';
import { DURATION_RANGES } from './duration.js';

const ENV = { XCART_TOKEN: 'xc-token-1234', SAGEPRO_DSN: 'Driver=SQLite3;Database=/tmp/s.db', PUSH: 'push-secret-abcdef' };
const config = (extra: string) => `
connections:
  xcart: { base_url: "http://127.0.0.1:8089", token: { env: XCART_TOKEN }, timeout: ${extra.includes('timeout') ? extra.split('timeout=')[1] : '30s'} }
  sagepro: { dsn: { env: SAGEPRO_DSN } }
`;

function issues(text: string): Record<string, string> {
  try { parseConfig(text, 'connect.yaml', ENV, { baseDir: '/tmp' }); } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.message.split('\n')) expect(line).toMatch(/^connect\.yaml:\d+:\d+: \/\S+: /);
    return Object.fromEntries(err.issues.map((i) => [i.key, i.message]));
  }
  return {};
}

describe('duration ranges', () => {
  it('refuses zero durations, naming each key and its range', () => {
    const text = `
connections:
  xcart: { base_url: "http://127.0.0.1:8089", token: { env: XCART_TOKEN }, timeout: 0ms }
  sagepro: { dsn: { env: SAGEPRO_DSN } }
triggers:
  xcart_poll: { every: 0ms }
  push: { enabled: true, secret: { env: PUSH }, tolerance: 0s }
  sagepro_poll: { every: 0s }
workers: { lease: 0ms }
alerts: { url: "http://127.0.0.1:9/a", after_connection_down: 0s }
`;
    const got = issues(text);
    console.log(`durations refused: ${Object.keys(got).length}\n${Object.entries(got).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
    expect(got).toEqual({
      '/connections/xcart/timeout': 'must be from 1s to 10m (got 0ms)',
      '/triggers/xcart_poll/every': 'must be from 1s to 24h (got 0ms)',
      '/triggers/push/tolerance': 'must be from 10s to 1h (got 0s)',
      '/triggers/sagepro_poll/every': 'must be from 1s to 24h (got 0s)',
      '/workers/lease': 'must be from 5s to 1h (got 0ms)',
      '/alerts/after_connection_down': 'must be from 1s to 24h (got 0s)',
    });
  });

  it('refuses absurd durations and accepts both ends of every range', () => {
    expect(issues(config('timeout=90h'))).toEqual({ '/connections/xcart/timeout': 'must be from 1s to 10m (got 90h)' });
    expect(issues(`${config('')}workers: { lease: 100000h }\n`)).toEqual({ '/workers/lease': 'must be from 5s to 1h (got 100000h)' });
    expect(issues(`${config('')}workers: { lease: 4999ms }\n`)).toEqual({ '/workers/lease': 'must be from 5s to 1h (got 4999ms)' });
    for (const [key, r] of Object.entries(DURATION_RANGES)) expect(r.minMs, key).toBeGreaterThan(0);
    const ends = (pick: 'min' | 'max') => {
      const v = (k: string) => DURATION_RANGES[k]![pick];
      return `
connections:
  xcart: { base_url: "http://127.0.0.1:8089", token: { env: XCART_TOKEN }, timeout: ${v('/connections/xcart/timeout')} }
  sagepro: { dsn: { env: SAGEPRO_DSN } }
triggers:
  xcart_poll: { every: ${v('/triggers/xcart_poll/every')} }
  push: { enabled: true, secret: { env: PUSH }, tolerance: ${v('/triggers/push/tolerance')} }
  sagepro_poll: { every: ${v('/triggers/sagepro_poll/every')} }
workers: { lease: ${v('/workers/lease')} }
alerts: { url: "http://127.0.0.1:9/a", after_connection_down: ${v('/alerts/after_connection_down')} }
`;
    };
    expect(issues(ends('min'))).toEqual({});
    expect(issues(ends('max'))).toEqual({});
  });
});

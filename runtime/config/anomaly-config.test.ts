/**
 * connect.yaml's `anomaly:` (runtime/anomaly/README.md): on by default with a warm-up of 50 runs;
 * `enabled: false` turns it off; a warm-up that is not a positive integer is refused naming the key.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

const ENV = { XCART_TOKEN: 'xc-token-1234', SAGEPRO_DSN: 'Driver=SQLite3;Database=/tmp/s.db' };
const base = `
connections:
  xcart: { base_url: "http://127.0.0.1:8089", token: { env: XCART_TOKEN } }
  sagepro: { dsn: { env: SAGEPRO_DSN } }
`;
const parse = (extra = '') => parseConfig(base + extra, 'connect.yaml', ENV, { baseDir: '/tmp' });

describe('connect.yaml anomaly', () => {
  it('defaults to on with a warm-up of 50 runs; can be turned off or given another warm-up', () => {
    expect(parse().anomaly).toEqual({ enabled: true, warmupRuns: 50 });
    expect(parse('anomaly: { enabled: false }\n').anomaly).toEqual({ enabled: false, warmupRuns: 50 });
    expect(parse('anomaly: { warmup_runs: 500 }\n').anomaly).toEqual({ enabled: true, warmupRuns: 500 });
  });

  it('refuses a warm-up of 0 or a fraction and an unknown key, naming the key', () => {
    for (const [extra, key] of [['anomaly: { warmup_runs: 0 }', '/anomaly/warmup_runs'], ['anomaly: { warmup_runs: 2.5 }', '/anomaly/warmup_runs'], ['anomaly: { warmup: 5 }', '/anomaly/warmup']] as const) {
      let err: unknown;
      try { parse(`${extra}\n`); } catch (e) { err = e; }
      expect(err, extra).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.key), extra).toContain(key);
    }
  });
});

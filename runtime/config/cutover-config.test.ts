/** `connections.xcart.cutover`: what loads, and every refusal naming the key. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';
import { beforeCutover } from '../triggers/cutover.js';

const ENV = { XCART_TOKEN: 'xc-token-1234', SAGEPRO_DSN: 'Driver=SQLite3;Database=/tmp/s.db' };
const yaml = (cutover: string) => `
connections:
  xcart:
    base_url: "http://127.0.0.1:8089"
    token: { env: XCART_TOKEN }
    cutover: ${cutover}
  sagepro: { dsn: { env: SAGEPRO_DSN } }
`;
const parse = (cutover: string) => parseConfig(yaml(cutover), 'connect.yaml', ENV, { baseDir: '/tmp' });
function messages(cutover: string): string {
  try { parse(cutover); } catch (e) { if (e instanceof ConfigError) return e.message; throw e; }
  throw new Error('expected a ConfigError');
}

describe('connections.xcart.cutover', () => {
  it('is absent by default: every order is exported', () => {
    const c = parseConfig(yaml('null').replace(/ {4}cutover: null\n/, ''), 'connect.yaml', ENV, { baseDir: '/tmp' });
    expect(c.connections.xcart.cutover).toBeUndefined();
  });

  it('reads a date-time with its zone, a plain date (midnight UTC) and an order number', () => {
    expect(parse('{ before_date: "2026-11-30T12:00:00+0100" }').connections.xcart.cutover)
      .toEqual({ beforeMs: Date.parse('2026-11-30T11:00:00Z'), beforeDate: '2026-11-30T12:00:00+0100' });
    // Unquoted: YAML 1.2 keeps a date as text (no timestamp type in the core schema).
    expect(parse('{ before_date: 2026-11-30 }').connections.xcart.cutover).toEqual({ beforeMs: Date.parse('2026-11-30T00:00:00Z'), beforeDate: '2026-11-30' });
    expect(parse('{ before_number: 100250 }').connections.xcart.cutover).toEqual({ beforeNumber: 100250 });
    // X-Cart keeps whole seconds: a fraction is floored, so an order placed in that second counts as at the bound.
    expect(parse('{ before_date: "2026-11-30T00:00:00.900Z", before_number: 7 }').connections.xcart.cutover)
      .toEqual({ beforeMs: Date.parse('2026-11-30T00:00:00Z'), beforeDate: '2026-11-30T00:00:00.900Z', beforeNumber: 7 });
  });

  it('refuses what cannot be a cutover, naming the key and the line', () => {
    expect(messages('{}')).toBe('connect.yaml:6:14: /connections/xcart/cutover: give before_date (orders placed before it are not exported), before_number (orders numbered below it are not), or both');
    expect(messages('{ before_date: "last tuesday" }')).toMatch(/^connect\.yaml:6:\d+: \/connections\/xcart\/cutover\/before_date: must be an ISO 8601 date \(2026-12-01, midnight UTC\) or a date-time with a zone/);
    // A local time is ambiguous: the zone is required.
    expect(messages('{ before_date: "2026-11-30T00:00:00" }')).toContain('/connections/xcart/cutover/before_date: must be an ISO 8601 date');
    expect(messages('{ before_date: "2026-02-30" }')).toContain("/connections/xcart/cutover/before_date: '2026-02-30' is not a date the calendar has");
    expect(messages('{ before_number: 0 }')).toContain('/connections/xcart/cutover/before_number: must be a whole number from 1');
    expect(messages('{ before_number: "100250" }')).toContain('/connections/xcart/cutover/before_number: must be a whole number from 1');
    expect(messages('{ before_id: 5 }')).toContain("/connections/xcart/cutover/before_id: unknown key");
    expect(messages('"2026-11-30"')).toContain('/connections/xcart/cutover: must be a mapping');
  });

  it('warns (and loads) when the date is in the future: every new order is held back until then', () => {
    const c = parse('{ before_date: "2999-01-01T00:00:00Z" }');
    expect(c.warnings.join('\n')).toContain('/connections/xcart/cutover/before_date: is in the future');
  });

  it('holds back orders placed before the date or numbered below the number, by their placed date, not their last change', () => {
    const cut = parse('{ before_date: "2026-11-30T00:00:00Z", before_number: 100250 }').connections.xcart.cutover;
    expect(beforeCutover(cut, { create_date: '2026-11-29T23:59:59+0000', order_number: '100300' })).toContain('placed 2026-11-29T23:59:59+0000, before the cutover 2026-11-30T00:00:00Z');
    expect(beforeCutover(cut, { create_date: '2026-11-30T00:00:00+0000', order_number: '100300' })).toBeUndefined();
    expect(beforeCutover(cut, { create_date: '2026-12-01T08:00:00+0000', order_number: '100249' })).toContain('number 100249, below the cutover 100250');
    // A number that is not a decimal integer is not compared; a missing field holds nothing back.
    expect(beforeCutover(cut, { create_date: '2026-12-01T08:00:00+0000', order_number: 'WEB-17' })).toBeUndefined();
    expect(beforeCutover(cut, {})).toBeUndefined();
    expect(beforeCutover(undefined, { create_date: '2000-01-01T00:00:00+0000', order_number: '1' })).toBeUndefined();
  });
});

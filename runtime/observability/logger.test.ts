import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { child, createLogger, redactDeep, scrubSecrets, REDACTED_KEYS } from './logger.js';
import { Secret } from '../config/secret.js';

let tmp: string;
let file: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-log-')); file = path.join(tmp, 'logs', 'flowd.log'); });
afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

const lines = (): Record<string, any>[] => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('createLogger', () => {
  it('writes JSON lines to a file (creating its folder) with level, time, name and message', () => {
    const log = createLogger({ file, name: 'flowd-test', level: 'debug' });
    log.debug({ n: 1 }, 'first');
    log.trace('not written: below the level');
    log.warn('second');
    const [a, b, ...rest] = lines();
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ level: 'debug', name: 'flowd-test', n: 1, msg: 'first' });
    expect(Date.parse(a!.time)).not.toBeNaN();
    expect(b).toMatchObject({ level: 'warn', msg: 'second' });
  });

  it('redacts every sensitive key, at any depth and in any case, keeping the rest', () => {
    const log = createLogger({ file });
    log.info({
      token: 't0', secret: 's0', password: 'p0', pwd: 'w0', dsn: 'd0', signature: 'g0',
      headers: { Authorization: 'Bearer abc', 'X-Auth-Token': 'xat', 'x-auth-token': 'xat2', 'content-type': 'application/json' },
      conn: { deep: { deeper: [{ Password: 'p1', keep: 'visible' }] } },
      count: 3,
    }, 'request');
    const [line] = lines();
    for (const k of ['token', 'secret', 'password', 'pwd', 'dsn', 'signature']) expect(line![k]).toBe('[redacted]');
    expect(line!.headers).toEqual({ Authorization: '[redacted]', 'X-Auth-Token': '[redacted]', 'x-auth-token': '[redacted]', 'content-type': 'application/json' });
    expect(line!.conn.deep.deeper).toEqual([{ Password: '[redacted]', keep: 'visible' }]);
    expect(line!.count).toBe(3);
    const text = fs.readFileSync(file, 'utf8');
    for (const v of ['t0', 's0', 'p0', 'w0', 'd0', 'g0', 'Bearer abc', 'xat', 'p1']) expect(text).not.toContain(`"${v}"`);
    expect(REDACTED_KEYS).toEqual(['token', 'secret', 'password', 'pwd', 'dsn', 'authorization', 'x-auth-token', 'signature']);
  });

  it('redacts child bindings, including those of grandchildren', () => {
    const log = createLogger({ file });
    child(log, { correlationId: 'req-1', flow: 'OrderToSalesOrder', jobId: 42 }).child({ dsn: 'Driver=x;PWD=y' }).info('run');
    const [line] = lines();
    expect(line).toMatchObject({ correlationId: 'req-1', flow: 'OrderToSalesOrder', jobId: 42, dsn: '[redacted]', msg: 'run' });
  });

  it('child() binds only the context given', () => {
    const log = createLogger({ file });
    child(log, { jobId: 7 }).info('x');
    const [line] = lines();
    expect(line!.jobId).toBe(7);
    expect('flow' in line! || 'correlationId' in line!).toBe(false);
  });

  it('scrubs secret values from messages, fields and errors (message, stack, cause)', () => {
    const dsn = new Secret('Driver={Sage};UID=admin;PWD=Sup3rS3cret', 'file', 'file x');
    const log = createLogger({ file, secrets: [dsn, 'plain-secret-value'] });
    const err = new Error(`connect failed: ${dsn.reveal()}`, { cause: new Error('auth plain-secret-value rejected') });
    log.error({ err, note: 'used plain-secret-value', secretObj: dsn }, 'odbc said %s', dsn.reveal());
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('Sup3rS3cret');
    expect(text).not.toContain('plain-secret-value');
    const [line] = lines();
    expect(line!.msg).toBe('odbc said [redacted]');
    expect(line!.err.message).toBe('connect failed: [redacted]: auth [redacted] rejected');
    expect(line!.err.stack).toContain('Error: connect failed: [redacted]');
    expect(line!.note).toBe('used [redacted]');
    expect(line!.secretObj).toBe('[redacted]');
  });

  it('serializes and redacts errors outside the err key', () => {
    const log = createLogger({ file });
    const e = Object.assign(new Error('boom'), { token: 'tok-in-error' });
    log.warn({ failure: e }, 'x');
    const [line] = lines();
    expect(line!.failure).toMatchObject({ type: 'Error', message: 'boom', token: '[redacted]' });
  });
});

describe('scrubSecrets', () => {
  it('replaces every occurrence, longest first, and ignores very short values', () => {
    expect(scrubSecrets('a=hunter22 b=hunter22 c=hunter22-long', ['hunter22', 'hunter22-long'])).toBe('a=[redacted] b=[redacted] c=[redacted]');
    expect(scrubSecrets('id=1 abc', ['1', 'abc'])).toBe('id=1 abc');
    expect(scrubSecrets('nothing here', [])).toBe('nothing here');
  });
});

describe('redactDeep', () => {
  it('copies only what changes and survives cycles', () => {
    const clean = { a: { b: 1 } };
    expect(redactDeep(clean)).toBe(clean);
    const cyclic: Record<string, unknown> = { token: 'x' };
    cyclic.self = cyclic;
    const out = redactDeep(cyclic) as Record<string, unknown>;
    expect(out.token).toBe('[redacted]');
    expect(out.self).toBe('[circular]');
    expect(cyclic.token).toBe('x'); // input untouched
  });
});

/**
 * customers.set_email (issue 13): CustomerToSagePro writes only ARCUST.EMAIL of a known store
 * customer (X-Cart owns the e-mail): every other column stays as Sage Pro has it, a repeat writes
 * nothing, an unknown customer is not_found. Against the Sage Pro sandbox through the real ODBC driver.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../errors.js';
import { createSageProSandbox } from '../../sandbox/sagepro/database.js';
import { SageProConnector } from './connector.js';

let dir: string;
let conn: SageProConnector;
let raw: odbc.Connection;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-set-email-'));
  const { dsn } = await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') });
  conn = new SageProConnector({ dsn, now: () => new Date('2026-03-01T12:00:00Z') });
  raw = await odbc.connect(dsn);
});
afterAll(async () => {
  await conn?.close();
  await raw?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const row = async (custno: string) => (await raw.query<Record<string, unknown>>('SELECT * FROM arcust WHERE TRIM(CUSTNO) = ?', [custno]))[0]!;

describe('customers.set_email', () => {
  it('writes the e-mail and nothing else; a repeat changes nothing; an unknown customer is not_found', async () => {
    await conn.upsertCustomer({ number: 'W00042', name: 'Muster AG', email: 'hans@old.example', address1: 'Bahnhofstrasse 1', phone: '+41 44 000 00 00' });
    await raw.query("UPDATE arcust SET ADDUSER = 'SAGE' WHERE TRIM(CUSTNO) = 'W00042'"); // a column only Sage Pro writes
    const before = await row('W00042');
    const c = await conn.call('customers.set_email', { number: 'W00042', email: 'hans@new.example' }) as Record<string, unknown>;
    expect(c).toMatchObject({ number: 'W00042', email: 'hans@new.example', name: 'Muster AG', address1: 'Bahnhofstrasse 1' });
    const after = await row('W00042');
    expect({ ...after, EMAIL: before.EMAIL }).toEqual(before);
    expect(String(after.EMAIL).trim()).toBe('hans@new.example');
    expect(await conn.call('customers.set_email', { number: 'W00042', email: 'hans@new.example' })).toMatchObject({ email: 'hans@new.example' });
    expect(await row('W00042')).toEqual(after);
    const e = await conn.call('customers.set_email', { number: 'W99999', email: 'x@y.example' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectorError);
    expect((e as ConnectorError).errorClass).toBe('not_found');
  });
});

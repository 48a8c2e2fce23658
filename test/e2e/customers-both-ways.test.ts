/**
 * E2E: customers both ways (issue 13). CustomerToSagePro (X-Cart -> Sage Pro) and CustomerToXCart
 * (Sage Pro -> X-Cart) run together against both sandboxes for several rounds of changes, each made
 * on one side the way a user would make it:
 *   1. a new store account becomes Sage Pro customer W<id> (CustomerToSagePro);
 *   2. Sage Pro gets the customer's address, phone and company: they reach the X-Cart address book
 *      (CustomerToXCart, a new address), whose push comes back to CustomerToSagePro and writes nothing;
 *   3. Sage Pro changes the phone: the X-Cart address is updated (only the phone);
 *   4. the customer changes the login (e-mail) in the store: only ARCUST.EMAIL changes, and that
 *      changed row comes back to CustomerToXCart, which finds X-Cart equal and writes nothing;
 *   5. a B2B account created in Sage Pro (ARCUST.TYPE B2B) becomes an X-Cart profile with its address
 *      (create_b2b_profiles: true in this site's lookups);
 * then idle poll rounds. round_trips counts the runs that wrote more than those five rounds need
 * (a value one flow wrote, written again by the other): it must be 0.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { insertSandboxRow } from '../../runtime/sandbox/sagepro/database.js';
import { E2E, figures, REPO, sleep, waitFor } from './harness.js';

/** The shipped flows, built from a copy of mappings/ whose site lookups create B2B profiles. */
function buildSiteFlows(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-both-ways-'));
  const src = path.join(root, 'mappings');
  fs.cpSync(path.join(REPO, 'mappings'), src, { recursive: true, filter: (p) => !p.includes(`${path.sep}tests`) });
  fs.writeFileSync(path.join(src, 'lookups', 'customer-to-xcart.yaml'), 'entries:\n  create_b2b_profiles: true\n');
  const program = createProgram([src]);
  if (program.hasErrors) throw new Error(program.diagnostics.map((d) => d.message).join('; '));
  const build = buildProgram(program);
  if (build.typeErrors.length) throw new Error(build.typeErrors.join('\n'));
  const out = path.join(root, 'flows');
  writeBuild(build, out);
  return out;
}

type Addr = { id: number; street: string; city: string; zipcode: string; phone: string; country_code: string; custom_fields: { name: string; value: string }[] };

describe('e2e: customers both ways (CustomerToSagePro + CustomerToXCart, no ping-pong)', () => {
  let env: E2E;
  beforeAll(async () => {
    env = await E2E.start({ flowsDir: buildSiteFlows(), logLevel: 'warn' });
    await env.startFlowd();
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  const done = async (flow: string) => (await env.runs(flow)).filter((r) => r.outcome === 'done').length;
  const finished = async (flow: string) => (await env.runs(flow)).length;
  /** Waits until no job of either flow is open and `rounds` more Sage Pro polls (1 s each) added none. */
  const settle = async (rounds = 2) => {
    for (let i = 0; i < rounds; i++) {
      await waitFor('no open customer jobs', () => env.openJobs('CustomerToSagePro') === 0 && env.openJobs('CustomerToXCart') === 0, 30_000);
      await sleep(1100);
    }
    await waitFor('no open customer jobs', () => env.openJobs('CustomerToSagePro') === 0 && env.openJobs('CustomerToXCart') === 0, 30_000);
  };
  const arcust = async (custno: string) => (await env.sql<Record<string, string>>(`SELECT * FROM ${env.table('ARCUST')} WHERE TRIM(CUSTNO) = ?`, [custno]))[0];

  it('Sage Pro changes reach the X-Cart profile, X-Cart e-mail changes reach Sage Pro, and nothing comes back', async () => {
    await settle(2); // the first poll reads every seeded ARCUST row: none is a store customer, all skipped
    const base = { s2x: await done('CustomerToXCart'), x2s: await done('CustomerToSagePro') };
    expect(base.s2x).toBe(0);

    // 1. A new store account.
    const profile = await env.xcartApi<{ id: number }>('POST', '/api/profiles', { login: 'ada.lovelace@example.org' });
    const custno = `W${String(profile.id).padStart(5, '0')}`;
    await waitFor(`ARCUST ${custno}`, () => arcust(custno), 45_000);
    await settle();

    // 2. Sage Pro: address, phone and company.
    await env.sql(`UPDATE ${env.table('ARCUST')} SET COMPANY = ?, ADDRESS1 = ?, ADDRESS2 = ?, CITY = ?, STATE = ?, ZIP = ?, COUNTRY = ?, PHONE = ? WHERE TRIM(CUSTNO) = ?`,
      ['Analytical Engines Ltd', '12 St James Square', 'Second floor', 'London', 'LDN', 'SW1Y 4JH', 'GB', '+44 20 7946 0001', custno]);
    const added = await waitFor('the X-Cart address', async () => (await env.xcartApi<Addr[]>('GET', `/api/profiles/${profile.id}/addresses`))[0], 45_000);
    expect(added).toMatchObject({ street: '12 St James Square Second floor', city: 'London', zipcode: 'SW1Y 4JH', country_code: 'GB', phone: '+44 20 7946 0001' });
    expect(added.custom_fields).toEqual([{ name: 'company', value: 'Analytical Engines Ltd' }]);
    await settle();

    // 3. Sage Pro: a new phone.
    await env.sql(`UPDATE ${env.table('ARCUST')} SET PHONE = ? WHERE TRIM(CUSTNO) = ?`, ['+44 20 7946 0999', custno]);
    await waitFor('the new phone in X-Cart', async () => (await env.xcartApi<Addr[]>('GET', `/api/profiles/${profile.id}/addresses`))[0]?.phone === '+44 20 7946 0999', 45_000);
    await settle();

    // 4. X-Cart: the customer changes the login; Sage Pro gets the e-mail, nothing else.
    const before = await arcust(custno);
    await env.xcartApi('PUT', `/api/profiles/${profile.id}`, { login: 'ada@analytical.example' });
    await waitFor('the new e-mail in ARCUST', async () => (await arcust(custno))?.EMAIL?.trim() === 'ada@analytical.example', 45_000);
    await settle();
    const after = (await arcust(custno))!;
    for (const col of ['COMPANY', 'ADDRESS1', 'ADDRESS2', 'CITY', 'ZIP', 'COUNTRY', 'PHONE']) expect(String(after[col]).trim(), col).toBe(String(before![col]).trim());

    // 5. A B2B account created in Sage Pro.
    await insertSandboxRow(env.db, 'ARCUST', {
      CUSTNO: 'BIGCO1', COMPANY: 'Big Co Wholesale', CONTACT: 'Pat Buyer', EMAIL: 'buyer@bigco.example', TYPE: 'B2B', ADDRESS1: '1 Market St',
      CITY: 'Boston', STATE: 'MA', ZIP: '02110', COUNTRY: 'US', PHONE: '617 555 0199', PTERMS: 'Net 30 Days', ENTERED: '2026-11-30',
      ADDUSER: 'TEST', ADDDATE: '2026-11-30', ADDTIME: '09:00:00',
    }, env.layout);
    const b2b = await waitFor('the B2B profile', async () => (await env.xcartApi<{ id: number; login: string }[]>('GET', '/api/profiles?login=buyer@bigco.example'))[0], 45_000);
    await waitFor('the B2B address', async () => (await env.xcartApi<Addr[]>('GET', `/api/profiles/${b2b.id}/addresses`)).length === 1, 45_000);
    await settle();

    // Idle rounds: nothing changes anywhere, nothing is written.
    const writesBeforeIdle = (await done('CustomerToXCart')) + (await done('CustomerToSagePro'));
    await settle(3);
    const writesAfterIdle = (await done('CustomerToXCart')) + (await done('CustomerToSagePro'));

    // Expected writing runs: CustomerToSagePro 2 (create, e-mail); CustomerToXCart 3 (address, phone, B2B).
    const x2s = (await done('CustomerToSagePro')) - base.x2s;
    const s2x = (await done('CustomerToXCart')) - base.s2x;
    const roundTrips = (x2s - 2) + (s2x - 3) + (writesAfterIdle - writesBeforeIdle);
    const profilesByLogin = (await env.xcartApi<{ login: string }[]>('GET', '/api/profiles?itemsPerPage=100')).reduce((m, p) => m.set(p.login.toLowerCase(), (m.get(p.login.toLowerCase()) ?? 0) + 1), new Map<string, number>());
    const emails = await env.sql<{ E: string; N: number }>(`SELECT LOWER(TRIM(EMAIL)) AS E, COUNT(*) AS N FROM ${env.table('ARCUST')} GROUP BY LOWER(TRIM(EMAIL))`);
    const duplicates = [...profilesByLogin.values()].reduce((a, n) => a + n - 1, 0) + emails.reduce((a, r) => a + Number(r.N) - 1, 0);
    const addrs = await env.xcartApi<Addr[]>('GET', `/api/profiles/${profile.id}/addresses`);
    const dead = await env.deadLetters();

    figures('e2e-customers-both-ways', {
      sagepro_changes: await finished('CustomerToXCart'), xcart_changes: await finished('CustomerToSagePro'),
      profiles_updated: s2x, customers_written: x2s, b2b_profiles_created: 1, round_trips: roundTrips, duplicates, dead_letters: dead.length,
    });
    expect(addrs).toHaveLength(1);
    expect(dead).toEqual([]);
    expect(x2s).toBe(2);
    expect(s2x).toBe(3);
    expect(roundTrips).toBe(0);
    expect(duplicates).toBe(0);
  }, 240_000);
});

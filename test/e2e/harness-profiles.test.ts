/**
 * The e2e harness on each Sage Pro sandbox profile, without flowd: the connect.yaml it writes (the
 * standard profile's exactly as before; the others with their site keys under connections.sagepro),
 * and its own Sage Pro helpers (table names, module files attached, the web warehouse).
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { E2E } from './harness.js';

let env: E2E | undefined;
afterEach(async () => { await env?.close(); env = undefined; });

const yamlOf = (e: E2E) => fs.readFileSync(e.configFile, 'utf8');

describe('E2E.start({ sageproProfile })', () => {
  it('standard (default): connect.yaml states the SYSDATA numbering (the connector invents none)', async () => {
    env = await E2E.start({ flowsDir: '/nonexistent/flows' });
    expect(env.sage.profile).toBe('standard');
    expect(yamlOf(env)).toContain('\n  sagepro:\n    dsn: { file: sagepro_dsn }\n    concurrency: 2\n    numbering: {"sales_order":{"method":"table","table":"SYSDATA","key_column":"NUMKEY","key":"SONO","number_column":"NEXTNO","holds":"next","where":{"COMPID":"01"}},');
    expect(env.table('SOMAST')).toBe('somast');
    expect(await env.countSalesOrders('XC-10001')).toBe(1);
  });

  it('minimal: numbering and default_location in connect.yaml; items are added at WH1', async () => {
    env = await E2E.start({ flowsDir: '/nonexistent/flows', sageproProfile: 'minimal' });
    const y = yamlOf(env);
    expect(y).toContain('\n  sagepro:\n    dsn: { file: sagepro_dsn }\n    concurrency: 2\n    numbering: {"sales_order":{"method":"table","table":"NEXTNUM","key_column":"KEYNAME","key":"SONO","number_column":"LASTUSED","holds":"last"},');
    expect(y).toContain('\n    default_location: "WH1"\ntriggers:\n');
    await env.addItem('NEW-ITEM-1', 'A new item', 12.5, 7);
    expect(await env.sql("SELECT LOCTID, LONHAND FROM iciloc WHERE ITEM = 'NEW-ITEM-1     '")).toEqual([{ LOCTID: 'WH1', LONHAND: 7 }]);
  });

  it('vfp-modules: modules and attach in connect.yaml; the harness reads the attached module tables', async () => {
    env = await E2E.start({ flowsDir: '/nonexistent/flows', sageproProfile: 'vfp-modules' });
    const y = yamlOf(env);
    expect(y).toContain('\n    company: "01"\n    modules: {"AR":"ardata.{table}{company}","GL":"ardata.{table}{company}","SO":"sodata.{table}{company}","IC":"icdata.{table}{company}"}\n');
    expect(y).toContain(`\n    attach: ${JSON.stringify(env.sage.attach)}\n`);
    expect(env.table('SOMAST')).toBe('sodata.somast01');
    expect(await env.countSalesOrders('XC-10001')).toBe(1);
    expect(await env.countSalesOrders('XC-90002')).toBe(1); // in history (SOYMST)
    await env.addItem('NEW-ITEM-2', 'Another item', 3, 2);
    expect(await env.sql("SELECT LOCTID FROM icdata.iciloc01 WHERE ITEM = 'NEW-ITEM-2     '")).toEqual([{ LOCTID: 'MAIN  ' }]);
  });
});

/**
 * flowd's start-up check of the Sage Pro settings against the install: on the minimal sandbox
 * profile (LOCTID C(3), warehouse WH1) the default location MAIN cannot fit, so the start fails with
 * an error naming the key; with the profile's own settings flowd starts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from './config/config.js';
import { CONTRACT_VERSION } from './contract.js';
import { createLogger } from './observability/logger.js';
import { createSageProSandbox, type SiteConfig } from './sandbox/sagepro/database.js';
import { startService } from './service.js';

describe('flowd start: the Sage Pro settings must fit the install', () => {
  let dir = '';
  let site: SiteConfig;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-start-'));
    const sb = await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db'), profile: 'minimal' });
    site = sb.siteConfig;
    fs.writeFileSync(path.join(dir, 'dsn'), sb.dsn);
    fs.mkdirSync(path.join(dir, 'flows'));
    fs.writeFileSync(path.join(dir, 'flows', 'manifest.json'), JSON.stringify({ contractVersion: CONTRACT_VERSION, flows: [] }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const config = (sagepro: Record<string, unknown>) => parseConfig([
    'http: { port: 0 }',
    'store: { path: flowd.db }',
    'flows: { dir: flows }',
    'connections:',
    '  xcart: { base_url: "http://127.0.0.1:9", token: { value: t0k3n } }',
    `  sagepro: ${JSON.stringify({ dsn: { file: 'dsn' }, ...sagepro })}`,
    'triggers: { xcart_poll: { enabled: false }, sagepro_poll: { enabled: false } }',
  ].join('\n'), 'connect.yaml', {}, { baseDir: dir });
  const logger = () => createLogger({ level: 'silent', name: 'flowd' });

  it('refuses a default location wider than LOCTID, naming the key', async () => {
    const { default_location: _unused, ...rest } = site;
    await expect(startService(config(rest), { logger: logger() })).rejects.toThrow(/sagepro\.default_location: default location 'MAIN' does not fit SOMAST\.LOCTID \(C\(3\)\)/);
  });

  it('starts with the site\'s own settings', async () => {
    const svc = await startService(config({ ...site }), { logger: logger() });
    expect((await svc.sagepro.createSalesOrder({ customer: 'ACME01', order_date: '2026-03-01', external_ref: 'XC-START', lines: [{ item: 'WIDGET-100', quantity: 1 }] }) as { number: string }).number).toBe('5001');
    await svc.stop();
  });
});

/**
 * Issue 9, "manifest": a compiled-flows folder that cannot be loaded stops flowd with a message naming
 * the file and what is wrong, never a raw JavaScript error.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '../contract.js';
import { FlowLoadError, loadFlows } from './flows.js';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-flows-')); });
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const manifestFile = () => path.join(dir, 'manifest.json');
const writeManifest = (m: unknown) => fs.writeFileSync(manifestFile(), typeof m === 'string' ? m : JSON.stringify(m));
async function loadError(): Promise<FlowLoadError> {
  try { await loadFlows(dir); } catch (err) {
    expect(err).toBeInstanceOf(FlowLoadError);
    return err as FlowLoadError;
  }
  throw new Error('expected loadFlows to fail');
}

describe('loadFlows: bad manifests', () => {
  it('a truncated manifest.json names the file and says it is not valid JSON', async () => {
    const full = JSON.stringify({ contractVersion: CONTRACT_VERSION, flows: [{ name: 'A', module: 'a.js', version: 'v1' }] }, null, 2);
    writeManifest(full.slice(0, full.length / 2));
    const e = await loadError();
    console.log(`truncated manifest: ${e.message}`);
    expect(e.message).toContain(manifestFile());
    expect(e.message).toMatch(/not valid JSON/);
    expect(e.message).toMatch(/flowc build/);
  });

  it('a manifest naming a missing module names the manifest, the flow and the missing file', async () => {
    writeManifest({ contractVersion: CONTRACT_VERSION, flows: [{ name: 'OrderToSalesOrder', module: 'order-to-sales-order.js', version: 'v1' }] });
    const e = await loadError();
    console.log(`missing module: ${e.message}`);
    expect(e.message).toContain(manifestFile());
    expect(e.message).toContain("flow 'OrderToSalesOrder'");
    expect(e.message).toContain(path.join(dir, 'order-to-sales-order.js'));
    expect(e.message).toMatch(/does not exist/);
  });

  it('a manifest entry without a module, or flows that are not a list, says which entry and what is wrong', async () => {
    writeManifest({ contractVersion: CONTRACT_VERSION, flows: [{ name: 'A', version: 'v1' }] });
    let e = await loadError();
    expect(e.message).toContain(`${manifestFile()}: flows[0] (A): module is missing`);
    expect(e.message).not.toMatch(/must be of type string/);
    writeManifest({ contractVersion: CONTRACT_VERSION, flows: 'A' });
    e = await loadError();
    expect(e.message).toContain(`${manifestFile()}: flows must be a list`);
    writeManifest('null');
    e = await loadError();
    expect(e.message).toContain(`${manifestFile()}: must be a JSON object`);
  });

  it('a module that throws while loading names the module file', async () => {
    writeManifest({ contractVersion: CONTRACT_VERSION, flows: [{ name: 'A', module: 'a.js', version: 'v1' }] });
    fs.writeFileSync(path.join(dir, 'a.js'), 'export const meta = ; // truncated\n');
    const e = await loadError();
    expect(e.message).toContain(path.join(dir, 'a.js'));
    expect(e.message).toContain("flow 'A'");
  });
});

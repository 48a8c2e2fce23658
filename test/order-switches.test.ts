/**
 * OrderToSalesOrder's switches, flow by flow test: for each `test/order-switches/<switch>.test.yaml`,
 * a copy of mappings/ whose lookups carry `<switch>.lookups.yaml` (entries merged over the shipped
 * files) is compiled and the cases run through the generated module (test/order-switches/README.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgram } from '../compiler/program.js';
import { runFlowTests } from '../compiler/flow-test.js';

const MAPPINGS = path.resolve(__dirname, '../mappings');
const DIR = path.resolve(__dirname, 'order-switches');
const switches = fs.readdirSync(DIR).filter((f) => f.endsWith('.test.yaml')).map((f) => f.slice(0, -'.test.yaml'.length)).sort();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'order-switches-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of mappings/ (OrderToSalesOrder, no tests) whose lookups have the switch's entries. */
function siteMappings(name: string): string {
  const out = path.join(tmp, name);
  // OrderToSalesOrder alone (the other flows do not read these settings; fewer flows compile faster).
  fs.cpSync(MAPPINGS, out, { recursive: true, filter: (p) => !p.startsWith(path.join(MAPPINGS, 'tests')) && (!p.endsWith('.flow') || p.endsWith('order-to-sales-order.flow')) });
  const overlay = YAML.parse(fs.readFileSync(path.join(DIR, `${name}.lookups.yaml`), 'utf8')) as Record<string, Record<string, unknown>>;
  for (const [file, entries] of Object.entries(overlay)) {
    const f = path.join(out, 'lookups', file);
    if (!fs.existsSync(f)) throw new Error(`${name}.lookups.yaml: mappings/lookups/${file} does not exist`);
    const shipped = YAML.parse(fs.readFileSync(f, 'utf8')) as { entries?: Record<string, unknown> };
    fs.writeFileSync(f, YAML.stringify({ entries: { ...(shipped.entries ?? {}), ...entries } }));
  }
  return out;
}

describe('OrderToSalesOrder switches (flow tests on site settings)', () => {
  it('has a lookups file for every switch', () => {
    expect(switches.length).toBeGreaterThanOrEqual(7);
    for (const s of switches) expect(fs.existsSync(path.join(DIR, `${s}.lookups.yaml`)), s).toBe(true);
  });
  for (const name of switches) {
    it(name, async () => {
      const program = createProgram([siteMappings(name)]);
      expect(program.diagnostics.map((d) => d.message)).toEqual([]);
      const results = await runFlowTests(program, [path.join(DIR, `${name}.test.yaml`)]);
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.failures.join('; ')}`)).toEqual([]);
      console.log(`switch ${name}: cases=${results.length} passed=${results.filter((r) => r.passed).length}`);
    }, 60_000);
  }
});

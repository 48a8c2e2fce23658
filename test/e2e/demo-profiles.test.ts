/**
 * E2E: `flowd demo --once` holds every step on the Sage Pro install profiles other than standard
 * (`make demo` runs the standard one): minimal (web warehouse WH1, LOCTID C(3), NEXTNUM numbering)
 * and vfp-modules (tables per module file). In process (runDemo), each in its own state folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../examples/demo/demo.js';
import { figures } from './harness.js';

describe('e2e: flowd demo --once on the Sage Pro profiles', () => {
  it.each(['minimal', 'vfp-modules'] as const)('--sagepro-profile %s holds every step', async (profile) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `connect-demo-${profile}-`));
    const lines: string[] = [];
    try {
      const code = await runDemo({ once: true, stateDir: dir, sageproProfile: profile, out: (l) => lines.push(l) });
      const text = lines.join('\n');
      expect(text).not.toMatch(/✗/);
      expect(text).toMatch(/summary: 5 of 5 steps held/);
      expect(text).toMatch(/alert received at http:\/\/127\.0\.0\.1:\d+\/alerts: OrderToSalesOrder: anomaly: sagepro\.sales_orders\.create order\.lines total \(Σ quantity × price\) is [\d.]+, \d+ times the usual \(usual range/);
      expect(code).toBe(0);
      if (profile === 'minimal') {
        expect(text).toMatch(/allocated \d+ at WH1/);
        expect(text).toMatch(/GADGET-310 available \d+ at WH1/);
        expect(fs.readFileSync(path.join(dir, 'lookups', 'web-warehouses.yaml'), 'utf8')).toMatch(/^ {2}"WH1": true$/m);
      }
      figures('e2e-demo', { profile, steps_held: (text.match(/✓/g) ?? []).length, steps_failed: (text.match(/✗/g) ?? []).length });
    } finally {
      if (!process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

/**
 * The run of suggestions on the flow's fixtures (mappings/tests/<flow>.test.yaml, runner
 * compiler/flow-test.ts): each type-checked suggestion is put alone in the flow, the flow is built and its
 * cases run. A case whose expected write holds the target field and that the suggestion reproduces
 * confirms it; a case it contradicts (another value for the field) or breaks (a run-time error, another
 * outcome than without the suggestion) fails it, with the runner's message as the reason.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { createProgram } from '../program.js';
import { findTestFiles, runFlowTests, type CaseResult } from '../flow-test.js';
import { prepare, resultOf, slotFor, type Prepared } from './index.js';
import { splice, type Slot } from './probe.js';
import type { FixtureCheck, SuggestRequest, SuggestResult, TargetSuggestions } from './types.js';

/** The flow's test files: beside it and in the tests/ folder beside it, those naming the flow. */
export function fixtureFiles(flowFile: string, flowName: string): string[] {
  const dir = path.dirname(path.resolve(flowFile));
  const files = findTestFiles([flowFile, path.join(dir, 'tests')]);
  return files.filter((f) => { try { return (YAML.parse(fs.readFileSync(f, 'utf8')) as { flow?: string })?.flow === flowName; } catch { return false; } });
}

async function run(text: string, pr: Prepared, req: SuggestRequest, tests: string[], tmp: string): Promise<CaseResult[] | string> {
  const file = path.join(tmp, path.basename(pr.ctx.absPath));
  fs.writeFileSync(file, text);
  const program = createProgram([file], { schemas: req.schemas, schemasDir: req.schemasDir, lookupsDir: req.lookupsDir, displayBase: tmp });
  if (program.hasErrors) return program.diagnostics.find((d) => d.category === 'error')?.message ?? 'does not compile';
  return runFlowTests(program, tests, tmp);
}

/** `/order/lines/0/item: expected ...` is about lines[].item; `/order/po_number: ...` about po_number. */
function about(failure: string, target: string): { expected: boolean } | undefined {
  const parts = target.split('.');
  const re = new RegExp(`^write \\d+ \\([^)]*\\) /[^/]+/${parts.map((p) => p.endsWith('[]') ? `${p.slice(0, -2)}/\\d+` : p).join('/')}: expected (.*?), found`);
  const m = re.exec(failure);
  return m ? { expected: m[1] !== 'undefined' } : undefined;
}

/**
 * suggestMappings, then each shown suggestion of a flow's map on the flow's fixtures (no fixtures or no
 * flow: the same as suggestMappings). Slower: one build per suggestion.
 */
export async function checkOnFixtures(req: SuggestRequest): Promise<SuggestResult> {
  const pr = prepare(req);
  const top = req.top ?? 3;
  const result = resultOf(pr, top);
  if (!req.flow || !pr.ctx.flowName) return result;
  const tests = fixtureFiles(req.flow.file, pr.ctx.flowName);
  if (tests.length === 0) return result;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-suggest-'));
  try {
    const baseline = await run(pr.ctx.base, pr, req, tests, tmp);
    const baseFailures = new Set(typeof baseline === 'string' ? [] : baseline.flatMap((c) => c.failures.map((f) => `${c.name}\0${f}`)));
    const byTarget = new Map(result.targets.map((t) => [t.target, t]));
    const leaves = [...pr.plan.leaves.map((leaf) => ({ leaf, group: undefined })), ...pr.plan.groups.flatMap((group) => group.leaves.map((leaf) => ({ leaf, group })))];
    const out: TargetSuggestions[] = [];
    for (const { leaf, group } of leaves) {
      const t = byTarget.get(leaf.target.path)!;
      const suggestions = [];
      for (const s of t.suggestions) {
        if (s.check === 'failed') { suggestions.push(s); continue; }
        const cand = leaf.candidates.find((c) => c.conversion.expr === s.expression)!;
        const slot: Slot = slotFor(pr.ctx, group, new Map());
        const { text } = splice(pr.ctx.base, [{ slot, name: leaf.target.field.name, candidate: cand, key: leaf.target.path }], pr.ctx.eol);
        const r = await run(text, pr, req, tests, tmp);
        if (typeof r === 'string') { suggestions.push({ ...s, check: 'failed' as const, reason: r }); continue; }
        let confirmed = 0, failed = 0; let reason: string | undefined;
        for (const c of r) {
          const fresh = c.failures.filter((f) => !baseFailures.has(`${c.name}\0${f}`));
          const wrong = fresh.find((f) => f.startsWith('outcome:') || about(f, leaf.target.path)?.expected);
          if (wrong) { failed++; reason ??= `${c.name}: ${wrong}`; continue; }
          const was = [...baseFailures].some((f) => f.startsWith(`${c.name}\0`) && about(f.split('\0')[1]!, leaf.target.path)?.expected);
          if (was && !c.failures.some((f) => about(f, leaf.target.path))) confirmed++;
        }
        const fixtures: FixtureCheck = { confirmed, failed, ...(reason ? { reason } : {}) };
        suggestions.push(failed ? { ...s, check: 'failed' as const, reason: `fixture ${reason}`, fixtures } : { ...s, fixtures });
      }
      out.push({ ...t, suggestions: [...suggestions.filter((s) => s.check !== 'failed'), ...suggestions.filter((s) => s.check === 'failed')] });
    }
    return { ...result, targets: out };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

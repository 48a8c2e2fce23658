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
import { splice, type Placed, type Slot } from './probe.js';
import type { FixtureCheck, SuggestRequest, SuggestResult, TargetSuggestions } from './types.js';

/** The flow's test files: beside it, in the tests/ folder beside it and in the project's flows' tests/, those naming the flow. */
export function fixtureFiles(flowFile: string, flowName: string, flowsDir?: string): string[] {
  const dir = path.dirname(path.resolve(flowFile));
  const files = [...new Set(findTestFiles([flowFile, path.join(dir, 'tests'), ...(flowsDir ? [path.join(flowsDir, 'tests')] : [])]))];
  return files.filter((f) => { try { return (YAML.parse(fs.readFileSync(f, 'utf8')) as { flow?: string })?.flow === flowName; } catch { return false; } });
}

function absoluteFiles(v: unknown, dir: string): unknown {
  if (Array.isArray(v)) return v.map((x) => absoluteFiles(x, dir));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$file === 'string' && Object.keys(o).length === 1) return { $file: path.resolve(dir, o.$file) };
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, absoluteFiles(x, dir)]));
  }
  return v;
}

/**
 * Runs variants of the flow (the same flow with other suggestions in place) on its fixtures in one
 * build: each variant is renamed (`<Flow>V<i>`) and gets copies of the test files naming it.
 * Per variant: its case results, or why it does not build.
 */
async function runVariants(variants: readonly string[], pr: Prepared, req: SuggestRequest, tests: readonly string[], tmp: string): Promise<(CaseResult[] | string)[]> {
  const flowName = pr.ctx.flowName!;
  const out: (CaseResult[] | string)[] = variants.map(() => 'not run');
  const files: string[] = [];
  const header = new RegExp(`(^|\\n|\\r)([ \\t]*flow[ \\t]+)${flowName}\\b`);
  variants.forEach((text, i) => {
    const f = path.join(tmp, `v${i}.flow`);
    fs.writeFileSync(f, text.replace(header, `$1$2${flowName}V${i}`));
    files.push(f);
  });
  const testFiles: string[] = [];
  for (const tf of tests) {
    const doc = YAML.parse(fs.readFileSync(tf, 'utf8')) as Record<string, unknown>;
    const abs = absoluteFiles(doc, path.dirname(tf)) as Record<string, unknown>;
    variants.forEach((_t, i) => {
      const f = path.join(tmp, `v${i}-${path.basename(tf)}`);
      fs.writeFileSync(f, YAML.stringify({ ...abs, flow: `${flowName}V${i}` }));
      testFiles.push(f);
    });
  }
  let keep = variants.map((_t, i) => i);
  for (let attempt = 0; attempt < 2 && keep.length; attempt++) {
    const program = createProgram(keep.map((i) => files[i]!), { schemas: req.schemas, schemasDir: req.schemasDir, lookupsDir: req.lookupsDir, displayBase: tmp });
    if (program.hasErrors) {
      const broken = new Set<number>();
      for (const d of program.diagnostics) {
        const m = d.category === 'error' ? /^v(\d+)\.flow$/.exec(path.basename(d.span?.file ?? '')) : null;
        if (m && !broken.has(Number(m[1]))) { broken.add(Number(m[1])); out[Number(m[1])] = `FLOW${d.code}: ${d.message}`; }
      }
      keep = keep.filter((i) => !broken.has(i));
      continue;
    }
    const results = await runFlowTests(program, testFiles.filter((f) => keep.some((i) => path.basename(f).startsWith(`v${i}-`))), tmp);
    for (const i of keep) out[i] = results.filter((r) => r.flow === `${flowName}V${i}`);
    break;
  }
  return out;
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
/** Whether a case's expected write holds the target field (`lines[].item`: in some line). */
function expects(caseDoc: unknown, target: string): boolean {
  const writes = (caseDoc as { expect?: { writes?: { args?: Record<string, unknown> }[] } })?.expect?.writes ?? [];
  const has = (v: unknown, parts: string[]): boolean => {
    if (parts.length === 0) return v !== undefined && v !== null;
    if (!v || typeof v !== 'object') return false;
    const [p, ...rest] = parts;
    if (p!.endsWith('[]')) { const l = (v as Record<string, unknown>)[p!.slice(0, -2)]; return Array.isArray(l) && l.some((x) => has(x, rest)); }
    return has((v as Record<string, unknown>)[p!], rest);
  };
  return writes.some((w) => Object.values(w.args ?? {}).some((a) => has(a, target.split('.'))));
}

function caseDocs(tests: readonly string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const f of tests) {
    try {
      const doc = YAML.parse(fs.readFileSync(f, 'utf8')) as { cases?: { name?: string }[] };
      (doc.cases ?? []).forEach((c, i) => out.set(c?.name ?? `case ${i + 1}`, c));
    } catch { /* the runner reports an unreadable file */ }
  }
  return out;
}

/**
 * suggestMappings, then each shown suggestion of a flow's map on the flow's fixtures (no fixtures or no
 * flow: the same as suggestMappings). A suggestion runs alone in the flow, together with the top
 * suggestion of each other required field the map leaves out (else the flow would not build).
 * Slower: one build per suggestion.
 */
export async function checkOnFixtures(req: SuggestRequest): Promise<SuggestResult> {
  const pr = prepare(req);
  const top = req.top ?? 3;
  const result = resultOf(pr, top);
  if (!req.flow || !pr.ctx.flowName) return result;
  const tests = fixtureFiles(req.flow.file, pr.ctx.flowName, req.flowsDir === null ? undefined : req.flowsDir ?? path.dirname(req.schemasDir));
  if (tests.length === 0) return result;
  const docs = caseDocs(tests);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-suggest-'));
  try {
    const byTarget = new Map(result.targets.map((t) => [t.target, t]));
    const leaves = [...pr.plan.leaves.map((leaf) => ({ leaf, group: undefined })), ...pr.plan.groups.flatMap((group) => group.leaves.map((leaf) => ({ leaf, group })))];
    const newSlots = new Map<string, Slot>();
    // The required targets' best suggestions, so that the flow builds.
    const fillers: Placed[] = [];
    for (const { leaf, group } of leaves) {
      if (!leaf.target.field.required) continue;
      const best = byTarget.get(leaf.target.path)?.suggestions.find((s) => s.check === 'ok');
      const cand = best && leaf.candidates.find((c) => c.conversion.expr === best.expression);
      if (cand) fillers.push({ slot: slotFor(pr.ctx, group, newSlots), name: leaf.target.field.name, candidate: cand, key: leaf.target.path });
    }
    // One build: the baseline (index 0) and every shown suggestion.
    const jobs: { leafIndex: number; suggestion: number }[] = [];
    const texts: string[] = [splice(pr.ctx.base, fillers, pr.ctx.eol).text];
    leaves.forEach(({ leaf, group }, li) => {
      byTarget.get(leaf.target.path)!.suggestions.forEach((s, si) => {
        if (s.check === 'failed') return;
        const cand = leaf.candidates.find((c) => c.conversion.expr === s.expression)!;
        const others = fillers.filter((f) => f.key !== leaf.target.path);
        texts.push(splice(pr.ctx.base, [...others, { slot: slotFor(pr.ctx, group, newSlots), name: leaf.target.field.name, candidate: cand, key: leaf.target.path }], pr.ctx.eol).text);
        jobs.push({ leafIndex: li, suggestion: si });
      });
    });
    const runs = await runVariants(texts, pr, req, tests, tmp);
    const baseline = runs[0]!;
    const baseFailures = new Set(typeof baseline === 'string' ? [] : baseline.flatMap((c) => c.failures.map((f) => `${c.name}\0${f}`)));
    const out: TargetSuggestions[] = [];
    leaves.forEach(({ leaf }, li) => {
      const t = byTarget.get(leaf.target.path)!;
      const suggestions = t.suggestions.map((s, si) => {
        const j = jobs.findIndex((x) => x.leafIndex === li && x.suggestion === si);
        if (j < 0) return s;
        const r = runs[j + 1]!;
        if (typeof r === 'string') return { ...s, fixtures: { cases: 0, confirmed: 0, failed: 0, reason: `not run: the flow does not build (${r})` } };
        let confirmed = 0, failed = 0; let reason: string | undefined;
        for (const c of r) {
          const fresh = c.failures.filter((f) => !baseFailures.has(`${c.name}\0${f}`));
          const wrong = fresh.find((f) => f.startsWith('outcome:') || about(f, leaf.target.path)?.expected);
          if (wrong) { failed++; reason ??= `${c.name}: ${wrong}`; continue; }
          if (expects(docs.get(c.name), leaf.target.path) && !c.failures.some((f) => about(f, leaf.target.path))) confirmed++;
        }
        const fixtures: FixtureCheck = { cases: r.length, confirmed, failed, ...(reason ? { reason } : {}) };
        return failed ? { ...s, check: 'failed' as const, reason: `fixture ${reason}`, fixtures } : { ...s, fixtures };
      });
      out.push({ ...t, suggestions: [...suggestions.filter((x) => x.check !== 'failed'), ...suggestions.filter((x) => x.check === 'failed')] });
    });
    return { ...result, targets: out };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

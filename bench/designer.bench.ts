/**
 * `npm run bench:designer`: the visual designer (issue 16) on a generated flow of 300 steps
 * (compiler/designer's generateFlow(300)), in a temp copy of mappings/ served by the console's
 * designer API over real HTTP on loopback with a logged-in session:
 *   (a) open it (GET /api/designer/file: text, model, diagnostics) and lay out its graph with the
 *       layout module the page uses (console/src/designer/graph/layout.ts: elkjs layered), ≤ 200 ms;
 *   (b) a visual edit reflected in the text (POST /api/designer/edit: the new text and model; a let
 *       added after the middle step, then removed: the text is back to its bytes), ≤ 100 ms.
 * Medians of ROUNDS rounds after WARMUP (the first layout includes elk's start-up, printed apart);
 * each figure printed against its target with PASS or MISS, with this process's CPU time per round
 * beside it and the machine's load average (on a shared machine the wall time is mostly waiting for
 * a core). Tests never assert timings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { create as createDesignerBackend } from '../compiler/designer-backend.js';
import { generateFlow } from '../compiler/designer/index.js';
import { graphOf, type DesignModel } from '../console/src/designer/graph/model.js';
import { layoutGraph } from '../console/src/designer/graph/layout.js';
import { hashPassword } from '../runtime/console/auth.js';
import { createConsole } from '../runtime/console/api.js';
import { Client } from '../runtime/console/test-support/client.js';
import { startHttpServer } from '../runtime/http/server.js';
import { createLogger } from '../runtime/observability/logger.js';
import { createMetrics } from '../runtime/observability/metrics.js';
import { SqliteStore } from '../runtime/store/sqlite-store.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STEPS = Number(process.env.STEPS ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const WARMUP = 3;
const TARGETS = { open: 200, edit: 100 };

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const max = (xs: number[]) => Math.max(...xs);
const line = (name: string, ms: number, target: number, extra = '') =>
  process.stdout.write(`${name.padEnd(58)} ${ms.toFixed(1).padStart(7)} ms  target <= ${target} ms  ${ms <= target ? 'PASS' : 'MISS'}${extra}\n`);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-designer-'));
  const root = path.join(dir, 'mappings');
  fs.cpSync(path.join(REPO, 'mappings'), root, { recursive: true, filter: (p) => !p.includes(`${path.sep}tests`) });
  const file = `generated-${STEPS}.flow`;
  const text = generateFlow(STEPS, 1);
  fs.writeFileSync(path.join(root, file), text);
  const store = SqliteStore.open(path.join(dir, 'flowd.db'));
  await store.console.createUser({ name: 'bench', role: 'admin', passwordHash: await hashPassword('bench-password-1', { N: 1024 }) });
  const consoleServer = createConsole({ store, flows: new Map(), staticDir: path.join(dir, 'none'), designer: { root, backend: createDesignerBackend() } });
  const server = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: createMetrics({ processMetrics: false }), logger: createLogger({ file: path.join(dir, 'flowd.log'), level: 'error' }),
    health: async () => ({ ok: true, checks: {} }), ready: () => true, console: consoleServer });
  try {
    const c = new Client(server.url);
    if ((await c.login('bench', 'bench-password-1')).status !== 200) throw new Error('login failed');
    const q = `/api/designer/file?path=${encodeURIComponent(file)}`;

    // (a) open + layout
    const opens: number[] = []; const layouts: number[] = []; const totals: number[] = []; const cpuA: number[] = [];
    let firstLayout = 0;
    let model: DesignModel | undefined;
    let nodes = 0;
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const c0 = cpuMs();
      const t0 = performance.now();
      const r = await c.get(q);
      if (r.status !== 200) throw new Error(`open: ${r.status} ${r.text.slice(0, 300)}`);
      const t1 = performance.now();
      model = r.body.model as DesignModel;
      const graph = graphOf(model);
      nodes = graph.nodes.length;
      await layoutGraph(graph, r.body.layout.positions);
      const t2 = performance.now();
      if (i === 0) firstLayout = t2 - t1;
      if (i >= WARMUP) { opens.push(t1 - t0); layouts.push(t2 - t1); totals.push(t2 - t0); cpuA.push(cpuMs() - c0); }
    }
    const errors = (await c.get(q)).body.diagnostics.filter((d: { severity: string }) => d.severity === 'error').length;
    process.stdout.write(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs\n`);
    process.stdout.write(`designer bench: ${file}: ${text.split('\n').length} lines, ${model!.steps.length} steps, ${nodes} graph nodes, ${errors} errors; ${ROUNDS} rounds after ${WARMUP} warm-up\n`);
    process.stdout.write(`  open (GET /api/designer/file) median ${median(opens).toFixed(1)} ms, layout (elkjs) median ${median(layouts).toFixed(1)} ms (first, with elk's start-up: ${firstLayout.toFixed(1)} ms)\n`);
    line(`(a) open ${STEPS}-step flow + lay out its graph, median`, median(totals), TARGETS.open, `  (max ${max(totals).toFixed(1)} ms; CPU ${median(cpuA).toFixed(1)} ms)`);

    // (b) a visual edit reflected in the text: add a let after the middle step, then remove it again
    const edits: number[] = []; const cpuB: number[] = [];
    let current = text;
    const middle = model!.steps[Math.floor(model!.steps.length / 2)]!.key;
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const edit = i % 2 === 0 ? { kind: 'addStep', step: { kind: 'let', name: 'bench_extra', expr: '1 + 1' }, after: middle } : { kind: 'removeStep', key: 'let:bench_extra' };
      const c0 = cpuMs();
      const t0 = performance.now();
      const r = await c.post('/api/designer/edit', { path: file, text: current, edits: [edit] });
      const t1 = performance.now();
      if (r.status !== 200) throw new Error(`edit: ${r.status} ${r.text.slice(0, 300)}`);
      current = r.body.text;
      if (i >= WARMUP) { edits.push(t1 - t0); cpuB.push(cpuMs() - c0); }
    }
    if (current !== text) throw new Error('add + remove did not restore the text');
    line(`(b) visual edit -> new text + model over HTTP, median`, median(edits), TARGETS.edit, `  (max ${max(edits).toFixed(1)} ms; CPU ${median(cpuB).toFixed(1)} ms)`);
    process.stdout.write(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  } finally {
    await server.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();

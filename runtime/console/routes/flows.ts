/**
 * GET /api/flows: each deployed flow as a graph (trigger → fetches and lookups → map → writes, with
 * its error policies) built from the module's metadata, and per node the runs and errors of the
 * last 24 hours (calls recorded per operation; errors of the map and policy nodes by the run's site).
 */
import type { FlowMeta } from '../../contract.js';
import type { Route } from '../context.js';
import { sendJson } from '../http.js';
import { triggerText } from './overview.js';

type Kind = 'trigger' | 'fetch' | 'lookup' | 'map' | 'write' | 'policy';
interface Node { id: string; kind: Kind; label: string; site?: { file: string; line: number; column: number }; operation?: string }

export function flowGraph(meta: FlowMeta): { nodes: Node[]; edges: { from: string; to: string }[] } {
  const site = (i: number) => { const s = meta.sites[i]; return s ? { site: { file: s.file, line: s.line, column: s.column } } : {}; };
  const nodes: Node[] = [{ id: 'trigger', kind: 'trigger', label: triggerText(meta.trigger) }];
  const edges: { from: string; to: string }[] = [];
  let prev = 'trigger';
  const reads = meta.operations.filter((o) => o.kind === 'read');
  const writes = meta.operations.filter((o) => o.kind === 'write');
  reads.forEach((o, i) => {
    const id = `read-${i}`;
    nodes.push({ id, kind: /\.(find_by|find|lookup)/.test(o.operation) ? 'lookup' : 'fetch', label: `${o.system}.${o.operation}`, operation: `${o.system}.${o.operation}`, ...site(o.site) });
    edges.push({ from: prev, to: id });
    prev = id;
  });
  nodes.push({ id: 'map', kind: 'map', label: 'map' });
  edges.push({ from: prev, to: 'map' });
  writes.forEach((o, i) => {
    const id = `write-${i}`;
    nodes.push({ id, kind: 'write', label: `${o.system}.${o.operation}`, operation: `${o.system}.${o.operation}`, ...site(o.site) });
    edges.push({ from: 'map', to: id });
  });
  meta.policies.forEach((p, i) => {
    const id = `policy-${i}`;
    const retry = p.retry ? (p.retry.forMs !== undefined ? ` retry for ${Math.round(p.retry.forMs / 60_000)}m` : ` retry ${p.retry.max}`) : '';
    nodes.push({ id, kind: 'policy', label: `on ${p.on}${retry} then ${p.then}` });
    for (const w of writes.length ? writes.map((_, j) => `write-${j}`) : ['map']) edges.push({ from: w, to: id });
  });
  return { nodes, edges };
}

export const flowRoutes: Route[] = [
  { method: 'GET', path: /^\/flows$/, role: 'viewer', async handle({ res, deps }) {
    const since = deps.now() - 24 * 3_600_000;
    const [calls, siteErrors, counts] = await Promise.all([deps.store.console.callStats(since), deps.store.console.siteErrors(since), deps.store.console.runCounts(since)]);
    const out = [...deps.flows.values()].sort((a, b) => a.name.localeCompare(b.name)).map((f) => {
      const meta = f.module.meta;
      const graph = flowGraph(meta);
      const stats: Record<string, { runs: number; errors: number }> = {};
      const runs = counts.filter((c) => c.flow === f.name).reduce((n, c) => n + c.n, 0);
      const failed = counts.filter((c) => c.flow === f.name && (c.outcome === 'retry' || c.outcome === 'dead_letter')).reduce((n, c) => n + c.n, 0);
      for (const n of graph.nodes) {
        if (n.operation) {
          const c = calls.find((x) => x.flow === f.name && `${x.system}.${x.operation}` === n.operation);
          stats[n.id] = { runs: c?.calls ?? 0, errors: c?.errors ?? 0 };
        } else if (n.kind === 'trigger') stats[n.id] = { runs, errors: 0 };
        else if (n.kind === 'map') {
          // failures at a site that is not a call: the mapping's require/reject/conversions
          const callSites = new Set(meta.operations.map((o) => { const s = meta.sites[o.site]; return s ? `${s.file}:${s.line}:${s.column}` : ''; }));
          stats[n.id] = { runs, errors: siteErrors.filter((e) => e.flow === f.name && !callSites.has(e.site)).reduce((k, e) => k + e.n, 0) };
        } else stats[n.id] = { runs: failed, errors: counts.filter((c) => c.flow === f.name && c.outcome === 'dead_letter').reduce((k, c) => k + c.n, 0) };
      }
      return { name: f.name, version: f.version, description: meta.description, source: meta.source, sourceText: deps.sources.text(meta.source) ?? null, graph, stats };
    });
    sendJson(res, 200, out);
  } },
];

// Lays out the designer's flow graph with elkjs (layered, left to right), then puts every node the
// user placed (the sidecar `<file>.layout.json`) where the user put it. The page and
// `npm run bench:designer` use this same module; it runs in the browser and in Node.
import type { ELK as ElkApi } from 'elkjs/lib/elk-api.js';
import type { FlowGraph } from './model.js';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 64;

export interface Positioned { id: string; x: number; y: number; placed: boolean }

// elk.bundled.js (1.5 MB) is loaded on the first layout, in a chunk of its own (the other pages
// never load it). It is CommonJS: its constructor is the default import in the browser (Vite) and in
// Node's ESM (tsx); TypeScript's NodeNext view of its types differs from the bundler's, hence the cast.
type ElkCtor = new () => ElkApi;
let elk: Promise<ElkApi> | undefined;
const loadElk = (): Promise<ElkApi> => (elk ??= import('elkjs/lib/elk.bundled.js').then((m) => {
  const d = (m as unknown as { default: ElkCtor & { default?: ElkCtor } }).default;
  return new (d.default ?? d)();
}));

// thoroughness 1 (default 7), simple node placement, straight edges, and the nodes kept in the
// file's order within a layer (interactive crossing minimisation on nodes given in step order,
// instead of a layer sweep): a 300-step flow lays out in a fraction of the default's time
// (bench:designer, 2-4x faster than with the sweep); React Flow draws its own edges anyway.
const OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.layered.spacing.nodeNodeBetweenLayers': '60',
  'elk.spacing.nodeNode': '24',
  'elk.layered.thoroughness': '1',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
  'elk.layered.crossingMinimization.strategy': 'INTERACTIVE',
  'elk.edgeRouting': 'POLYLINE',
  // a long chain of steps wraps into rows (about as wide as the pane is high) instead of one long line
  'elk.layered.wrapping.strategy': 'MULTI_EDGE',
  'elk.aspectRatio': '1.2',
};

/**
 * Positions for every node of `graph`: elk's, except those in `placed` (step key -> position the
 * user chose), which stay where they are.
 */
export async function layoutGraph(graph: FlowGraph, placed: Readonly<Record<string, { x: number; y: number }>> = {}): Promise<Map<string, Positioned>> {
  const elk = await loadElk();
  const ids = new Set(graph.nodes.map((n) => n.id));
  const res = await elk.layout({
    id: 'flow',
    layoutOptions: OPTIONS,
    children: graph.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const out = new Map<string, Positioned>();
  for (const c of res.children ?? []) {
    const p = placed[c.id];
    out.set(c.id, p ? { id: c.id, x: p.x, y: p.y, placed: true } : { id: c.id, x: c.x ?? 0, y: c.y ?? 0, placed: false });
  }
  return out;
}

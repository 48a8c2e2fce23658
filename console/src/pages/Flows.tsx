// A picture of each deployed flow (trigger, fetches, lookups, map, writes, policies) with the runs and
// errors at each step over the last 24 hours. Read-only. The same numbers are in a table below it.
import { useMemo } from 'react';
import { Background, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { site } from '../format';
import { useLoad } from '../load';
import { href } from '../router';
import { ErrorText } from '../components/Notice';
import type { FlowInfo, GraphNode } from '../types';

type StepData = { node: GraphNode; runs: number; errors: number };

function Step({ data }: NodeProps<Node<StepData>>) {
  return (
    <div className={`step ${data.node.kind}${data.errors ? ' has-errors' : ''}`}>
      <Handle type="target" position={Position.Left} />
      <div className="kind">{data.node.kind}</div>
      <div className="label" title={data.node.label}>{data.node.label}</div>
      <div className="nums"><span>{data.runs} runs</span>{' '}<span className={data.errors ? 'bad' : 'muted'}>{data.errors} errors</span></div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}
const nodeTypes = { step: Step };

/** Columns by longest path from the sources, rows by order within a column. */
export function layout(f: FlowInfo): { nodes: Node<StepData>[]; edges: Edge[] } {
  const rank = new Map<string, number>(f.graph.nodes.map((n) => [n.id, 0]));
  for (let pass = 0; pass < f.graph.nodes.length; pass++) {
    let changed = false;
    for (const e of f.graph.edges) {
      const r = (rank.get(e.from) ?? 0) + 1;
      if (rank.has(e.to) && r > rank.get(e.to)! && r < f.graph.nodes.length) { rank.set(e.to, r); changed = true; }
    }
    if (!changed) break;
  }
  const rows = new Map<number, number>();
  const nodes = f.graph.nodes.map((n) => {
    const col = rank.get(n.id) ?? 0;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    const s = f.stats[n.id] ?? { runs: 0, errors: 0 };
    return { id: n.id, type: 'step', position: { x: col * 250, y: row * 100 }, data: { node: n, runs: s.runs, errors: s.errors } };
  });
  const edges = f.graph.edges.map((e, i) => ({ id: `e${i}`, source: e.from, target: e.to }));
  return { nodes, edges };
}

function FlowPicture({ f }: { f: FlowInfo }) {
  const { nodes, edges } = useMemo(() => layout(f), [f]);
  const height = Math.max(220, 110 * Math.max(1, ...[...new Set(nodes.map((n) => n.position.x))].map((x) => nodes.filter((n) => n.position.x === x).length)) + 40);
  return (
    <article className="flowpic" aria-labelledby={`fl-${f.name}`}>
      <h2 id={`fl-${f.name}`}><a href={href('/runs', { flow: f.name })}>{f.name}</a> <span className="muted">version {f.version.slice(0, 12)} · {f.source}</span></h2>
      {f.description && <p>{f.description}</p>}
      <div className="graph" style={{ height }} aria-hidden="true">
        <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} fitView proOptions={{ hideAttribution: true }}
          nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} edgesFocusable={false} nodesFocusable={false}
          panOnDrag zoomOnScroll={false} preventScrolling={false}>
          <Background gap={16} />
        </ReactFlow>
      </div>
      <table className="list" aria-label={`Steps of ${f.name}, last 24 hours`}>
        <thead><tr><th scope="col">Step</th><th scope="col">Kind</th><th scope="col">Site</th><th scope="col">Runs (24 h)</th><th scope="col">Errors (24 h)</th></tr></thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.id}><td>{n.data.node.label}</td><td>{n.data.node.kind}</td><td><code>{site(n.data.node.site)}</code></td><td className="num">{n.data.runs}</td><td className={`num${n.data.errors ? ' bad' : ''}`}>{n.data.errors}</td></tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

export function FlowsPage({ selected }: { selected?: string }) {
  const { data, error } = useLoad<FlowInfo[]>('/flows');
  const shown = (data ?? []).filter((f) => !selected || f.name === selected);
  return (
    <section aria-labelledby="h-flows">
      <h1 id="h-flows">Flows</h1>
      <ErrorText error={error} />
      {data && data.length > 1 && (
        <nav aria-label="Flows"><ul className="tabs">
          <li><a href={href('/flows')} aria-current={!selected ? 'page' : undefined}>All</a></li>
          {data.map((f) => <li key={f.name}><a href={href(`/flows/${f.name}`)} aria-current={selected === f.name ? 'page' : undefined}>{f.name}</a></li>)}
        </ul></nav>
      )}
      {shown.map((f) => <FlowPicture key={f.name} f={f} />)}
    </section>
  );
}

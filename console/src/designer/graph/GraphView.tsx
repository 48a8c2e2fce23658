// The flow graph drawn with React Flow at the positions layout.ts gives (elk's, or the user's from
// the sidecar). Nodes can be dragged (and moved with the arrow keys once selected); a move is
// reported once the node is let go, and only changes the sidecar, never the .flow text. Each node
// is a focusable, labelled element; Enter or a click selects it for the properties panel.
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import {
  applyNodeChanges, Background, Controls, Handle, MarkerType, Position, ReactFlow, useReactFlow,
  type Edge, type Node, type NodeChange, type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { href } from '../../router';
import type { FlowGraph, GraphNode } from './model';
import { NODE_HEIGHT, NODE_WIDTH, type Positioned } from './layout';

type StepData = { node: GraphNode; file: string; selected: boolean; changed: boolean };

const StepNode = memo(function StepNode({ data }: NodeProps<Node<StepData>>) {
  const n = data.node;
  const mapName = n.kind === 'map' ? n.id.replace(/^map:/, '') : undefined;
  return (
    <div className={`dstep k-${n.kind}${data.selected ? ' sel' : ''}${data.changed ? ' changed' : ''}`} data-step={n.id}>
      <Handle type="target" position={Position.Left} />
      <div className="kind">{n.word}{n.line ? <span className="muted"> · line {n.line}</span> : null}</div>
      <div className="label" title={n.label}>{n.label}</div>
      {n.detail && <div className="detail" title={n.detail}>{n.detail}</div>}
      {mapName !== undefined && (
        <a className="nodrag" href={href('/designer/map', { file: data.file, map: mapName })}>Open in the field mapper</a>
      )}
      <Handle type="source" position={Position.Right} />
    </div>
  );
});
const nodeTypes = { step: StepNode };
// a long flow is not shrunk below legibility: it is panned instead (drag the background, or the controls)
const FIT = { minZoom: 0.5, maxZoom: 1, padding: 0.05 };

/** Brings a step into view (chosen in the steps list: it may be outside the panned view). */
function FocusOn({ focus }: { focus: { id: string; seq: number } | undefined; positions: ReadonlyMap<string, Positioned> }) {
  const flow = useReactFlow();
  useEffect(() => {
    if (!focus) return;
    const n = flow.getNode(focus.id);
    const p = n?.position;
    if (p) void flow.setCenter(p.x + NODE_WIDTH / 2, p.y + NODE_HEIGHT / 2, { zoom: Math.max(flow.getZoom(), 0.6), duration: 0 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focus?.seq]);
  return null;
}

interface Props {
  /** Set when a step is chosen outside the picture: the view moves to it. */
  focus?: { id: string; seq: number };
  graph: FlowGraph;
  positions: ReadonlyMap<string, Positioned>;
  file: string;
  selected: string | undefined;
  /** Keys of steps the last edit touched (drawn highlighted). */
  changed: ReadonlySet<string>;
  onSelect: (id: string) => void;
  /** A node was let go (or moved by keys) at a new position. */
  onMoved: (id: string, x: number, y: number) => void;
}

export function GraphView({ focus, graph, positions, file, selected, changed, onSelect, onMoved }: Props) {
  // React Flow's own ids: a step key may hold characters its selectors trip on (`skip#1a2b3c`)
  const ids = useMemo(() => {
    const toRf = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
    const toKey = new Map([...toRf].map(([k, r]) => [r, k]));
    return { rf: (k: string) => toRf.get(k) ?? k, key: (r: string) => toKey.get(r) ?? r };
  }, [graph]);
  const fromProps = useMemo<Node<StepData>[]>(() => graph.nodes.map((n) => {
    const p = positions.get(n.id) ?? { x: 0, y: 0 };
    return {
      id: ids.rf(n.id), type: 'step', position: { x: p.x, y: p.y }, domAttributes: { 'data-key': n.id } as unknown as Node['domAttributes'],
      data: { node: n, file, selected: n.id === selected, changed: changed.has(n.id) },
      ariaLabel: `${n.word} ${n.label}${n.detail ? `, ${n.detail}` : ''}`,
      selected: n.id === selected,
    };
  }), [graph, positions, file, selected, changed, ids]);
  const [nodes, setNodes] = useState(fromProps);
  useEffect(() => setNodes(fromProps), [fromProps]);
  const edges = useMemo<Edge[]>(() => graph.edges.map((e, i) => ({ id: `e${i}`, source: ids.rf(e.source), target: ids.rf(e.target), markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } })), [graph, ids]);

  const onNodesChange = useCallback((changes: NodeChange<Node<StepData>>[]) => {
    setNodes((ns) => applyNodeChanges(changes, ns));
    for (const c of changes) {
      // a keyboard move (arrow keys on a selected node) comes without `dragging`; a mouse drag ends in onNodeDragStop
      if (c.type === 'position' && c.position && c.dragging === undefined) onMoved(ids.key(c.id), c.position.x, c.position.y);
      if (c.type === 'select' && c.selected) onSelect(ids.key(c.id));
    }
  }, [onMoved, onSelect, ids]);

  return (
    <div className="dgraph" role="group" aria-label="Flow graph: the steps as boxes (Tab to a step, Enter to select it, arrow keys to move it)">
      <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} onNodesChange={onNodesChange}
        onNodeClick={(_, n) => onSelect(ids.key(n.id))} onNodeDragStop={(_, n) => onMoved(ids.key(n.id), n.position.x, n.position.y)} fitView fitViewOptions={FIT} minZoom={0.05} proOptions={{ hideAttribution: true }}
        nodesConnectable={false} edgesFocusable={false} deleteKeyCode={null} selectionKeyCode={null} multiSelectionKeyCode={null}>
        <Background gap={16} />
        <Controls showInteractive={false} />
        <FocusOn focus={focus && { id: ids.rf(focus.id), seq: focus.seq }} positions={positions} />
      </ReactFlow>
    </div>
  );
}

// The lines between the trees: one per source field an assignment reads, from its source row to its
// target row (a field inside a collapsed parent ends at the parent; one scrolled out of view ends at
// the edge, dimmed). Click a line to edit its expression. Suggestions are dashed with their confidence.
import { ROW_HEIGHT, TREE_HEIGHT } from './EntityTree';
import type { AssignmentView, SuggestionView } from './types';

export const LINES_WIDTH = 150;

export interface LinesProps {
  assignments: readonly AssignmentView[];
  suggestions: readonly SuggestionView[];
  sourceY: (path: string) => number | undefined;
  targetY: (path: string) => number | undefined;
  editing: string | undefined;
  onEdit: (target: string) => void;
  onAccept: (s: SuggestionView) => void;
}

const clamp = (y: number) => Math.max(2, Math.min(TREE_HEIGHT - 2, y));
const curve = (y1: number, y2: number) => `M 0 ${y1} C ${LINES_WIDTH / 2} ${y1}, ${LINES_WIDTH / 2} ${y2}, ${LINES_WIDTH} ${y2}`;

export function Lines(p: LinesProps) {
  const segs: { key: string; target: string; d: string; dim: boolean; bad: boolean; title: string }[] = [];
  for (const a of p.assignments) {
    const ty = p.targetY(a.target);
    if (ty === undefined) continue;
    for (const s of a.sources) {
      const sy = p.sourceY(s);
      if (sy === undefined) continue;
      const dim = sy < 0 || sy > TREE_HEIGHT || ty < 0 || ty > TREE_HEIGHT;
      segs.push({ key: `${a.id}<${s}`, target: a.id, d: curve(clamp(sy), clamp(ty)), dim, bad: a.diagnostics.length > 0, title: `${a.id} = ${a.expr}` });
    }
  }
  return (
    <svg className="mapper-lines" width={LINES_WIDTH} height={TREE_HEIGHT} role="group" aria-label="Mapping lines (the assignments table below lists the same)">
      {segs.map((s) => (
        <g key={s.key} className={`line${s.dim ? ' dim' : ''}${s.bad ? ' bad' : ''}${p.editing === s.target ? ' editing' : ''}`} data-target={s.target} onClick={() => p.onEdit(s.target)}>
          <title>{s.title}</title>
          <path className="hit" d={s.d} />
          <path className="stroke" d={s.d} />
        </g>
      ))}
      {p.suggestions.map((s) => {
        const ty = p.targetY(s.target);
        const sy = s.sources[0] ? p.sourceY(s.sources[0]) : undefined;
        if (ty === undefined || sy === undefined) return null;
        return (
          <g key={`s:${s.target}`} className="suggestion" data-suggested={s.target} onClick={() => p.onAccept(s)}>
            <title>{`Suggested (${Math.round(s.confidence * 100)} %): ${s.target} = ${s.expr}${s.reason ? ` — ${s.reason}` : ''}; click to apply`}</title>
            <path className="hit" d={curve(clamp(sy), clamp(ty))} />
            <path className="stroke" d={curve(clamp(sy), clamp(ty))} />
            <text x={LINES_WIDTH / 2} y={(clamp(sy) + clamp(ty)) / 2 - 3} textAnchor="middle">{Math.round(s.confidence * 100)}%</text>
          </g>
        );
      })}
    </svg>
  );
}

/** The y (centre of the row, relative to the visible box) of row `index` at `scrollTop`. */
export const rowY = (index: number, scrollTop: number) => index * ROW_HEIGHT + ROW_HEIGHT / 2 - scrollTop;

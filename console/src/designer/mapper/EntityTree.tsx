// One side of the mapper: an entity as a tree in a windowed list (only the rows in view are in the
// DOM, so an entity of 500 fields scrolls as fast as one of 20). Source rows are dragged (HTML5 drag
// and drop) onto target rows; from the keyboard: select a source row, then a target row, press Enter.
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { Row } from './tree';

export const ROW_HEIGHT = 28;
export const TREE_HEIGHT = 532;
const OVERSCAN = 6;
export const DRAG_TYPE = 'application/x-connect-source-field';

export interface RowMark { mapped?: boolean; required?: boolean; problems?: string[]; suggested?: boolean }

export interface EntityTreeProps {
  side: 'source' | 'target';
  label: string;
  rows: readonly Row[];
  scrollTop: number;
  onScroll: (top: number) => void;
  selected: string | undefined;
  onSelect: (path: string) => void;
  onToggle: (path: string) => void;
  marks: ReadonlyMap<string, RowMark>;
  /** Target side: a source field dropped (or Enter pressed) on a target field. */
  onMap?: (target: string, source?: string) => void;
}

export function EntityTree(p: EntityTreeProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => { if (box.current && Math.abs(box.current.scrollTop - p.scrollTop) > 1) box.current.scrollTop = p.scrollTop; }, [p.scrollTop]);
  const first = Math.max(0, Math.floor(p.scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(p.rows.length, Math.ceil((p.scrollTop + TREE_HEIGHT) / ROW_HEIGHT) + OVERSCAN);
  const selIndex = p.rows.findIndex((r) => r.node.path === p.selected);

  const focusRow = (i: number) => {
    const r = p.rows[i];
    if (!r) return;
    p.onSelect(r.node.path);
    const top = i * ROW_HEIGHT;
    if (top < p.scrollTop) p.onScroll(top);
    else if (top + ROW_HEIGHT > p.scrollTop + TREE_HEIGHT) p.onScroll(top + ROW_HEIGHT - TREE_HEIGHT);
    requestAnimationFrame(() => box.current?.querySelector<HTMLElement>(`[data-index="${i}"]`)?.focus());
  };
  const onKey = (e: KeyboardEvent, i: number, r: Row) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); focusRow(Math.min(p.rows.length - 1, i + 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); focusRow(Math.max(0, i - 1)); }
    else if (e.key === 'ArrowRight' && r.hasChildren && !r.open) { e.preventDefault(); p.onToggle(r.node.path); }
    else if (e.key === 'ArrowLeft' && r.hasChildren && r.open) { e.preventDefault(); p.onToggle(r.node.path); }
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      p.onSelect(r.node.path);
      if (e.key === 'Enter' && p.side === 'target') p.onMap?.(r.node.path);
    }
  };

  return (
    <div className={`mapper-tree ${p.side}`}>
      <div ref={box} className="mapper-scroll" style={{ height: TREE_HEIGHT }} role="tree" aria-label={p.label}
        aria-activedescendant={undefined} onScroll={(e) => p.onScroll((e.target as HTMLDivElement).scrollTop)}>
        <div style={{ height: p.rows.length * ROW_HEIGHT, position: 'relative' }}>
          {p.rows.slice(first, last).map((r, k) => {
            const i = first + k;
            const f = r.node;
            const m = p.marks.get(f.path);
            const cls = ['mapper-row', m?.mapped ? 'mapped' : '', m?.required ? 'required' : '', m?.problems?.length ? 'problem' : '', m?.suggested ? 'suggested' : '', f.path === p.selected ? 'selected' : ''].filter(Boolean).join(' ');
            return (
              <div key={f.path} data-index={i} data-path={f.path} className={cls} style={{ top: i * ROW_HEIGHT, height: ROW_HEIGHT, paddingLeft: 6 + r.depth * 16 }}
                role="treeitem" aria-level={r.depth + 1} aria-setsize={p.rows.length} aria-posinset={i + 1}
                aria-expanded={r.hasChildren ? r.open : undefined} aria-selected={f.path === p.selected}
                aria-label={`${f.path} ${f.type}${f.sagepro?.column ? ` ${f.sagepro.table}.${f.sagepro.column} ${f.sagepro.storage ?? ''}` : ''}${m?.required ? ', required, not mapped' : ''}${m?.problems?.length ? `, ${m.problems.join(', ')}` : ''}`}
                tabIndex={f.path === p.selected || (selIndex < 0 && i === first) ? 0 : -1}
                draggable={p.side === 'source' && !r.hasChildren}
                onDragStart={(e) => { e.dataTransfer.setData(DRAG_TYPE, f.path); e.dataTransfer.setData('text/plain', f.path); e.dataTransfer.effectAllowed = 'link'; }}
                onDragOver={(e) => { if (p.side === 'target' && !r.hasChildren) { e.preventDefault(); e.dataTransfer.dropEffect = 'link'; (e.currentTarget as HTMLElement).classList.add('over'); } }}
                onDragLeave={(e) => (e.currentTarget as HTMLElement).classList.remove('over')}
                onDrop={(e) => {
                  (e.currentTarget as HTMLElement).classList.remove('over');
                  const src = e.dataTransfer.getData(DRAG_TYPE) || e.dataTransfer.getData('text/plain');
                  if (src && p.side === 'target') { e.preventDefault(); p.onSelect(f.path); p.onMap?.(f.path, src); }
                }}
                onClick={() => p.onSelect(f.path)}
                onKeyDown={(e) => onKey(e, i, r)}>
                {r.hasChildren
                  ? <button type="button" className="twisty" tabIndex={-1} aria-hidden="true" onClick={(e) => { e.stopPropagation(); p.onToggle(f.path); }}>{r.open ? '▾' : '▸'}</button>
                  : <span className="twisty" aria-hidden="true" />}
                <span className="name">{f.name}{f.list ? '[]' : ''}</span>
                <span className="type">{f.type}</span>
                {f.sagepro?.column && <span className="col" title={f.description}>{f.sagepro.table}.{f.sagepro.column} <b>{f.sagepro.storage}</b></span>}
                {m?.required && <span className="badge req">required</span>}
                {m?.problems?.map((c) => <span key={c} className="badge bad">{c}</span>)}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

// The expression of one assignment in a small editor with completion from the language service
// (the API runs compiler/lsp/completion.ts on the flow text with this expression in place).
// Ctrl+Space or typing after `.` opens the list; arrows choose, Enter or Tab inserts, Escape closes.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { post } from '../../api';
import type { CompletionItemView, CompletionResult } from './types';

export interface ExprEditorProps {
  file: string; text: string; target: string;
  /** The expression's span in `text` (a new assignment: both at the insertion point, see the API). */
  exprStart: number; exprEnd: number;
  initial: string;
  onApply: (expr: string) => void;
  onUnmap?: () => void;
  onCancel: () => void;
}

export function ExprEditor(p: ExprEditorProps) {
  const [expr, setExpr] = useState(p.initial);
  const [items, setItems] = useState<CompletionItemView[]>([]);
  const [range, setRange] = useState<{ from: number; to: number }>({ from: 0, to: 0 });
  const [active, setActive] = useState(0);
  const [fail, setFail] = useState<string>();
  const area = useRef<HTMLTextAreaElement>(null);
  const seq = useRef(0);
  useEffect(() => { setExpr(p.initial); setItems([]); area.current?.focus(); }, [p.target, p.initial]);

  const complete = async (value: string, cursor: number) => {
    const n = ++seq.current;
    try {
      const r = await post<CompletionResult>('/designer/mapper/complete', { file: p.file, text: p.text, exprStart: p.exprStart, exprEnd: p.exprEnd, expr: value, cursor });
      if (n !== seq.current) return;
      setItems(r.items.slice(0, 50)); setRange({ from: r.from, to: r.to }); setActive(0); setFail(undefined);
    } catch (e) { if (n === seq.current) { setItems([]); setFail((e as Error).message); } }
  };
  const insert = (it: CompletionItemView) => {
    const v = expr.slice(0, range.from) + it.insertText + expr.slice(range.to);
    setExpr(v); setItems([]);
    const at = range.from + it.insertText.length;
    requestAnimationFrame(() => { area.current?.focus(); area.current?.setSelectionRange(at, at); });
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === ' ' && e.ctrlKey) { e.preventDefault(); void complete(expr, e.currentTarget.selectionStart); return; }
    if (items.length) {
      if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => Math.min(items.length - 1, a + 1)); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(0, a - 1)); return; }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); insert(items[active]!); return; }
      if (e.key === 'Escape') { e.preventDefault(); setItems([]); return; }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); p.onApply(expr); }
    if (e.key === 'Escape') { e.preventDefault(); p.onCancel(); }
  };

  return (
    <form className="mapper-expr" aria-label={`Expression of ${p.target}`} onSubmit={(e) => { e.preventDefault(); p.onApply(expr); }}>
      <label htmlFor="mapper-expr-input">{p.target} =</label>
      <div className="mapper-expr-box">
        <textarea id="mapper-expr-input" ref={area} rows={Math.min(6, Math.max(2, expr.split('\n').length))} spellCheck={false} value={expr}
          role="combobox" aria-expanded={items.length > 0} aria-controls="mapper-completions" aria-autocomplete="list"
          aria-activedescendant={items.length ? `mapper-completion-${active}` : undefined}
          onChange={(e) => {
            const v = e.target.value; setExpr(v);
            const c = e.target.selectionStart;
            // After a dot, or on a name being typed (not a number): the list opens by itself.
            if (/(\.|(^|[^\w.])[A-Za-z_]\w*|\.[A-Za-z_]\w*)$/.test(v.slice(0, c))) void complete(v, c); else setItems([]);
          }}
          onKeyDown={onKey} onBlur={() => { seq.current++; setItems([]); }} />
        {items.length > 0 && (
          <ul id="mapper-completions" role="listbox" aria-label="Completions" className="mapper-completions">
            {items.map((it, i) => (
              <li key={`${it.label}:${i}`} id={`mapper-completion-${i}`} role="option" aria-selected={i === active}
                className={i === active ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); insert(it); }}>
                <span className="label">{it.label}</span> <span className="detail">{it.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {fail && <p role="alert" className="error">{fail}</p>}
      <div className="actions">
        <button type="submit">Apply</button>
        {p.onUnmap && <button type="button" className="danger" onClick={p.onUnmap}>Unmap</button>}
        <button type="button" onClick={p.onCancel}>Cancel</button>
        <span className="muted">Ctrl+Space completes; Ctrl+Enter applies</span>
      </div>
    </form>
  );
}

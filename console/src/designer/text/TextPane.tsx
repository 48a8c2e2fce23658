// The designer's text pane: the .flow text in a plain textarea (no wrapping) with line numbers, the
// lines the last picture edit changed highlighted, and the diagnostics listed with their lines (a
// button moves the cursor there). Typing is reported at once; the page debounces the model update.
import { forwardRef, useCallback, useImperativeHandle, useRef, useState, type UIEvent } from 'react';

export interface Diagnostic { code?: string; severity: 'error' | 'warning' | 'info'; message: string; line: number; column: number }

export interface TextPaneHandle { goTo(line: number, column?: number): void }

const LINE_PX = 18;

interface Props {
  text: string;
  onChange: (text: string) => void;
  /** 1-based lines to highlight (what the last picture edit changed). */
  changed: readonly number[];
  diagnostics: readonly Diagnostic[];
  readOnly?: boolean;
}

export const TextPane = forwardRef<TextPaneHandle, Props>(function TextPane({ text, onChange, changed, diagnostics, readOnly }, ref) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [scroll, setScroll] = useState({ top: 0, left: 0 });
  const lines = text.split('\n').length;
  const changedSet = new Set(changed);
  const errorLines = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.line));

  const goTo = useCallback((line: number, column = 1) => {
    const t = area.current;
    if (!t) return;
    const parts = t.value.split('\n');
    let off = 0;
    for (let i = 0; i < line - 1 && i < parts.length; i++) off += parts[i]!.length + 1;
    off += Math.max(0, column - 1);
    t.focus();
    t.setSelectionRange(off, off);
    t.scrollTop = Math.max(0, (line - 5) * LINE_PX);
  }, []);
  useImperativeHandle(ref, () => ({ goTo }), [goTo]);

  const onScroll = (e: UIEvent<HTMLTextAreaElement>) => setScroll({ top: e.currentTarget.scrollTop, left: e.currentTarget.scrollLeft });

  return (
    <section className="textpane" aria-labelledby="h-text">
      <h2 id="h-text">Text</h2>
      <div className="textpane-edit">
        <div className="gutter" aria-hidden="true">
          <div style={{ transform: `translateY(${-scroll.top}px)` }}>
            {Array.from({ length: lines }, (_, i) => (
              <div key={i} className={`ln${changedSet.has(i + 1) ? ' changed' : ''}${errorLines.has(i + 1) ? ' err' : ''}`} data-line={i + 1}>{i + 1}</div>
            ))}
          </div>
        </div>
        <div className="textpane-body">
          <div className="bands" aria-hidden="true" style={{ transform: `translateY(${-scroll.top}px)` }}>
            {[...changedSet].map((l) => <div key={l} className="band" data-changed-line={l} style={{ top: (l - 1) * LINE_PX }} />)}
          </div>
          <label htmlFor="flow-text" className="sr">Flow text</label>
          <textarea id="flow-text" value={text} spellCheck={false} wrap="off" readOnly={readOnly} onScroll={onScroll}
            aria-describedby="text-changed" onChange={(e) => onChange(e.target.value)} ref={area} />
        </div>
      </div>
      <p id="text-changed" className="muted" role="status">
        {changed.length ? `Changed by the picture: line${changed.length > 1 ? 's' : ''} ${rangeText(changed)}` : ''}
      </p>
      <h3 id="h-diags">Diagnostics</h3>
      {diagnostics.length === 0 ? <p className="ok">No problems.</p> : (
        <ul className="diags" aria-labelledby="h-diags">
          {diagnostics.map((d, i) => (
            <li key={i} className={d.severity}>
              <button type="button" className="linkish" onClick={() => goTo(d.line, d.column)}>line {d.line}</button>{' '}
              <span className="sev">{d.severity}</span>{d.code ? <code> {d.code}</code> : null}: {d.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
});

function rangeText(lines: readonly number[]): string {
  const s = [...lines].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    out.push(j > i ? `${s[i]}–${s[j]}` : String(s[i]));
    i = j;
  }
  return out.join(', ');
}

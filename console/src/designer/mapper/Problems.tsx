// The compiler's diagnostics for the map as the user works (unmapped required targets, too-wide
// values FLOW3005, type mismatches), each with the compiler's own quick fixes as buttons.
import type { DiagView } from './types';

export function Problems({ diagnostics, onFix, onShow }: { diagnostics: readonly DiagView[]; onFix: (fixId: string) => void; onShow: (d: DiagView) => void }) {
  return (
    <section className="mapper-problems" aria-labelledby="h-mapper-problems">
      <h2 id="h-mapper-problems">Problems <span className="muted">({diagnostics.length})</span></h2>
      {diagnostics.length === 0 ? <p className="ok" role="status">The map checks: no problems.</p> : (
        <ul>
          {diagnostics.map((d, i) => (
            <li key={`${d.code}:${d.start}:${i}`} className={d.severity}>
              <button type="button" className="link" onClick={() => onShow(d)} aria-label={`Show ${d.code} at line ${d.line}`}>
                <span className="code">{d.code}</span> line {d.line}{d.target ? <> · <code>{d.target}</code></> : null}
              </button>
              <span className="msg">{d.message}{d.hint ? ` ${d.hint}` : ''}</span>
              {d.fixes.map((f) => <button key={f.id} type="button" className="fix" onClick={() => onFix(f.id)}>{f.title}</button>)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

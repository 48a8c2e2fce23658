// Every attempt of a job: outcome, error class and message, the .flow site with its source lines.
import type { Attempt } from '../types';
import { site, when } from '../format';

export function Attempts({ attempts }: { attempts: Attempt[] }) {
  if (!attempts.length) return <p className="muted">No attempts recorded.</p>;
  return (
    <ol className="attempts">
      {attempts.map((a, i) => (
        <li key={`${a.runId}-${i}`}>
          <p>
            <strong>Attempt {i + 1}</strong> at {when(a.startedAt)}: <span className={`outcome ${a.outcome}`}>{a.outcome}</span>
            {a.errorClass && <> · <span className="eclass">{a.errorClass}</span></>}
            {a.site && <> · <code>{site(a.site)}</code></>}
          </p>
          {a.error && <p className="errmsg">{a.error}</p>}
          {a.source && <Source source={a.source} line={a.site?.line} column={a.site?.column} />}
        </li>
      ))}
    </ol>
  );
}

function Source({ source, line, column }: { source: NonNullable<Attempt['source']>; line?: number; column?: number }) {
  return (
    <pre className="source" aria-label={`${source.file} from line ${source.firstLine}`}>
      {source.lines.map((text, k) => {
        const n = source.firstLine + k;
        const hit = n === line;
        return (
          <div key={n} className={hit ? 'hit' : undefined}>
            <span className="ln">{String(n).padStart(4)} │ </span>{text}
            {hit && column ? <div className="caret"><span className="ln">{' '.repeat(4)} │ </span>{' '.repeat(Math.max(0, column - 1))}^</div> : null}
          </div>
        );
      })}
    </pre>
  );
}

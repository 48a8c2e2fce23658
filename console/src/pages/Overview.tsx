// Each deployed flow (totals, charts of the last 24 hours and 14 days, queue depth, last run) and the
// state of each connection, kept current by the server-sent events of /api/stream.
import { useEffect, useState } from 'react';
import { ago, when } from '../format';
import { useLoad } from '../load';
import { href } from '../router';
import { RunChart } from '../components/Chart';
import { ErrorText } from '../components/Notice';
import type { Overview, RunSummary } from '../types';

export function OverviewPage() {
  const { data, error, set } = useLoad<Overview>('/overview');
  const [live, setLive] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [recent, setRecent] = useState<RunSummary[]>([]);
  const [, tick] = useState(0);
  useEffect(() => {
    const es = new EventSource('/api/stream', { withCredentials: true });
    es.onopen = () => setLive('live');
    es.onerror = () => setLive('reconnecting');
    es.addEventListener('overview', (m) => { try { set(JSON.parse((m as MessageEvent<string>).data) as Overview); } catch { /* ignore a bad frame */ } });
    es.addEventListener('run', (m) => {
      try { const r = JSON.parse((m as MessageEvent<string>).data) as RunSummary; setRecent((xs) => [r, ...xs].slice(0, 8)); } catch { /* ignore */ }
    });
    const t = setInterval(() => tick((x) => x + 1), 1000); // "up for ..." keeps counting
    return () => { es.close(); clearInterval(t); };
  }, [set]);

  return (
    <section aria-labelledby="h-overview">
      <h1 id="h-overview">Overview <span className={`live ${live}`} role="status" aria-live="polite">{live === 'live' ? '● live' : live}</span></h1>
      <ErrorText error={error} />
      {data && (
        <>
          <div className="cards">
            {data.connections.map((c) => (
              <article key={c.name} className={`card conn ${c.state}`} aria-label={`Connection ${c.name}`}>
                <h2>{c.name === 'xcart' ? 'X-Cart' : c.name === 'sagepro' ? 'Sage Pro' : c.name}</h2>
                <p className="state">{c.state}{c.since && c.state !== 'unknown' ? ` for ${ago(c.since)}` : ''}</p>
                {c.since && <p className="muted">since {when(c.since)}</p>}
                {c.lastError && <p className="errmsg">{c.lastError}</p>}
              </article>
            ))}
            <article className="card" aria-label="Queue">
              <h2>Queue</h2>
              <p><span className="big">{data.queue.queued}</span> queued · {data.queue.leased} running</p>
              <p><a href={href('/dead-letters')}>{data.queue.deadLetters} dead letters</a></p>
            </article>
          </div>
          <h2>Flows</h2>
          {data.flows.length === 0 && <p className="muted">No flows deployed.</p>}
          {data.flows.map((f) => (
            <article key={f.name} className="flow" aria-label={`Flow ${f.name}`}>
              <h3><a href={href('/runs', { flow: f.name })}>{f.name}</a> <span className="muted">{f.trigger} · version {f.version.slice(0, 12)}</span></h3>
              <p className="totals">
                <span>{f.totals.runs} runs</span> <span className="ok">{f.totals.done} done</span> <span className="warn">{f.totals.retry} retries</span>{' '}
                <span className="bad">{f.totals.dead_letter} dead letters</span> <span>{f.totals.skipped} skipped</span> <span>{f.totals.duplicate} duplicates</span>
                {' '}· queue {f.queueDepth} · last run {f.lastRunAt ? `${ago(f.lastRunAt)} ago` : 'never'}
              </p>
              <div className="charts">
                <RunChart points={f.series.hours} label="Last 24 hours" unit="hour" />
                <RunChart points={f.series.days} label="Last 14 days" unit="day" />
              </div>
            </article>
          ))}
          {recent.length > 0 && (
            <>
              <h2>Just finished</h2>
              <ul className="recent" aria-live="polite">
                {recent.map((r) => <li key={String(r.id)}><a href={href(`/runs/${r.id}`)}>{r.flow} #{r.id}</a> <span className={`outcome ${r.outcome}`}>{r.outcome}</span></li>)}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}

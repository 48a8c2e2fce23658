// The run log with filters (flow, outcome, time range) and the business-key search box. The filters
// live in the address (#/runs?flow=...&q=...), so a search can be bookmarked and the back button works.
import { useEffect, useState, type FormEvent } from 'react';
import { get, qs } from '../api';
import { site, when } from '../format';
import { useLoad } from '../load';
import { href, navigate } from '../router';
import { KeyList } from '../components/Keys';
import { ErrorText } from '../components/Notice';
import type { FlowInfo, RunSummary } from '../types';

export const OUTCOMES = ['done', 'retry', 'dead_letter', 'skipped', 'duplicate'];
const FIELDS = ['flow', 'outcome', 'from', 'to', 'q', 'anomaly'] as const;
type Filter = Record<(typeof FIELDS)[number], string>;

const toIso = (local: string) => (local ? new Date(local).toISOString() : '');

/** The anomaly mark of a run: held (not written, waiting for a person) or warned (written, flagged); the flags in its title. */
export function AnomalyMark({ run }: { run: RunSummary }) {
  if (!run.anomaly) return null;
  return <span className={`anomaly ${run.anomaly}`} title={(run.anomalies ?? []).join('\n')}>{run.anomaly === 'held' ? 'anomaly: held' : 'anomaly'}</span>;
}

export function RunsPage({ query }: { query: URLSearchParams }) {
  const filter = Object.fromEntries(FIELDS.map((k) => [k, query.get(k) ?? ''])) as Filter;
  const [form, setForm] = useState<Filter>(filter);
  const flows = useLoad<FlowInfo[]>('/flows');
  const [runs, setRuns] = useState<RunSummary[]>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const key = FIELDS.map((k) => filter[k]).join('\u0000');

  const params = (before?: string) => ({ flow: filter.flow, outcome: filter.outcome, from: toIso(filter.from), to: toIso(filter.to), q: filter.q.trim(), anomaly: filter.anomaly, limit: 50, before });
  useEffect(() => {
    setForm(filter);
    let live = true;
    setError(undefined);
    get<{ runs: RunSummary[]; next: string | null }>(`/runs${qs(params())}`).then(
      (r) => { if (live) { setRuns(r.runs); setNext(r.next); } },
      (e: Error) => { if (live) setError(e.message); },
    );
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const more = async () => {
    if (!next) return;
    try {
      const r = await get<{ runs: RunSummary[]; next: string | null }>(`/runs${qs(params(next))}`);
      setRuns((xs) => [...(xs ?? []), ...r.runs]); setNext(r.next);
    } catch (e) { setError((e as Error).message); }
  };
  const submit = (e: FormEvent) => { e.preventDefault(); navigate('/runs', form); };
  const field = (k: keyof Filter) => ({ id: `f-${k}`, name: k, value: form[k], onChange: (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value }) });

  return (
    <section aria-labelledby="h-runs">
      <h1 id="h-runs">Runs</h1>
      <form className="filters" onSubmit={submit} role="search" aria-label="Find runs">
        <div className="search">
          <label htmlFor="f-q">Business key</label>
          <input {...field('q')} type="search" placeholder="order number or id, sales order, customer, email, SKU" />
        </div>
        <div>
          <label htmlFor="f-flow">Flow</label>
          <select {...field('flow')}>
            <option value="">All flows</option>
            {(flows.data ?? []).map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="f-outcome">Outcome</label>
          <select {...field('outcome')}>
            <option value="">Any outcome</option>
            {OUTCOMES.map((o) => <option key={o} value={o}>{o}</option>)}
          </select>
        </div>
        <div><label htmlFor="f-from">From</label><input {...field('from')} type="datetime-local" /></div>
        <div><label htmlFor="f-to">To</label><input {...field('to')} type="datetime-local" /></div>
        <div className="check">
          <label htmlFor="f-anomaly">Anomalies only</label>
          <input id="f-anomaly" name="anomaly" type="checkbox" checked={form.anomaly === '1'} onChange={(e) => setForm({ ...form, anomaly: e.target.checked ? '1' : '' })} />
        </div>
        <div className="actions">
          <button type="submit">Search</button>
          <button type="button" onClick={() => navigate('/runs')}>Clear</button>
        </div>
      </form>
      <ErrorText error={error} />
      {runs && (runs.length === 0 ? <p className="muted" role="status">No runs match.</p> : (
        <table className="list" aria-label="Runs">
          <thead><tr><th scope="col">Run</th><th scope="col">Flow</th><th scope="col">Outcome</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Keys</th><th scope="col">Error</th></tr></thead>
          <tbody>
            {runs.map((r) => (
              <tr key={String(r.id)}>
                <td><a href={href(`/runs/${r.id}`)}>#{r.id}</a></td>
                <td>{r.flow}</td>
                <td><span className={`outcome ${r.outcome}`}>{r.outcome}</span>{r.anomaly && <> <AnomalyMark run={r} /></>}</td>
                <td className="nowrap">{when(r.startedAt)}</td>
                <td className="num">{r.durationMs} ms</td>
                <td><KeyList keys={r.keys} /></td>
                <td className="errcell">{r.errorClass ? <><span className="eclass">{r.errorClass}</span> {r.error} {r.site && <code>{site(r.site)}</code>}</> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {next && <button type="button" onClick={() => void more()}>Older runs</button>}
    </section>
  );
}

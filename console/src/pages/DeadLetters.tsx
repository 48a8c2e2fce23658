// The dead-letter queue grouped by flow and reason; replay one, or every entry matching the filter
// after a dry run that says how many would run (the confirm button names the number).
import { useEffect, useState, type FormEvent } from 'react';
import { post, qs } from '../api';
import { site, when } from '../format';
import { useLoad } from '../load';
import { href, navigate } from '../router';
import { can, useSession } from '../session';
import { KeyList } from '../components/Keys';
import { Done, ErrorText } from '../components/Notice';
import type { DeadLetter, DeadLetterGroup } from '../types';

type Filter = { flow: string; reason: string; q: string };

export function DeadLettersPage({ query }: { query: URLSearchParams }) {
  const session = useSession();
  const operator = can(session, 'operator');
  const filter: Filter = { flow: query.get('flow') ?? '', reason: query.get('reason') ?? '', q: query.get('q') ?? '' };
  const [form, setForm] = useState(filter);
  const { data, error, reload } = useLoad<{ groups: DeadLetterGroup[]; items: DeadLetter[] }>(`/dead-letters${qs(filter)}`);
  const [dry, setDry] = useState<{ count: number; ids: (number | string)[] }>();
  const [done, setDone] = useState<string>();
  const [fail, setFail] = useState<string>();
  const key = `${filter.flow}\u0000${filter.reason}\u0000${filter.q}`;
  useEffect(() => { setForm(filter); setDry(undefined); }, [key]); // eslint-disable-line react-hooks/exhaustive-deps

  const act = async (what: () => Promise<string>) => {
    setFail(undefined); setDone(undefined);
    try { setDone(await what()); reload(); } catch (e) { setFail((e as Error).message); }
  };
  const activeFilter = () => Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
  const replayOne = (d: DeadLetter) => act(async () => {
    const r = await post<{ jobId: number | string; alreadyReplayed?: boolean }>(`/dead-letters/${d.id}/replay`);
    return r.alreadyReplayed ? `Dead letter #${d.id} was already replayed (job ${r.jobId}).` : `Dead letter #${d.id} replayed as job ${r.jobId}.`;
  });
  const dryRun = () => act(async () => {
    const r = await post<{ count: number; ids: (number | string)[] }>('/dead-letters/replay', { filter: activeFilter(), dryRun: true });
    setDry(r);
    return `Dry run: ${r.count} dead letter${r.count === 1 ? '' : 's'} would be replayed.`;
  });
  const replayAll = () => act(async () => {
    const r = await post<{ replayed: { id: number | string; jobId: number | string }[] }>('/dead-letters/replay', { filter: activeFilter(), dryRun: false });
    setDry(undefined);
    return `Replayed ${r.replayed.length} dead letter${r.replayed.length === 1 ? '' : 's'}.`;
  });
  const submit = (e: FormEvent) => { e.preventDefault(); navigate('/dead-letters', form); };

  return (
    <section aria-labelledby="h-dl">
      <h1 id="h-dl">Dead letters</h1>
      <form className="filters" onSubmit={submit} role="search" aria-label="Filter dead letters">
        <div><label htmlFor="d-flow">Flow</label><input id="d-flow" value={form.flow} onChange={(e) => setForm({ ...form, flow: e.target.value })} /></div>
        <div><label htmlFor="d-reason">Reason</label><input id="d-reason" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} /></div>
        <div className="search"><label htmlFor="d-q">Business key</label><input id="d-q" type="search" value={form.q} onChange={(e) => setForm({ ...form, q: e.target.value })} /></div>
        <div className="actions"><button type="submit">Filter</button><button type="button" onClick={() => navigate('/dead-letters')}>Clear</button></div>
      </form>
      <ErrorText error={error ?? fail} />
      <Done text={done} />
      {data && (
        <>
          <h2>By flow and reason</h2>
          {data.groups.length === 0 ? <p className="muted">The dead-letter queue is empty{filter.flow || filter.reason || filter.q ? ' for this filter' : ''}.</p> : (
            <table className="list" aria-label="Dead-letter groups">
              <thead><tr><th scope="col">Flow</th><th scope="col">Reason</th><th scope="col">Entries</th></tr></thead>
              <tbody>
                {data.groups.map((g) => (
                  <tr key={`${g.flow}/${g.reason}`}>
                    <td>{g.flow}</td>
                    <td><a href={href('/dead-letters', { flow: g.flow, reason: g.reason })}>{g.reason}</a></td>
                    <td className="num">{g.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {operator && data.items.length > 0 && (
            <div className="bulk" role="group" aria-label="Replay all that match">
              <button type="button" onClick={() => void dryRun()}>Dry run: replay all that match</button>
              {dry && (dry.count > 0
                ? <button type="button" className="danger" onClick={() => void replayAll()}>Replay {dry.count} dead letter{dry.count === 1 ? '' : 's'}</button>
                : <span className="muted">Nothing to replay.</span>)}
              {dry && dry.count > 0 && <span className="muted"> entries {dry.ids.map(String).join(', ')}</span>}
            </div>
          )}
          <h2>Entries</h2>
          {data.items.length > 0 && (
            <table className="list" aria-label="Dead letters">
              <thead><tr><th scope="col">Entry</th><th scope="col">Flow</th><th scope="col">Class</th><th scope="col">Reason</th><th scope="col">Keys</th><th scope="col">Since</th>{operator && <th scope="col">Action</th>}</tr></thead>
              <tbody>
                {data.items.map((d) => (
                  <tr key={String(d.id)}>
                    <td><a href={href(`/dead-letters/${d.id}`)}>#{d.id}</a></td>
                    <td>{d.flow}</td>
                    <td><span className="eclass">{d.errorClass}</span></td>
                    <td>{d.reason}{d.site && <><br /><code>{site(d.site)}</code></>}</td>
                    <td><KeyList keys={d.keys} /></td>
                    <td className="nowrap">{when(d.createdAt)}</td>
                    {operator && <td><button type="button" onClick={() => void replayOne(d)} aria-label={`Replay dead letter ${d.id}`}>Replay</button></td>}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

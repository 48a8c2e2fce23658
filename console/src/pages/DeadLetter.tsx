// One dead letter: its attempts, and (operators) replay, edit-and-resubmit with a diff against the
// original payload (the same idempotency key, so a second resubmit creates nothing), discard with a reason.
import { useEffect, useMemo, useState } from 'react';
import { post } from '../api';
import { json, site, when } from '../format';
import { useLoad } from '../load';
import { href } from '../router';
import { can, useSession } from '../session';
import { Attempts } from '../components/Attempts';
import { DiffView, jsonDiff } from '../components/Diff';
import { KeyList } from '../components/Keys';
import { Done, ErrorText } from '../components/Notice';
import type { DeadLetterDetail, DiffEntry } from '../types';


export function DeadLetterPage({ id }: { id: string }) {
  const session = useSession();
  const { data, error, reload } = useLoad<DeadLetterDetail>(`/dead-letters/${encodeURIComponent(id)}`);
  // Replay and discard while pending; resubmit also after (a second one must create nothing), not once discarded.
  const pending = !data?.state || data.state === 'pending';
  const operator = can(session, 'operator');
  const editable = operator && data?.state !== 'discarded';
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string>();
  const [fail, setFail] = useState<string>();
  const [sent, setSent] = useState<DiffEntry[]>();
  const [loaded, setLoaded] = useState(false);
  useEffect(() => { if (data && !loaded) { setText(json(data.payload)); setLoaded(true); } }, [data, loaded]);

  const parsed = useMemo((): { ok: true; value: unknown } | { ok: false; message: string } => {
    try { return { ok: true, value: JSON.parse(text) }; } catch (e) { return { ok: false, message: (e as Error).message }; }
  }, [text]);
  const diff = data && parsed.ok ? jsonDiff(data.payload, parsed.value) : [];

  const act = async (what: () => Promise<string>) => {
    setFail(undefined); setDone(undefined);
    try { setDone(await what()); } catch (e) { setFail((e as Error).message); }
    reload();
  };
  const replay = () => act(async () => {
    const r = await post<{ jobId: string; alreadyReplayed?: boolean }>(`/dead-letters/${id}/replay`);
    return r.alreadyReplayed ? `Already replayed (job ${r.jobId}).` : `Replayed as job ${r.jobId}.`;
  });
  const resubmit = () => act(async () => {
    if (!parsed.ok) throw new Error(`The payload is not valid JSON: ${parsed.message}`);
    const r = await post<{ jobId: string; diff: DiffEntry[] }>(`/dead-letters/${id}/resubmit`, { payload: parsed.value });
    setSent(r.diff);
    return `Resubmitted as job ${r.jobId} (same idempotency key as the original).`;
  });
  const discard = () => act(async () => {
    if (!reason.trim()) throw new Error('Say why the entry is discarded.');
    await post(`/dead-letters/${id}/discard`, { reason: reason.trim() });
    return 'Discarded.';
  });

  return (
    <section aria-labelledby="h-dlone">
      <p><a href={href('/dead-letters')}>← Dead letters</a></p>
      <h1 id="h-dlone">Dead letter #{id}{data && <> of {data.flow}</>}</h1>
      <ErrorText error={error} />
      {data && (
        <>
          <dl className="facts">
            <dt>Reason</dt><dd>{data.reason}</dd>
            <dt>Class</dt><dd><span className="eclass">{data.errorClass}</span></dd>
            <dt>Error</dt><dd>{data.error} {data.site && <code>{site(data.site)}</code>}</dd>
            <dt>Keys</dt><dd><KeyList keys={data.keys} /></dd>
            <dt>Job</dt><dd>{String(data.jobId)}</dd>
            <dt>Since</dt><dd>{when(data.createdAt)}</dd>
            <dt>State</dt><dd>{data.state ?? 'pending'}{data.replayJobId !== undefined ? ` (job ${data.replayJobId})` : ''}{data.discardReason ? `: ${data.discardReason}` : ''}</dd>
          </dl>
          <ErrorText error={fail} />
          <Done text={done} />
          {operator && pending && (
            <div className="actions">
              {data.held
                ? <><button type="button" onClick={() => void replay()}>Release</button> <span className="muted">Held by <code>hold when anomaly</code>: Release runs it once as it is and accepts the anomaly; Discard drops it.</span></>
                : <button type="button" onClick={() => void replay()}>Replay</button>}
            </div>
          )}
          <h2>Payload</h2>
          {editable ? (
            <div className="editor">
              <label htmlFor="payload">Event payload (JSON): edit it, check the changes, resubmit</label>
              <textarea id="payload" spellCheck={false} rows={Math.min(30, Math.max(8, text.split('\n').length))} value={text}
                aria-invalid={!parsed.ok} aria-describedby="payload-check" onChange={(e) => setText(e.target.value)} />
              <p id="payload-check" className={parsed.ok ? 'muted' : 'error'}>{parsed.ok ? `${diff.length} field${diff.length === 1 ? '' : 's'} changed` : `Not valid JSON: ${parsed.message}`}</p>
              <DiffView entries={diff} caption="Changes against the original payload" />
              <div className="actions">
                <button type="button" onClick={() => void resubmit()} disabled={!parsed.ok}>Resubmit</button>
                <button type="button" onClick={() => data && setText(json(data.payload))}>Reset</button>
              </div>
              {sent && <DiffView entries={sent} caption="Resubmitted with these changes" />}
            </div>
          ) : <pre className="json">{json(data.payload)}</pre>}
          {operator && pending && (
            <form className="discard" onSubmit={(e) => { e.preventDefault(); void discard(); }} aria-label="Discard">
              <label htmlFor="discard-reason">Reason for discarding</label>
              <input id="discard-reason" value={reason} onChange={(e) => setReason(e.target.value)} required />
              <button type="submit" className="danger">Discard</button>
            </form>
          )}
          <h2>Attempts</h2>
          <Attempts attempts={data.attempts} />
        </>
      )}
    </section>
  );
}

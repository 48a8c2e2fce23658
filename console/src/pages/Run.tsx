// One run: the triggering event, the calls it made (records fetched, writes made), every attempt of
// its job with error class, message, .flow site and source lines, and the flow version.
import { json, site, when } from '../format';
import { useLoad } from '../load';
import { href } from '../router';
import { Attempts } from '../components/Attempts';
import { KeyList } from '../components/Keys';
import { ErrorText } from '../components/Notice';
import type { Call, RunDetail } from '../types';
import { AnomalyMark } from './Runs';

export function RunPage({ id }: { id: string }) {
  const { data, error } = useLoad<RunDetail>(`/runs/${encodeURIComponent(id)}`);
  return (
    <section aria-labelledby="h-run">
      <p><a href={href('/runs')}>← Runs</a></p>
      <h1 id="h-run">Run #{id}{data && <> of {data.run.flow} <span className={`outcome ${data.run.outcome}`}>{data.run.outcome}</span> <AnomalyMark run={data.run} /></>}</h1>
      <ErrorText error={error} />
      {data && (
        <>
          <dl className="facts">
            <dt>Job</dt><dd>{String(data.run.jobId)}</dd>
            <dt>Started</dt><dd>{when(data.run.startedAt)} ({data.run.durationMs} ms)</dd>
            <dt>Flow version</dt><dd><code>{data.flowVersion}</code></dd>
            <dt>Keys</dt><dd><KeyList keys={data.run.keys} /></dd>
            {data.run.anomalies && <><dt>Anomalies</dt><dd><ul className="anomalies">{data.run.anomalies.map((a, i) => <li key={i}>{a}</li>)}</ul>
              {data.run.anomaly === 'held' && <p className="muted">Held for a person (hold when anomaly): nothing was written. Release it from its dead letter (Release), or discard it.</p>}</dd></>}
            {data.run.error && <><dt>Error</dt><dd><span className="eclass">{data.run.errorClass}</span> {data.run.error} <code>{site(data.run.site)}</code></dd></>}
          </dl>
          <h2>Triggering event</h2>
          <p><code>{data.event.type}</code> from {data.event.source}{data.event.id ? <> · id <code>{data.event.id}</code></> : null}</p>
          <details open><summary>Payload</summary><pre className="json">{json(data.event.payload)}</pre></details>
          <h2>Records fetched</h2>
          <Calls calls={data.calls.filter((c) => c.kind === 'read')} empty="Nothing was fetched." />
          <h2>Writes made</h2>
          <Calls calls={data.calls.filter((c) => c.kind === 'write')} empty="Nothing was written." />
          <h2>Attempts</h2>
          <Attempts attempts={data.attempts} />
        </>
      )}
    </section>
  );
}

function Calls({ calls, empty }: { calls: Call[]; empty: string }) {
  if (!calls.length) return <p className="muted">{empty}</p>;
  return (
    <ul className="calls">
      {calls.map((c, i) => (
        <li key={i}>
          <details>
            <summary><code>{c.system}.{c.operation}</code> · {c.durationMs} ms{c.error ? <span className="bad"> · {c.error}</span> : null}</summary>
            <div className="callbody">
              <h3>Arguments</h3><pre className="json">{json(c.args)}</pre>
              {c.result !== undefined && <><h3>Result</h3><pre className="json">{json(c.result)}</pre></>}
            </div>
          </details>
        </li>
      ))}
    </ul>
  );
}

// The preview: the edited flow run on its flow-test fixtures (mappings/tests/<flow>.test.yaml) as the
// user edits: per case, pass or fail, the write records it made and each failed expectation.
import type { PreviewResult } from './types';

export function Preview({ result, running, error }: { result: PreviewResult | undefined; running: boolean; error: string | undefined }) {
  const failed = result?.cases.filter((c) => !c.ok && !c.skipped).length ?? 0;
  return (
    <section className="mapper-preview" aria-labelledby="h-mapper-preview" aria-busy={running}>
      <h2 id="h-mapper-preview">Preview on the fixtures {running && <span className="muted">(running…)</span>}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {result && (
        <>
          <p role="status" className={failed ? 'error' : 'done'}>
            {result.tests === null ? 'This flow has no flow-test fixtures (mappings/tests/<flow>.test.yaml).'
              : result.compileErrors.length ? `The flow does not compile: ${result.compileErrors.length} error(s).`
                : `${result.cases.length - failed} of ${result.cases.length} cases pass${failed ? `, ${failed} fail` : ''}.`}
          </p>
          {result.compileErrors.length > 0 && <ul className="bad">{result.compileErrors.map((e, i) => <li key={i}>{e}</li>)}</ul>}
          {result.cases.map((c) => (
            <details key={c.name} className={`case ${c.ok ? 'pass' : 'fail'}`} open={!c.ok}>
              <summary><span className={c.ok ? 'ok' : 'bad'}>{c.ok ? '✓' : '✗'}</span> {c.name}{c.skipped ? <span className="muted"> (skipped: {c.skipped})</span> : null} <span className="muted">{c.writes.length} write(s)</span></summary>
              {c.error && <p className="error">{c.error}</p>}
              {c.failures.length > 0 && <ul className="failures" aria-label={`Failed expectations of ${c.name}`}>{c.failures.map((f, i) => <li key={i}>{f}</li>)}</ul>}
              {c.writes.map((w, i) => (
                <div key={i} className="write"><code>{w.operation}</code><pre className="json">{JSON.stringify(w.record, null, 2)}</pre></div>
              ))}
            </details>
          ))}
        </>
      )}
    </section>
  );
}

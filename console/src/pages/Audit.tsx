// Every operator and admin action, newest first.
import { useState } from 'react';
import { get, qs } from '../api';
import { json, when } from '../format';
import { useLoad } from '../load';
import { ErrorText } from '../components/Notice';
import type { AuditEntry } from '../types';

const brief = (v: unknown): string => {
  if (v === undefined) return '—';
  const t = JSON.stringify(v);
  return t.length > 70 ? `${t.slice(0, 69)}…` : t;
};

export function AuditPage() {
  const { data, error } = useLoad<{ entries: AuditEntry[]; next: string | null }>('/audit?limit=100');
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [fail, setFail] = useState<string>();
  const cursor = next === undefined ? data?.next : next;
  const more = async () => {
    try { const r = await get<{ entries: AuditEntry[]; next: string | null }>(`/audit${qs({ limit: 100, before: cursor })}`); setOlder((xs) => [...xs, ...r.entries]); setNext(r.next); } catch (e) { setFail((e as Error).message); }
  };
  const entries = [...(data?.entries ?? []), ...older];
  return (
    <section aria-labelledby="h-audit">
      <h1 id="h-audit">Audit log</h1>
      <ErrorText error={error ?? fail} />
      {data && (entries.length === 0 ? <p className="muted">No actions yet.</p> : (
        <table className="list" aria-label="Audit log">
          <thead><tr><th scope="col">When</th><th scope="col">User</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Details</th></tr></thead>
          <tbody>
            {entries.map((a, i) => (
              <tr key={i}>
                <td>{when(a.at)}</td><td>{a.user}</td><td><code>{a.action}</code></td><td>{a.target}</td>
                <td className="details">{a.before !== undefined || a.after !== undefined ? (
                  <details><summary><code>{brief(a.before)}</code> → <code>{brief(a.after)}</code></summary>
                    {a.before !== undefined && <><h3>Before</h3><pre className="json">{json(a.before)}</pre></>}
                    {a.after !== undefined && <><h3>After</h3><pre className="json">{json(a.after)}</pre></>}
                  </details>) : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {cursor && <button type="button" onClick={() => void more()}>Older entries</button>}
    </section>
  );
}

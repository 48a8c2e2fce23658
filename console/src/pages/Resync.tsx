// Re-run one X-Cart order, by its number, through the currently deployed flow (idempotent: an order
// already in Sage Pro is found by its external reference and nothing is written twice).
import { useState, type FormEvent } from 'react';
import { post } from '../api';
import { href } from '../router';
import { Done, ErrorText } from '../components/Notice';

export function ResyncPage() {
  const [number, setNumber] = useState('');
  const [done, setDone] = useState<string>();
  const [fail, setFail] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault(); setDone(undefined); setFail(undefined);
    try {
      const r = await post<{ jobId: number | string; alreadyQueued: boolean }>('/resync/order', { number: number.trim() });
      setDone(r.alreadyQueued ? `Order ${number.trim()} is already queued (job ${r.jobId}).` : `Order ${number.trim()} queued as job ${r.jobId}.`);
    } catch (err) { setFail((err as Error).message); }
  };
  return (
    <section aria-labelledby="h-resync">
      <h1 id="h-resync">Re-sync an X-Cart order</h1>
      <p className="muted">Runs the order through the currently deployed flow again. Safe to repeat: an order already in Sage Pro is not created twice.</p>
      <form onSubmit={(e) => void submit(e)} className="filters" aria-label="Re-sync an order">
        <div><label htmlFor="resync-number">X-Cart order number</label><input id="resync-number" required inputMode="numeric" value={number} onChange={(e) => setNumber(e.target.value)} /></div>
        <div className="actions"><button type="submit">Re-sync</button></div>
      </form>
      <ErrorText error={fail} />
      <Done text={done} />
      {done && <p><a href={href('/runs', { q: number.trim() })}>Runs of order {number.trim()}</a></p>}
    </section>
  );
}

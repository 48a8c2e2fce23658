/**
 * The crash test's victim: works on the store in a tight loop until it is SIGKILLed. After each
 * acknowledged state change (the store's promise resolved) it prints one line to stdout, written
 * synchronously (fs.writeSync on a pipe), so every line the parent read is a committed change:
 *   E <jobId> <entityId>     enqueued (new job)
 *   L <jobId>                leased
 *   C <jobId>                completed (with an idempotency key `k-<jobId>`)
 *   D <jobId> <dlqId>        dead-lettered
 *   W <n>                    a batch: event, watermark `crash` = n and 100 row hashes all = `v<n>`
 * Usage: node --import tsx crash-child.ts <file> <round>
 */
import fs from 'node:fs';
import { SqliteStore } from '../sqlite-store.js';

const [file, round] = process.argv.slice(2);
if (!file || !round) throw new Error('usage: crash-child.ts <file> <round>');
const worker = `crash-${round}-${process.pid}`;
const store = SqliteStore.open(file, { busyTimeoutMs: 30_000 });
const out = (line: string) => fs.writeSync(1, `${line}\n`);
const payload = (entity: string) => ({ entity, lines: Array.from({ length: 20 }, (_, i) => ({ sku: `SKU-${i}`, qty: i, note: 'x'.repeat(50) })) });

let w = Number((await store.getWatermark('crash')) ?? '0');
out(`READY ${worker}`);
for (let i = 0; ; i++) {
  const entity = `r${round}-e${i}`;
  const r = await store.enqueue({ flow: 'Crash', source: 'xcart', eventType: 'order.created', entityId: entity, updatedAt: 't', payload: payload(entity) });
  if (!r.duplicate) out(`E ${r.jobId} ${entity}`);
  const leased = await store.lease(worker, { leaseMs: 60_000, limit: 1, flows: ['Crash'] });
  for (const j of leased) {
    out(`L ${j.id}`);
    if (i % 3 === 0) continue; // stays running: must come back after the lease expires
    if (i % 7 === 1) {
      const dl = await store.deadLetter(j.id, worker, { error: 'bad', errorClass: 'invalid', flowVersion: 'v1' });
      if (dl !== null) out(`D ${j.id} ${dl}`);
    } else if (await store.complete(j.id, worker, { outcome: 'done', durationMs: 1, idempotencyKey: { key: `k-${j.id}`, keepMs: 86_400_000 } })) {
      out(`C ${j.id}`);
    }
  }
  if (i % 5 === 0) {
    w++;
    const changes = Array.from({ length: 100 }, (_, k) => ({ key: `row-${k}`, hash: `v${w}` }));
    await store.enqueueBatch(
      [{ flow: 'CrashPoll', source: 'sagepro', eventType: 'row.changed', entityId: `w${w}`, updatedAt: 't', payload: { w } }],
      { watermark: { name: 'crash', value: String(w) }, rowHashes: { scope: 'crash', changes } },
    );
    out(`W ${w}`);
  }
}

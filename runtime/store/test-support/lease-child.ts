/**
 * A separate flowd-like process for the concurrency test: leases jobs from the shared store file
 * until the queue stays empty, completes each, and prints one JSON line per lease to stdout:
 *   {"worker":"...","ids":[1,2]}
 * Usage: node --import tsx lease-child.ts <file> <workerId>
 */
import fs from 'node:fs';
import { SqliteStore } from '../sqlite-store.js';

const [file, workerId] = process.argv.slice(2);
if (!file || !workerId) throw new Error('usage: lease-child.ts <file> <workerId>');
const store = SqliteStore.open(file, { busyTimeoutMs: 30_000 });
let idle = 0;
while (idle < 20) {
  const jobs = await store.lease(workerId, { leaseMs: 600_000, limit: 1 + Math.floor(Math.random() * 3) });
  if (jobs.length === 0) {
    idle++;
    await new Promise((r) => setTimeout(r, 5));
    continue;
  }
  idle = 0;
  fs.writeSync(1, `${JSON.stringify({ worker: workerId, ids: jobs.map((j) => j.id) })}\n`);
  for (const j of jobs) {
    if (!(await store.complete(j.id, workerId, { outcome: 'done', durationMs: 0 }))) {
      throw new Error(`${workerId} lost the lease of job ${j.id}`);
    }
  }
}
await store.close();

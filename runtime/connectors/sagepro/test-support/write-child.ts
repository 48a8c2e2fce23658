/**
 * The commit-without-ack crash test's worker (write-crash.test.ts): leases the queued jobs of the
 * flow `SageProWrite` from the durable store, runs each job's Sage Pro write through the real
 * connector (real ODBC, real database file), and, when `mode` is `finish`, records the outcome.
 * After each ERP commit it prints, written synchronously so the parent has it before any later step:
 *   COMMITTED <jobId> <operation>
 * In `crash` mode it never records an outcome: the parent SIGKILLs it after the last COMMITTED line,
 * which leaves every job committed in Sage Pro but still `running` in the store (the state a flowd
 * killed between the ERP commit and the acknowledgement leaves). In `finish` mode it waits for the
 * dead worker's leases to expire, re-runs the jobs, completes them and prints `DONE <n>`.
 * Usage: node --import tsx write-child.ts <store file> <dsn file> <crash|finish> <jobs> <site config json>
 * (the site config is connect.yaml's Sage Pro keys, e.g. a sandbox profile's `siteConfig`).
 */
import fs from 'node:fs';
import { SqliteStore } from '../../../store/sqlite-store.js';
import { SageProConnector } from '../connector.js';
import { optionsFromSite } from '../site.js';

const [storeFile, dsnFile, mode, jobCount, site] = process.argv.slice(2);
if (!storeFile || !dsnFile || (mode !== 'crash' && mode !== 'finish') || !jobCount || !site) throw new Error('usage: write-child.ts <store> <dsn file> <crash|finish> <jobs> <site config json>');
const out = (line: string) => fs.writeSync(1, `${line}\n`);
const worker = `${mode}-${process.pid}`;
const store = SqliteStore.open(storeFile, { busyTimeoutMs: 30_000 });
const sagepro = new SageProConnector({ dsn: fs.readFileSync(dsnFile, 'utf8').trim(), ...optionsFromSite(JSON.parse(site)), poolSize: 1 });

let done = 0;
const want = Number(jobCount);
const run = async (job: { id: number; payload: unknown }) => {
  const { operation, args } = job.payload as { operation: string; args: Record<string, unknown> };
  await sagepro.call(operation, args);
  out(`COMMITTED ${job.id} ${operation}`);
  done++;
  if (mode === 'finish') await store.complete(job.id, worker, { outcome: 'done', durationMs: 1 });
};
if (mode === 'crash') {
  // All jobs at once, on a lease long enough that none comes back to this process.
  const jobs = await store.lease(worker, { leaseMs: 3000, limit: want, flows: ['SageProWrite'] });
  for (const job of jobs) await run(job);
} else {
  // The dead worker's leases expire, then each job is handed out again.
  while (done < want) {
    const jobs = await store.lease(worker, { leaseMs: 30_000, limit: 1, flows: ['SageProWrite'] });
    if (!jobs.length) { await new Promise((r) => setTimeout(r, 100)); continue; }
    await run(jobs[0]!);
  }
}
if (mode === 'crash') {
  // Committed in Sage Pro, never acknowledged: wait for the SIGKILL.
  setInterval(() => undefined, 60_000);
} else {
  await sagepro.close();
  await store.close();
  out(`DONE ${done}`);
}

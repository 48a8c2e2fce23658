/**
 * A flowd-like process for the poll-leadership test: opens the PostgreSQL store and asks to lead
 * each named poll source every 100 ms, printing what it leads after each round:
 *   {"leaderId":"...","leads":["xcart.orders"]}
 * Usage: node --import tsx pg-leader-child.ts <url> <schema> <leaderId> <ttlMs> <source>...
 */
import fs from 'node:fs';
import { PostgresStore } from '../postgres-store.js';

const [url, schema, leaderId, ttl, ...sources] = process.argv.slice(2);
if (!url || !schema || !leaderId || !ttl || !sources.length) throw new Error('usage: pg-leader-child.ts <url> <schema> <leaderId> <ttlMs> <source>...');
const store = await PostgresStore.open(url, { schema, leaderId, leaderTtlMs: Number(ttl) });
for (;;) {
  const leads: string[] = [];
  for (const s of sources) {
    try { if (await store.leader(s)) leads.push(s); } catch { /* the store is unreachable: this round leads nothing */ }
  }
  fs.writeSync(1, `${JSON.stringify({ leaderId, leads })}\n`);
  await new Promise((r) => setTimeout(r, 100));
}

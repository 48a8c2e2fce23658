/**
 * Idle benchmark (npm run bench:idle; issue 11): an idle `flowd serve` (a child process) with the
 * demo's flows, on the real sandboxes (X-Cart over HTTP on loopback, Sage Pro through the SQLite3
 * ODBC driver), X-Cart and Sage Pro polls every second. A warm-up scenario first (orders placed and
 * exported, one shipped, stock changed), then IDLE seconds (default 60) with nothing happening,
 * measured on the child from /proc:
 *   - CPU: utime + stime of /proc/<pid>/stat over the window, % of one core   (target <= 2 %)
 *   - RSS: the highest VmRSS of /proc/<pid>/status, sampled every second        (target <= 150 MB)
 *   - store WAL: growth of flowd.db-wal over the window                          (target <= 1 MB:
 *     bounded, checkpointed)
 * Prints each figure against its target with PASS or MISS; exits 1 only when the warm-up fails.
 * flowd runs from dist/ (compiled first when out of date, as `make demo` does), as deployed.
 *
 *   IDLE=20 npm run bench:idle
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildFlows, E2E, REPO, sleep, waitFor, type XOrder } from '../test/e2e/harness.js';

const IDLE_S = Number(process.env.IDLE ?? 60);
const TARGET = { cpuPct: 2, rssMb: 150, walGrowthMb: 1 };
const HZ = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

const fileSize = (f: string) => { try { return fs.statSync(f).size; } catch { return 0; } };

async function main(): Promise<number> {
  const build = spawnSync(process.execPath, [path.join(REPO, 'scripts/build-dist.mjs')], { cwd: REPO, encoding: 'utf8' });
  const fromDist = build.status === 0;
  const flowsDir = buildFlows();
  const env = await E2E.start({ flowsDir, logLevel: 'info' });
  try {
    await env.startFlowd({ child: true });
    const pid = env.child!.pid!;
    // Warm-up: the demo's scenario in short: orders become sales orders, one ships, stock changes.
    const placed: XOrder[] = [];
    for (const items of [[{ sku: 'WIDGET-100', amount: 2 }, { sku: 'CABLE-USB-C', amount: 3 }], [{ sku: 'MOUSE-WL', amount: 1 }]]) {
      placed.push(await env.placeOrder({ email: 'orders@acme.example', items, payment_status: 'P' }));
    }
    for (const o of placed) await waitFor(`sales order for XC-${o.id}`, async () => (await env.salesOrdersByRef()).has(`XC-${o.id}`), 60_000);
    const [so] = await env.db.query<{ SONO: string }>(`SELECT SONO FROM ${env.table('SOMAST')} WHERE TRIM(EXTREF) = ?`, [`XC-${placed[0]!.id}`]);
    await env.db.query(`UPDATE ${env.table('SOTRAN')} SET QTYSHP = QTYORD WHERE SONO = ?`, [so!.SONO]);
    await env.db.query(`UPDATE ${env.table('SOMAST')} SET SHPAMT = ORDAMT, SOTRACK = '1Z999AA10123456784' WHERE SONO = ?`, [so!.SONO]);
    await env.db.query(`UPDATE ${env.table('ICILOC')} SET LONHAND = LONHAND + 25 WHERE TRIM(ITEM) = 'GADGET-310'`);
    await waitFor('X-Cart order shipped', async () => {
      const o = await env.xcartApi<{ shipping_status: { code?: string } | null }>('GET', `/api/orders/${placed[0]!.id}`);
      return o.shipping_status?.code === 'S';
    }, 60_000);
    // Let the last jobs and polls settle.
    await sleep(5000);

    const wal = path.join(env.stateDir, 'flowd.db-wal');
    const wal0 = fileSize(wal);
    let walMax = wal0;
    const t0 = process.hrtime.bigint();
    const cpu0 = cpuTicks(pid);
    let rssMax = rssKb(pid);
    for (let s = 0; s < IDLE_S; s++) {
      await sleep(1000);
      rssMax = Math.max(rssMax, rssKb(pid));
      walMax = Math.max(walMax, fileSize(wal));
    }
    const cpu1 = cpuTicks(pid);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const wal1 = fileSize(wal);
    const cpuPct = ((cpu1 - cpu0) / HZ) / seconds * 100;
    const rssMb = rssMax / 1024;
    const walGrowthMb = Math.max(0, wal1 - wal0) / (1024 * 1024);

    console.log(`idle flowd serve (${fromDist ? 'dist/' : 'sources through tsx'}; demo flows, X-Cart and Sage Pro polls every 1 s), ${seconds.toFixed(1)} s after the warm-up:`);
    console.log(`  CPU        ${cpuPct.toFixed(2)} % of one core   (target <= ${TARGET.cpuPct} %)   ${verdict(cpuPct <= TARGET.cpuPct)}`);
    console.log(`  RSS max    ${rssMb.toFixed(1)} MB              (target <= ${TARGET.rssMb} MB)  ${verdict(rssMb <= TARGET.rssMb)}`);
    console.log(`  store WAL  +${walGrowthMb.toFixed(3)} MB (from ${(wal0 / 1024).toFixed(0)} KB to ${(wal1 / 1024).toFixed(0)} KB, largest ${(walMax / 1024).toFixed(0)} KB)   (target <= ${TARGET.walGrowthMb} MB)  ${verdict(walGrowthMb <= TARGET.walGrowthMb)}`);
    return 0;
  } finally {
    await env.stopFlowd().catch(() => undefined);
    await env.close();
  }
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => { console.error(err); process.exitCode = 1; });

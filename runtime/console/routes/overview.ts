/**
 * GET /api/overview: each deployed flow with its totals, hourly (24) and daily (14) series from the
 * store's run rollup, queue depth and last run; the connections; the queue. GET /api/stream sends it
 * as server-sent events when it changes (checked once a second), each finished run as `event: run`,
 * and a heartbeat comment every 15 s.
 */
import type { TriggerSpec } from '../../contract.js';
import type { ConsoleDeps, Route } from '../context.js';
import { iso } from '../http.js';
import { runSummary } from './summaries.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function triggerText(t: TriggerSpec): string {
  if (t.kind === 'event') return `${t.system}.${t.event}`;
  if (t.kind === 'poll') return `every ${Math.round(t.everyMs / 1000)}s poll ${t.system}.${t.entity}${t.changed ? ' changed' : ''}`;
  return t.cron ? `schedule cron ${t.cron}` : `schedule every ${Math.round((t.everyMs ?? 0) / 1000)}s`;
}

export async function overview(deps: ConsoleDeps) {
  const now = deps.now();
  const thisHour = Math.floor(now / HOUR) * HOUR;
  const today = Math.floor(now / DAY) * DAY;
  const [status, counts, totals] = await Promise.all([
    deps.store.status(), deps.store.console.runCounts(today - 13 * DAY), deps.store.console.runTotals(),
  ]);
  const names = new Set([...deps.flows.keys(), ...status.flows.map((f) => f.flow)]);
  const flows = [...names].sort().map((name) => {
    const deployed = deps.flows.get(name);
    const st = status.flows.find((f) => f.flow === name);
    const hours = Array.from({ length: 24 }, (_, i) => ({ t: iso(thisHour - (23 - i) * HOUR)!, done: 0, retry: 0, dead_letter: 0 }));
    const days = Array.from({ length: 14 }, (_, i) => ({ t: iso(today - (13 - i) * DAY)!, done: 0, retry: 0, dead_letter: 0 }));
    for (const c of counts) {
      if (c.flow !== name || (c.outcome !== 'done' && c.outcome !== 'retry' && c.outcome !== 'dead_letter')) continue;
      const h = 23 - (thisHour - c.hour) / HOUR;
      if (h >= 0 && h < 24) hours[h]![c.outcome] += c.n;
      const d = 13 - Math.floor((today - Math.floor(c.hour / DAY) * DAY) / DAY);
      if (d >= 0 && d < 14) days[d]![c.outcome] += c.n;
    }
    const t = { runs: 0, done: 0, retry: 0, dead_letter: 0, skipped: 0, duplicate: 0 };
    for (const r of totals) if (r.flow === name) { t[r.outcome] += r.n; t.runs += r.n; }
    return {
      name, version: deployed?.version ?? null, deployed: Boolean(deployed),
      trigger: deployed ? triggerText(deployed.module.meta.trigger) : null,
      queueDepth: (st?.queued ?? 0) + (st?.running ?? 0), deadLetters: st?.deadLettered ?? 0,
      lastRunAt: iso(st?.lastRun?.at), lastOutcome: st?.lastRun?.outcome ?? null,
      totals: t, series: { hours, days },
    };
  });
  return {
    flows,
    connections: deps.connections.list().map((c) => ({ name: c.name, state: c.state, since: iso(c.since), ...(c.lastError ? { lastError: deps.masker.scrub(c.lastError) } : {}) })),
    queue: { queued: status.totals.queued, leased: status.totals.running, deadLetters: status.totals.deadLettered },
    at: iso(now),
  };
}

/** The open event streams, fed by one timer (started with the first stream, stopped with the last). */
export class Streams {
  private readonly clients = new Set<import('node:http').ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private lastOverview = '';
  private lastRunId = 0;
  private lastBeat = 0;
  private busy = false;
  constructor(private readonly deps: ConsoleDeps, private readonly everyMs = 1000, private readonly heartbeatMs = 15_000) {}

  async open(res: import('node:http').ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': flowd console stream\n\n');
    if (this.clients.size === 0) {
      this.lastRunId = (await this.deps.store.listRuns({ limit: 1 }))[0]?.id ?? 0;
      this.lastBeat = Date.now();
    }
    this.clients.add(res);
    res.write(`event: overview\ndata: ${JSON.stringify(await overview(this.deps))}\n\n`);
    res.once('close', () => { this.clients.delete(res); if (this.clients.size === 0) this.stopTimer(); });
    this.timer ??= setInterval(() => { void this.tick(); }, this.everyMs);
  }

  private broadcast(text: string): void { for (const c of this.clients) c.write(text); }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const o = await overview(this.deps);
      const { at: _at, ...stable } = o;
      const text = JSON.stringify(stable);
      if (text !== this.lastOverview) { this.lastOverview = text; this.broadcast(`event: overview\ndata: ${JSON.stringify(o)}\n\n`); }
      const runs = (await this.deps.store.listRuns({ limit: 50 })).filter((r) => r.id > this.lastRunId).reverse();
      if (runs.length) {
        this.lastRunId = runs[runs.length - 1]!.id;
        const keys = await this.deps.store.console.runKeys(runs.map((r) => r.id));
        for (const r of runs) this.broadcast(`event: run\ndata: ${JSON.stringify(runSummary(r, keys.get(r.id), this.deps))}\n\n`);
      }
      if (Date.now() - this.lastBeat >= this.heartbeatMs) { this.lastBeat = Date.now(); this.broadcast(': heartbeat\n\n'); }
    } catch { /* the store is restarting: the next tick tries again */ } finally { this.busy = false; }
  }

  private stopTimer(): void { if (this.timer) clearInterval(this.timer); this.timer = undefined; this.lastOverview = ''; }

  close(): void {
    this.stopTimer();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}

export function overviewRoutes(streams: Streams): Route[] {
  return [
    { method: 'GET', path: /^\/overview$/, role: 'viewer', async handle({ res, deps }) {
      const { sendJson } = await import('../http.js');
      sendJson(res, 200, await overview(deps));
    } },
    { method: 'GET', path: /^\/stream$/, role: 'viewer', async handle({ res }) { await streams.open(res); } },
  ];
}

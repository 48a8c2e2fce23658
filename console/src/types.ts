// The shapes of flowd's console API (runtime/console/API.md). Only what the pages read.
export type Role = 'viewer' | 'operator' | 'admin';
export interface User { name: string; role: Role }
export interface Session { user: User; csrf: string }

export interface SeriesPoint { t: string; done: number; retry: number; dead_letter: number }
export interface FlowOverview {
  name: string; version: string; trigger: string; queueDepth: number; lastRunAt: string | null;
  totals: { runs: number; done: number; retry: number; dead_letter: number; skipped: number; duplicate: number };
  series: { hours: SeriesPoint[]; days: SeriesPoint[] };
}
export interface Connection { name: string; state: 'up' | 'down' | 'unknown'; since: string | null; lastError?: string }
export interface Overview { flows: FlowOverview[]; connections: Connection[]; queue: { queued: number; leased: number; deadLetters: number } }

export interface Site { file: string; line: number; column: number }
export interface Keys { order_number?: string; order_id?: string; sales_order?: string; customer?: string; email?: string; sku?: string }
export interface RunSummary {
  id: number | string; jobId: number | string; flow: string; flowVersion: string; outcome: string;
  startedAt: string; durationMs: number; errorClass?: string; error?: string; site?: string | Site; keys: Keys;
  /** Set when the anomaly detector flagged the run (runtime/anomaly/): held for a person, or warned and written. */
  anomaly?: 'held' | 'warned'; anomalies?: string[];
}
export interface Attempt {
  runId: number | string; startedAt: string; outcome: string; errorClass?: string; error?: string;
  site?: Site; source?: { file: string; firstLine: number; lines: string[] };
}
export interface Call { system: string; operation: string; kind: 'read' | 'write'; args: unknown; result?: unknown; error?: string; durationMs: number }
export interface RunDetail {
  run: RunSummary; event: { type: string; source: string; id?: string; payload: unknown };
  calls: Call[]; attempts: Attempt[]; flowVersion: string;
}

export interface DeadLetterGroup { flow: string; reason: string; count: number }
export interface DeadLetter {
  id: number | string; jobId: number | string; flow: string; errorClass: string; reason: string; error: string;
  site?: string | Site; createdAt: string; keys: Keys;
  /** A run held by `hold when anomaly`: replaying it releases it (the anomaly accepted once). */
  held?: boolean;
}
export interface DeadLetterDetail extends DeadLetter { payload: unknown; attempts: Attempt[]; state?: 'pending' | 'replayed' | 'discarded'; replayJobId?: number | string; discardReason?: string }
export interface DiffEntry { path: string; before?: unknown; after?: unknown }

export interface GraphNode { id: string; kind: 'trigger' | 'fetch' | 'lookup' | 'map' | 'write' | 'policy'; label: string; site?: string | Site }
export interface FlowInfo {
  name: string; version: string; source: string; description?: string;
  graph: { nodes: GraphNode[]; edges: { from: string; to: string }[] };
  stats: Record<string, { runs: number; errors: number }>;
}
export interface AuditEntry { at: string; user: string; action: string; target: string; before?: unknown; after?: unknown }
export interface UserRow { name: string; role: Role; createdAt: string }

/**
 * Prometheus metrics of flowd, on a registry of their own (never prom-client's global one, so
 * several runtimes in one process, e.g. in tests, do not collide).
 *
 *   events_in_total{source,type}                         events received (source: push | xcart_poll | sagepro_poll | schedule)
 *   jobs_total{flow,outcome}                             finished job attempts (done | skipped | duplicate | retry | dead_letter)
 *   job_duration_seconds{flow}                           histogram of one job attempt
 *   connector_call_duration_seconds{system,operation,outcome}  histogram of one catalog operation call (outcome: ok | <error class>)
 *   queue_depth                                          jobs waiting, read from the `queueDepth` callback at each scrape
 *   retries_total{flow,error_class}                      retries scheduled
 *   push_rejected_total{reason}                          pushes refused by POST /hooks/xcart
 *   connection_up{system}                                1 when the last contact with the system worked, else 0
 * plus prom-client's process metrics (`process_*`, `nodejs_*`) unless `processMetrics: false`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type JobOutcome = 'done' | 'skipped' | 'duplicate' | 'retry' | 'dead_letter';
/** Why POST /hooks/xcart refused a push (label values of push_rejected_total). */
export type PushRejectReason =
  | 'missing_signature' | 'bad_signature' | 'stale_timestamp' | 'too_large'
  | 'invalid_json' | 'invalid_event' | 'unavailable' | 'busy';

export interface MetricsOptions {
  /** Jobs waiting in the store; called at every scrape. Errors leave the last value in place. */
  queueDepth?: () => number | Promise<number>;
  /** Also collect prom-client's default process metrics. Default true. */
  processMetrics?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  /** Content-Type of `text()`. */
  readonly contentType: string;
  readonly eventsIn: Counter<'source' | 'type'>;
  readonly jobs: Counter<'flow' | 'outcome'>;
  readonly jobDuration: Histogram<'flow'>;
  readonly connectorCallDuration: Histogram<'system' | 'operation' | 'outcome'>;
  readonly queueDepth: Gauge;
  readonly retries: Counter<'flow' | 'error_class'>;
  readonly pushRejected: Counter<'reason'>;
  /** X-Cart orders held back by connections.xcart.cutover, by where they came in (xcart-poll, push). */
  readonly beforeCutover: Counter<'source'>;
  readonly connectionUp: Gauge<'system'>;
  /** 1 while the store accepts writes (probed every second), else 0. */
  readonly storeUp: Gauge;
  /** Counts one finished job attempt and observes its duration. */
  recordJob(flow: string, outcome: JobOutcome, seconds: number): void;
  /**
   * Times `call`, observing connector_call_duration_seconds with outcome `ok`, or the error's
   * `errorClass` (`error` when it has none), and rethrows.
   */
  timeCall<T>(system: string, operation: string, call: () => Promise<T>): Promise<T>;
  /** The whole registry in Prometheus text format. */
  text(): Promise<string>;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const eventsIn = new Counter({ name: 'events_in_total', help: 'Events received, by source and type.', labelNames: ['source', 'type'] as const, registers });
  const jobs = new Counter({ name: 'jobs_total', help: 'Finished job attempts, by flow and outcome (done, skipped, duplicate, retry, dead_letter).', labelNames: ['flow', 'outcome'] as const, registers });
  const jobDuration = new Histogram({
    name: 'job_duration_seconds', help: 'Duration of one job attempt.', labelNames: ['flow'] as const, registers,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  });
  const connectorCallDuration = new Histogram({
    name: 'connector_call_duration_seconds', help: 'Duration of one connector operation call, by outcome (ok or error class).',
    labelNames: ['system', 'operation', 'outcome'] as const, registers,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const queueDepthSource = opts.queueDepth;
  const queueDepth = new Gauge({
    name: 'queue_depth', help: 'Jobs waiting in the store queue.', registers,
    async collect() {
      if (!queueDepthSource) return;
      try { this.set(await queueDepthSource()); } catch { /* keep the last value; a scrape must not fail */ }
    },
  });
  const retries = new Counter({ name: 'retries_total', help: 'Retries scheduled, by flow and error class.', labelNames: ['flow', 'error_class'] as const, registers });
  const pushRejected = new Counter({ name: 'push_rejected_total', help: 'Pushed events refused, by reason.', labelNames: ['reason'] as const, registers });
  const beforeCutover = new Counter({ name: 'xcart_orders_before_cutover_total', help: 'X-Cart orders not exported because they are before connections.xcart.cutover, by source.', labelNames: ['source'] as const, registers });
  const storeUp = new Gauge({ name: 'store_up', help: '1 when the store file is the one at its path and accepts writes, else 0.', registers });
  const connectionUp = new Gauge({ name: 'connection_up', help: '1 when the last contact with the system worked, else 0.', labelNames: ['system'] as const, registers });

  return {
    registry,
    contentType: registry.contentType,
    eventsIn, jobs, jobDuration, connectorCallDuration, queueDepth, retries, pushRejected, beforeCutover, connectionUp, storeUp,
    recordJob(flow, outcome, seconds) {
      jobs.inc({ flow, outcome });
      jobDuration.observe({ flow }, seconds);
    },
    async timeCall(system, operation, call) {
      const end = connectorCallDuration.startTimer({ system, operation });
      try {
        const result = await call();
        end({ outcome: 'ok' });
        return result;
      } catch (err) {
        const cls = (err as { errorClass?: unknown } | null)?.errorClass;
        end({ outcome: typeof cls === 'string' ? cls : 'error' });
        throw err;
      }
    },
    text: () => registry.metrics(),
  };
}

/**
 * The runtime's logger: pino, one JSON object per line, to stdout or to a file.
 *
 * Lines are written synchronously (pino's own default): flowd logs events, not every byte, and a
 * line must be in the file before a crash that it might explain. Nothing needs flushing.
 *
 * Redaction. Any property whose name is one of REDACTED_KEYS (case-insensitive, at any depth, in
 * log arguments and in child bindings) is written as `[redacted]`. This is done in pino's
 * `formatters` rather than with pino's `redact` paths because those are case-sensitive and need one
 * path per depth; header objects arrive as `Authorization` or `authorization` and nest arbitrarily.
 * Error objects anywhere in a log argument are serialized (type, message, stack, cause) and
 * redacted too. `Secret` values print `[redacted]` by themselves (their toJSON).
 *
 * Secret values. Keys are not enough when a secret ends up inside text (a DSN in an ODBC error
 * message). Pass the resolved secrets as `secrets` and every string in every log line (message,
 * fields, error messages and stacks) has them replaced by `[redacted]`; `scrubSecrets` does the
 * same for text that goes elsewhere (an error stored in the DLQ, an HTTP response).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pino, stdSerializers, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Property names whose values never reach a log line (compared lowercased). */
export const REDACTED_KEYS: readonly string[] = ['token', 'secret', 'password', 'pwd', 'dsn', 'authorization', 'x-auth-token', 'signature'];

const REDACTED = '[redacted]';
const KEYS = new Set(REDACTED_KEYS);
const MAX_DEPTH = 10;

export interface LoggerOptions {
  /** Minimum level. Default `info`. */
  level?: LevelWithSilent;
  /** Append JSON lines to this file (its directory is created). Default: stdout. */
  file?: string;
  /** `name` field on every line. Default `flowd`. */
  name?: string;
  /** Secret values (or anything with `reveal()`) to scrub from every string of every line. */
  secrets?: readonly (string | { reveal(): string })[];
}

/** Context every log line of one unit of work carries. */
export interface LogContext {
  /** Ties together the lines of one request, event or job chain. */
  correlationId?: string;
  /** Flow name. */
  flow?: string;
  /** Store job id. */
  jobId?: number | string;
}

/** A pino logger with key- and value-based redaction; see the module comment. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = (opts.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.reveal()));
  const clean = (v: unknown): unknown => redactDeep(v, secrets);
  let destination: pino.DestinationStream;
  if (opts.file) {
    fs.mkdirSync(path.dirname(path.resolve(opts.file)), { recursive: true });
    // Opened here so that a bad path fails createLogger rather than the first write.
    destination = pino.destination({ dest: fs.openSync(opts.file, 'a'), sync: true });
  } else {
    destination = pino.destination({ dest: 1, sync: true });
  }
  const logger = pino({
    name: opts.name ?? 'flowd',
    level: opts.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    // pino runs formatters.log before serializers, so errors are serialized here to be scrubbed too.
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => clean(obj) as Record<string, unknown>,
      bindings: (b) => clean(b) as pino.Bindings,
    },
    serializers: { err: (e: unknown) => clean(e) },
    hooks: {
      logMethod(args, method) {
        if (secrets.length) args = args.map((a) => (typeof a === 'string' ? scrubSecrets(a, secrets) : a)) as typeof args;
        method.apply(this, args as Parameters<typeof method>);
      },
    },
  }, destination);
  // pino applies formatters.bindings to the root's bindings only; children inherit this override.
  type BindFn = (this: unknown, bindings: pino.Bindings, options?: unknown) => unknown;
  const patched = logger as unknown as { child: BindFn; setBindings: BindFn };
  const pinoChild = patched.child;
  const pinoSetBindings = patched.setBindings;
  patched.child = function (bindings, options) { return pinoChild.call(this, clean(bindings) as pino.Bindings, options); };
  patched.setBindings = function (bindings) { return pinoSetBindings.call(this, clean(bindings) as pino.Bindings); };
  return logger;
}

/** A child logger carrying a unit of work's context (only the fields given). */
export function child(logger: Logger, ctx: LogContext): Logger {
  const bindings: Record<string, unknown> = {};
  if (ctx.correlationId !== undefined) bindings.correlationId = ctx.correlationId;
  if (ctx.flow !== undefined) bindings.flow = ctx.flow;
  if (ctx.jobId !== undefined) bindings.jobId = ctx.jobId;
  return logger.child(bindings);
}

/**
 * Replaces every occurrence of each secret value in `text` with `[redacted]`. Values shorter than
 * 4 characters are ignored (they would mangle ordinary text and are no secret worth the name).
 * Longer values are replaced first, so a secret containing another is scrubbed whole.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const values = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of values) if (text.includes(s)) text = text.split(s).join(REDACTED);
  return text;
}

/**
 * A copy of `value` with redacted keys replaced and secret values scrubbed from strings. Plain
 * objects and arrays are copied only when something changes; Errors become pino's serialized
 * form; other objects (Dates, Buffers, Secrets) are kept. Cycles and depth beyond 10 are cut.
 */
export function redactDeep(value: unknown, secrets: readonly string[] = [], depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return secrets.length ? scrubSecrets(value, secrets) : value;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth > MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) value = { ...stdSerializers.err(value) };
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  seen.add(value as object);
  try {
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      value.forEach((v, i) => {
        const r = redactDeep(v, secrets, depth + 1, seen);
        if (r !== v) (out ??= value.slice())[i] = r;
      });
      return out ?? value;
    }
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      const r = KEYS.has(k.toLowerCase()) && v !== undefined ? REDACTED : redactDeep(v, secrets, depth + 1, seen);
      if (r !== v) (out ??= { ...obj })[k] = r;
    }
    return out ?? value;
  } finally {
    seen.delete(value as object);
  }
}

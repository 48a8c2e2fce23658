/**
 * Secrets: references in connect.yaml (`{ env: NAME }`, `{ file: PATH }`, `{ value: TEXT }`) and the
 * `Secret` wrapper that holds a resolved value without ever printing it.
 *
 * A `Secret` prints as `[redacted]` through every path a value usually leaks by: `String(s)`,
 * template strings, `JSON.stringify` (so pino log lines), `util.inspect` (so console.log and
 * vitest diffs). The value lives in a private field; only `reveal()` returns it.
 */
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';

/** What connect.yaml holds instead of a secret. `value` is for the sandbox only (flagged). */
export type SecretRef = { readonly env: string } | { readonly file: string } | { readonly value: string };

/** Where a resolved secret came from. */
export type SecretSource = 'env' | 'file' | 'value';

const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;
  /** Where the value came from (`value` means it was written inline in the config file). */
  readonly source: SecretSource;
  /** Non-secret description of the origin, e.g. `env XCART_TOKEN` or `file /run/secrets/dsn`. */
  readonly origin: string;

  constructor(value: string, source: SecretSource = 'value', origin = 'inline value') {
    this.#value = value;
    this.source = source;
    this.origin = origin;
  }

  /** The secret itself. Call it where the value is used, never where it could be logged. */
  reveal(): string { return this.#value; }
  /** True when the value was written in the config file (`{ value: ... }`): sandbox use only. */
  get inline(): boolean { return this.source === 'value'; }

  toString(): string { return REDACTED; }
  toJSON(): string { return REDACTED; }
  [Symbol.toPrimitive](): string { return REDACTED; }
  [util.inspect.custom](): string { return REDACTED; }
}

/** Raised when a secret reference cannot be resolved. `key` is the config key, if known. */
export class SecretError extends Error {
  constructor(message: string, readonly key?: string) {
    super(message);
    this.name = 'SecretError';
  }
}

export interface ResolveSecretOptions {
  /** Environment to read `{ env }` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory that relative `{ file }` paths are resolved against. Default the working directory. */
  baseDir?: string;
  /** Config key, for error messages (e.g. `/connections/xcart/token`). */
  key?: string;
}

/**
 * Reads a secret reference. `{ env }`: the variable must be set and not empty. `{ file }`: the file
 * must exist and hold something; one trailing newline is dropped (Docker/Kubernetes secret files).
 * Error messages name the variable or file, never the value.
 */
export function resolveSecret(ref: SecretRef, opts: ResolveSecretOptions = {}): Secret {
  const where = opts.key ? `${opts.key}: ` : '';
  if ('env' in ref) {
    const v = (opts.env ?? process.env)[ref.env];
    if (v === undefined || v === '') throw new SecretError(`${where}environment variable ${ref.env} is not set`, opts.key);
    return new Secret(v, 'env', `env ${ref.env}`);
  }
  if ('file' in ref) {
    const file = path.resolve(opts.baseDir ?? process.cwd(), ref.file);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new SecretError(`${where}cannot read secret file ${file} (${code})`, opts.key);
    }
    text = text.replace(/\r?\n$/, '');
    if (text === '') throw new SecretError(`${where}secret file ${file} is empty`, opts.key);
    return new Secret(text, 'file', `file ${file}`);
  }
  return new Secret(ref.value, 'value', 'inline value');
}

/**
 * The slice of better-sqlite3 (12.x) the store uses, typed locally: the package ships no types and
 * @types/better-sqlite3 is not a dependency. Loaded through createRequire (it is a CommonJS addon).
 */
import { createRequire } from 'node:module';

export type SqlValue = string | number | bigint | Buffer | null;
export type BindParams = readonly SqlValue[] | [Readonly<Record<string, SqlValue>>];

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement<Row = unknown> {
  run(...params: BindParams): RunResult;
  get(...params: BindParams): Row | undefined;
  all(...params: BindParams): Row[];
  iterate(...params: BindParams): IterableIterator<Row>;
  pluck(toggle?: boolean): this;
  raw(toggle?: boolean): this;
}

export interface Transaction<F extends (...args: never[]) => unknown> {
  (...args: Parameters<F>): ReturnType<F>;
  deferred(...args: Parameters<F>): ReturnType<F>;
  immediate(...args: Parameters<F>): ReturnType<F>;
  exclusive(...args: Parameters<F>): ReturnType<F>;
}

export interface Database {
  readonly open: boolean;
  readonly inTransaction: boolean;
  readonly name: string;
  prepare<Row = unknown>(sql: string): Statement<Row>;
  exec(sql: string): this;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
  close(): this;
}

export interface DatabaseOptions {
  readonly?: boolean;
  fileMustExist?: boolean;
  /** busy_timeout in milliseconds (default 5000). */
  timeout?: number;
}

export type DatabaseConstructor = new (filename: string, options?: DatabaseOptions) => Database;

const require = createRequire(import.meta.url);

export function openDatabase(filename: string, options?: DatabaseOptions): Database {
  const Ctor = require('better-sqlite3') as DatabaseConstructor;
  return new Ctor(filename, options);
}

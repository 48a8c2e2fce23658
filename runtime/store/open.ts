/**
 * Opens the store connect.yaml names (`store.kind`): the SQLite file at `store.path`, or the
 * PostgreSQL database at `store.url` (a secret reference). `describeStore` names it for messages
 * and logs without the password.
 */
import { PostgresStore, redactUrl, type PostgresStoreOptions } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';

/** `Config['store']` (runtime/config/config.ts), kept structural so the store does not import the config. */
export type StoreSettings =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: { reveal(): string }; readonly leaderTtlMs?: number };

export type ConfiguredStore = SqliteStore | PostgresStore;

export async function openConfiguredStore(settings: StoreSettings, opts: Pick<PostgresStoreOptions, 'leaderId' | 'leaderTtlMs'> = {}): Promise<ConfiguredStore> {
  if (settings.kind === 'postgres') {
    return PostgresStore.open(settings.url.reveal(), { ...(settings.leaderTtlMs !== undefined ? { leaderTtlMs: settings.leaderTtlMs } : {}), ...opts });
  }
  return SqliteStore.open(settings.path);
}

/** The file, or the URL without its password. */
export function describeStore(settings: StoreSettings): string {
  return settings.kind === 'postgres' ? redactUrl(settings.url.reveal()) : settings.path;
}

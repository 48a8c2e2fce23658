/** The runtime store: the interface and its SQLite implementation. See README.md. */
export * from './store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

/**
 * SQLite schema of the runtime store, as an ordered list of migrations. Each migration runs in its
 * own IMMEDIATE transaction together with its row in `schema_migrations`, so a crash leaves the
 * database at one version or the next, never in between, and two processes opening a fresh file at
 * the same time apply each migration once. Never edit a shipped migration: append a new one.
 *
 * Times are INTEGER milliseconds since the epoch. Payloads are JSON text.
 */

import { anomalyTablesSql } from './anomaly-tables.js';
import { consoleTablesSql } from './console-tables.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per event (exactly-once layer 1: UNIQUE (flow, dedupe_key)). Finished jobs stay, so a
-- re-delivered event is still recognised as a duplicate.
CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  flow             TEXT    NOT NULL,
  flow_version     TEXT,
  source           TEXT    NOT NULL CHECK (source IN ('xcart', 'sagepro', 'schedule')),
  event_type       TEXT    NOT NULL,
  entity_id        TEXT,
  updated_at       TEXT,
  payload          TEXT    NOT NULL,
  dedupe_key       TEXT    NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'skipped', 'duplicate', 'dead_letter')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  last_error       TEXT,
  last_error_class TEXT,
  reason           TEXT,
  replay_of        INTEGER,
  created_at       INTEGER NOT NULL,
  changed_at       INTEGER NOT NULL,
  finished_at      INTEGER,
  duration_ms      INTEGER,
  CHECK ((state = 'running') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (flow, dedupe_key);
-- The lease scan: unfinished jobs in (next_attempt_at, id) order.
CREATE INDEX jobs_ready ON jobs (next_attempt_at, id) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_flow_state ON jobs (flow, state);

CREATE TABLE dead_letters (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id        INTEGER NOT NULL REFERENCES jobs (id),
  flow          TEXT    NOT NULL,
  flow_version  TEXT    NOT NULL,
  source        TEXT    NOT NULL,
  event_type    TEXT    NOT NULL,
  entity_id     TEXT,
  updated_at    TEXT,
  payload       TEXT    NOT NULL,
  dedupe_key    TEXT    NOT NULL,
  error         TEXT    NOT NULL,
  error_class   TEXT    NOT NULL,
  reason        TEXT    NOT NULL,
  site          TEXT,
  attempts      INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  changed_at    INTEGER NOT NULL,
  replayed_at   INTEGER,
  replay_job_id INTEGER REFERENCES jobs (id),
  CHECK ((replayed_at IS NULL) = (replay_job_id IS NULL))
);
CREATE INDEX dead_letters_flow ON dead_letters (flow, id);
CREATE INDEX dead_letters_pending ON dead_letters (flow, id) WHERE replayed_at IS NULL;
CREATE UNIQUE INDEX dead_letters_job ON dead_letters (job_id);

-- Exactly-once layer 2: a flow's idempotency keys that succeeded, until expires_at.
CREATE TABLE idempotency_keys (
  flow       TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  job_id     INTEGER,
  done_at    INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (flow, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE watermarks (
  name       TEXT    PRIMARY KEY,
  value      TEXT    NOT NULL,
  changed_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE row_hashes (
  scope TEXT NOT NULL,
  key   TEXT NOT NULL,
  hash  TEXT NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;

CREATE TABLE runs (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id         INTEGER,
  flow           TEXT    NOT NULL,
  flow_version   TEXT    NOT NULL,
  trigger        TEXT    NOT NULL,
  outcome        TEXT    NOT NULL CHECK (outcome IN ('done', 'skipped', 'duplicate', 'retry', 'dead_letter')),
  started_at     INTEGER NOT NULL,
  duration_ms    INTEGER NOT NULL,
  error          TEXT,
  error_class    TEXT,
  site           TEXT,
  correlation_id TEXT    NOT NULL,
  recorded_at    INTEGER NOT NULL
);
CREATE INDEX runs_flow ON runs (flow, id);
CREATE INDEX runs_job ON runs (job_id);
CREATE INDEX runs_flow_error ON runs (flow, id) WHERE error IS NOT NULL;
`,
  },
  {
    // The operations console (runtime/console/): users, sessions, audit log, each run's business
    // keys and connector calls, the hourly run rollup, and discarded dead letters.
    version: 2,
    name: 'console',
    sql: consoleTablesSql('INTEGER PRIMARY KEY AUTOINCREMENT', ' WITHOUT ROWID'),
  },
  {
    // The flows' anomaly profiles (runtime/anomaly/): additive bin counts.
    version: 3,
    name: 'anomaly profiles',
    sql: anomalyTablesSql('REAL', 'INTEGER', ' WITHOUT ROWID'),
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

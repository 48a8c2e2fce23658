/**
 * PostgreSQL schema of the runtime store, as ordered migrations (the same tables as the SQLite
 * schema in schema.ts, plus what sharing the work across processes needs: a fencing token per
 * lease and the poll-leadership rows). `PostgresStore.open` applies what is missing, each
 * migration in one transaction with its `schema_migrations` row, all under one transaction-level
 * advisory lock, so several flowd processes starting at once migrate once. Never edit a shipped
 * migration: append a new one.
 *
 * Times are BIGINT milliseconds since the epoch (the store's clock). Payloads are JSON text
 * (TEXT, not JSONB: the text comes back exactly as written).
 */
import type { Migration } from './schema.js';
import { anomalyTablesSql } from './anomaly-tables.js';
import { consoleTablesSql } from './console-tables.js';

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- The fencing tokens: every lease takes the next value, so a token names one lease of one job
-- cluster-wide and a later lease always has a greater one.
CREATE SEQUENCE lease_fence;

CREATE TABLE jobs (
  id               BIGSERIAL PRIMARY KEY,
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
  next_attempt_at  BIGINT  NOT NULL,
  lease_owner      TEXT,
  lease_expires_at BIGINT,
  lease_fence      BIGINT,
  last_error       TEXT,
  last_error_class TEXT,
  reason           TEXT,
  replay_of        BIGINT,
  created_at       BIGINT  NOT NULL,
  changed_at       BIGINT  NOT NULL,
  finished_at      BIGINT,
  duration_ms      BIGINT,
  CHECK ((state = 'running') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL AND lease_fence IS NOT NULL))
);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (flow, dedupe_key);
CREATE INDEX jobs_ready ON jobs (next_attempt_at, id) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_flow_state ON jobs (flow, state);

CREATE TABLE dead_letters (
  id            BIGSERIAL PRIMARY KEY,
  job_id        BIGINT  NOT NULL REFERENCES jobs (id),
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
  created_at    BIGINT  NOT NULL,
  changed_at    BIGINT  NOT NULL,
  replayed_at   BIGINT,
  replay_job_id BIGINT REFERENCES jobs (id),
  CHECK ((replayed_at IS NULL) = (replay_job_id IS NULL))
);
CREATE INDEX dead_letters_flow ON dead_letters (flow, id);
CREATE INDEX dead_letters_pending ON dead_letters (flow, id) WHERE replayed_at IS NULL;
CREATE UNIQUE INDEX dead_letters_job ON dead_letters (job_id);

CREATE TABLE idempotency_keys (
  flow       TEXT   NOT NULL,
  key        TEXT   NOT NULL,
  job_id     BIGINT,
  done_at    BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (flow, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE watermarks (
  name       TEXT   PRIMARY KEY,
  value      TEXT   NOT NULL,
  changed_at BIGINT NOT NULL
);

CREATE TABLE row_hashes (
  scope TEXT NOT NULL,
  key   TEXT NOT NULL,
  hash  TEXT NOT NULL,
  PRIMARY KEY (scope, key)
);

CREATE TABLE runs (
  id             BIGSERIAL PRIMARY KEY,
  job_id         BIGINT,
  flow           TEXT    NOT NULL,
  flow_version   TEXT    NOT NULL,
  trigger        TEXT    NOT NULL,
  outcome        TEXT    NOT NULL CHECK (outcome IN ('done', 'skipped', 'duplicate', 'retry', 'dead_letter')),
  started_at     BIGINT  NOT NULL,
  duration_ms    BIGINT  NOT NULL,
  error          TEXT,
  error_class    TEXT,
  site           TEXT,
  correlation_id TEXT    NOT NULL,
  recorded_at    BIGINT  NOT NULL
);
CREATE INDEX runs_flow ON runs (flow, id);
CREATE INDEX runs_job ON runs (job_id);
CREATE INDEX runs_flow_error ON runs (flow, id) WHERE error IS NOT NULL;

-- Poll leadership: one row per poll source (the X-Cart order poll, each Sage Pro entity, each
-- schedule); the owner polls until expires_at, renewing it; anyone may take an expired row.
CREATE TABLE poll_leaders (
  source      TEXT   PRIMARY KEY,
  owner       TEXT   NOT NULL,
  acquired_at BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL
);
`,
  },
  {
    // The operations console (runtime/console/): users, sessions, audit log, each run's business
    // keys and connector calls, the hourly run rollup, and discarded dead letters.
    version: 2,
    name: 'console',
    sql: consoleTablesSql('BIGSERIAL PRIMARY KEY'),
  },
  {
    // The flows' anomaly profiles (runtime/anomaly/): additive bin counts.
    version: 3,
    name: 'anomaly profiles',
    sql: anomalyTablesSql('DOUBLE PRECISION', 'BIGINT'),
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;

-- FROZEN: schema version 1, the baseline that migration step 1 (steps.py) creates.
-- Never edit it: every schema change is a new numbered step in steps.py.
-- AXME reference server, SQLite schema v1. Each row keeps its object as JSON in
-- `doc`; the other columns exist only to index and filter.
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workspaces (
  workspace_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
  key_id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS api_keys_ws ON api_keys (workspace_id);
CREATE TABLE IF NOT EXISTS agents (
  rid INTEGER PRIMARY KEY, address TEXT NOT NULL UNIQUE, workspace_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS agents_ws ON agents (workspace_id, rid);
CREATE TABLE IF NOT EXISTS intents (
  rid INTEGER PRIMARY KEY, intent_id TEXT NOT NULL UNIQUE, workspace_id TEXT NOT NULL,
  status TEXT NOT NULL, from_agent TEXT, to_agent TEXT, terminal INTEGER NOT NULL DEFAULT 0,
  doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS intents_ws ON intents (workspace_id, rid);
CREATE INDEX IF NOT EXISTS intents_active ON intents (terminal) WHERE terminal = 0;
-- events append in rowid order (one hot leaf per commit); the (intent_id, seq) index
-- holds small entries. Data dirs made before this layout keep their WITHOUT ROWID
-- table: the same statements work on both.
CREATE TABLE IF NOT EXISTS events (
  eid INTEGER PRIMARY KEY, intent_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL,
  UNIQUE (intent_id, seq));
CREATE TABLE IF NOT EXISTS tasks (
  rid INTEGER PRIMARY KEY, intent_id TEXT NOT NULL, step_id TEXT NOT NULL, workspace_id TEXT NOT NULL,
  status TEXT NOT NULL, assignees TEXT NOT NULL, doc TEXT NOT NULL, UNIQUE (intent_id, step_id));
CREATE INDEX IF NOT EXISTS tasks_ws ON tasks (workspace_id, status, rid);
CREATE TABLE IF NOT EXISTS idempotency (
  scope_key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, status INTEGER NOT NULL,
  response BLOB NOT NULL, created_at REAL NOT NULL);

-- The audit trail: one row per write made through the API, successful or not.
-- Runs unchanged on SQLite and PostgreSQL (see 0001_identity.sql).

CREATE TABLE audit_events (
  id TEXT PRIMARY KEY,
  occurred_at TEXT NOT NULL,
  actor_id TEXT,
  actor_kind TEXT,
  actor_label TEXT,
  org_id TEXT,
  action TEXT NOT NULL,
  target_type TEXT,
  target_id TEXT,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  request_id TEXT NOT NULL,
  client_ip TEXT,
  detail TEXT
);
CREATE INDEX audit_occurred ON audit_events (occurred_at, id);
CREATE INDEX audit_actor ON audit_events (actor_id, occurred_at);
CREATE INDEX audit_org ON audit_events (org_id, occurred_at);
CREATE INDEX audit_action ON audit_events (action, occurred_at);

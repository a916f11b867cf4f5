-- Signed checkpoints of the ledger (c2sp.org/tlog-checkpoint notes), one per tree size.
CREATE TABLE ledger_checkpoints (
  size BIGINT PRIMARY KEY,
  root TEXT NOT NULL,
  note TEXT NOT NULL,
  signed_at TEXT NOT NULL
);

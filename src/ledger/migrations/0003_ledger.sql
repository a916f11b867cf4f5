-- The verifiable ledger: entries in log order and the hashes of every perfect subtree
-- (RFC 9162 tree), so roots and proofs cost O(log n) reads. Rows are only ever inserted.
CREATE TABLE ledger_entries (
  idx BIGINT PRIMARY KEY,
  leaf_hash TEXT NOT NULL,
  entry TEXT NOT NULL,
  appended_at TEXT NOT NULL
);

CREATE TABLE ledger_nodes (
  level BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (level, idx)
);

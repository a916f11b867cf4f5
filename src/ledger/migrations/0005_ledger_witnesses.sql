-- Cosignatures of ledger checkpoints by witnesses (c2sp.org/tlog-cosignature), kept as the
-- signature lines the witnesses sent, and what the log knows of each witness's state.
CREATE TABLE ledger_cosignatures (
  size BIGINT NOT NULL REFERENCES ledger_checkpoints (size),
  witness TEXT NOT NULL,
  line TEXT NOT NULL,
  cosigned_at BIGINT NOT NULL,
  PRIMARY KEY (size, witness)
);

CREATE TABLE ledger_witness_state (
  witness TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  last_status INTEGER NOT NULL,
  last_problem TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

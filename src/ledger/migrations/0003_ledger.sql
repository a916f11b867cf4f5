-- The verifiable ledger (see ledger/log.h): the tree of its entries' hashes in tiles
-- (ledger/tiles.h), signed checkpoints and the witnesses' cosignatures. The entries themselves
-- and the outbox are in 0004, which differs between dialects.

-- One row per 256 nodes of a tree level with the nodes above them. Full tiles never change; the
-- partial tile of each level above 0 is rewritten as it grows (the one of level 0 is rebuilt
-- from the last entries' leaf hashes).
CREATE TABLE ledger_tiles (
  level BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  width BIGINT NOT NULL,
  hashes TEXT NOT NULL,
  PRIMARY KEY (level, idx)
);

-- Signed checkpoints (c2sp.org/tlog-checkpoint notes), one per tree size.
CREATE TABLE ledger_checkpoints (
  size BIGINT PRIMARY KEY,
  root TEXT NOT NULL,
  note TEXT NOT NULL,
  signed_at TEXT NOT NULL
);

-- Cosignatures by witnesses (c2sp.org/tlog-cosignature), as the signature lines they sent, and
-- what the log knows of each witness's state.
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

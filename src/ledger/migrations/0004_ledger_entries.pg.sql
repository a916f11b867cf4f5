-- The ledger's entries in log order, never changed or removed, and the outbox of entries that
-- writes hand over in their own transaction. Lookups by leaf hash and by subject are kept in
-- blocks of 65,536 entries (ledger/lookups.cpp): new keys only ever land in the last block.
CREATE TABLE ledger_entries (
  idx BIGINT PRIMARY KEY,
  leaf_hash TEXT NOT NULL,
  entry TEXT NOT NULL,
  appended_at TEXT NOT NULL,
  subject TEXT  -- the entry's "subject" (a pseudonym), a copy outside the hash
);

-- Entries a write queued in its own transaction (Log::queue), in the order queued; the
-- sequencer moves them into the log, deleting them in the transaction that appends them.
CREATE TABLE ledger_outbox (
  id BIGSERIAL PRIMARY KEY,
  entry TEXT NOT NULL,
  queued_at TEXT NOT NULL
);

CREATE TABLE ledger_leaf_blocks (
  block BIGINT NOT NULL,  -- idx / 65536
  leaf_key TEXT NOT NULL,  -- the first 16 hex digits of the leaf hash
  idx BIGINT NOT NULL,
  PRIMARY KEY (block, leaf_key, idx)
);

CREATE TABLE ledger_subject_blocks (
  block BIGINT NOT NULL,
  subject TEXT NOT NULL,
  idx BIGINT NOT NULL,
  PRIMARY KEY (block, subject, idx)
);

-- How far the lookup tables reach.
CREATE TABLE ledger_lookups_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_upto BIGINT NOT NULL
);
INSERT INTO ledger_lookups_state (id, indexed_upto) VALUES (1, 0);

-- Lookups by leaf hash and by subject live beside the log instead of as indexes on its entries.
-- Both keys are random, so an index on the entries made every append batch rewrite one index
-- page per entry. The log fills these tables behind the sequencer, in large batches sorted by
-- key, and reads entries at or past indexed_upto from ledger_entries itself. The tables differ
-- between dialects only in SQLite's WITHOUT ROWID; 0009 fills them.
CREATE TABLE ledger_by_leaf (
  leaf_key TEXT NOT NULL,  -- the first 16 hex digits of the leaf hash
  idx BIGINT NOT NULL,
  PRIMARY KEY (leaf_key, idx)
);
CREATE TABLE ledger_by_subject (
  subject TEXT NOT NULL,
  idx BIGINT NOT NULL,
  PRIMARY KEY (subject, idx)
);

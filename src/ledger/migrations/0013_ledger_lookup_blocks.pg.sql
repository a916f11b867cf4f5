-- The lookups of 0008 keyed by block of 65,536 entries first (see ledger/lookups.cpp): the keys
-- are random, and in one table keyed by them each chunk of new keys landed on nearly every page
-- of it. New keys now land in the last block only. On SQLite the lookups are in a file of their
-- own (0012), which the log lays out the same way itself.
-- An indexer of a node not yet upgraded finishes first, and none starts until this commits (the
-- old tables are gone then: it fails until its node is upgraded).
LOCK TABLE ledger_lookups_state, ledger_by_leaf, ledger_by_subject IN EXCLUSIVE MODE;
CREATE TABLE ledger_leaf_blocks (
  block BIGINT NOT NULL,  -- idx / 65536
  leaf_key TEXT NOT NULL,
  idx BIGINT NOT NULL,
  PRIMARY KEY (block, leaf_key, idx)
);
CREATE TABLE ledger_subject_blocks (
  block BIGINT NOT NULL,
  subject TEXT NOT NULL,
  idx BIGINT NOT NULL,
  PRIMARY KEY (block, subject, idx)
);
INSERT INTO ledger_leaf_blocks (block, leaf_key, idx)
  SELECT idx / 65536, leaf_key, idx FROM ledger_by_leaf;
INSERT INTO ledger_subject_blocks (block, subject, idx)
  SELECT idx / 65536, subject, idx FROM ledger_by_subject;
DROP TABLE ledger_by_leaf;
DROP TABLE ledger_by_subject;

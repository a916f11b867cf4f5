-- How far the lookup tables of 0008 reach, and what they hold of the entries already written.
CREATE TABLE ledger_lookups_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_upto BIGINT NOT NULL
);
INSERT INTO ledger_by_leaf (leaf_key, idx) SELECT substr(leaf_hash, 1, 16), idx FROM ledger_entries;
INSERT INTO ledger_by_subject (subject, idx)
  SELECT subject, idx FROM ledger_entries WHERE subject IS NOT NULL;
INSERT INTO ledger_lookups_state (id, indexed_upto)
  SELECT 1, COALESCE(MAX(idx) + 1, 0) FROM ledger_entries;
DROP INDEX ledger_entries_by_leaf;
DROP INDEX ledger_entries_by_subject;

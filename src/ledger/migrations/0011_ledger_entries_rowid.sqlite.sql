-- In SQLite only a column declared exactly INTEGER PRIMARY KEY is the table's own row key; the
-- BIGINT PRIMARY KEY of 0003 made a second B-tree of every index beside the entries, which
-- every append batch wrote to as well. The table is rebuilt with the index as its row key.
CREATE TABLE ledger_entries_by_rowid (
  idx INTEGER PRIMARY KEY,
  leaf_hash TEXT NOT NULL,
  entry TEXT NOT NULL,
  appended_at TEXT NOT NULL,
  subject TEXT
);
INSERT INTO ledger_entries_by_rowid (idx, leaf_hash, entry, appended_at, subject)
  SELECT idx, leaf_hash, entry, appended_at, subject FROM ledger_entries ORDER BY idx;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_by_rowid RENAME TO ledger_entries;

-- The ledger's entries in log order, never changed or removed, and the outbox of entries that
-- writes hand over in their own transaction. In SQLite only a column declared exactly INTEGER
-- PRIMARY KEY is the table's own row key, so the entries need no second B-tree. Lookups by leaf
-- hash and by subject live in a file of their own beside this one (ledger/lookups.cpp).
CREATE TABLE ledger_entries (
  idx INTEGER PRIMARY KEY,
  leaf_hash TEXT NOT NULL,
  entry TEXT NOT NULL,
  appended_at TEXT NOT NULL,
  subject TEXT  -- the entry's "subject" (a pseudonym), a copy outside the hash
);

-- Entries a write queued in its own transaction (Log::queue), in the order queued; the
-- sequencer moves them into the log, deleting them in the transaction that appends them.
CREATE TABLE ledger_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  entry TEXT NOT NULL,
  queued_at TEXT NOT NULL
);

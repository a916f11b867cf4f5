-- The lookup tables of 0008 and 0009 move to a SQLite file of their own beside this one (see
-- ledger/lookups.cpp): filling them there never takes this database's write lock, which the
-- ledger's sequencer needs for every batch. They hold only what the entries give, and the log
-- fills the new file again from the entries.
DROP TABLE ledger_by_leaf;
DROP TABLE ledger_by_subject;
DROP TABLE ledger_lookups_state;

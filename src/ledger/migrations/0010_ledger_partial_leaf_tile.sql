-- The partial tile at level 0 is no longer stored: the log rebuilds it from the leaf hashes of
-- the last entries. Rewriting it was most of what each append batch wrote.
DELETE FROM ledger_tiles WHERE level = 0 AND width < 256;

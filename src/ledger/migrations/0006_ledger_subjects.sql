-- The pseudonym an entry is about (its "subject" field), so a person can be shown their own
-- entries without a scan of the whole log.
ALTER TABLE ledger_entries ADD COLUMN subject TEXT;
CREATE INDEX ledger_entries_by_subject ON ledger_entries (subject, idx);
-- Inclusion proofs may be asked for by leaf hash (RFC 6962 get-proof-by-hash).
CREATE INDEX ledger_entries_by_leaf ON ledger_entries (leaf_hash);

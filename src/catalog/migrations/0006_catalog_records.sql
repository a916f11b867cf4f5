-- Resources whose data is shared only with the consent of the person or company it is about.
ALTER TABLE catalog_resources ADD COLUMN consent_required BIGINT NOT NULL DEFAULT 0;

-- The records of hosted resources, one per subject. The subject is found through its keyed
-- hash (KeyRing::index) and kept encrypted; the values of personal and sensitive fields are
-- kept encrypted together, the others in clear.
CREATE TABLE catalog_records (
  resource_id TEXT NOT NULL REFERENCES catalog_resources (id),
  subject_index TEXT NOT NULL,
  subject_sealed TEXT NOT NULL,
  open_values TEXT NOT NULL,
  sealed_values TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (resource_id, subject_index)
);

-- Uploads of records: what was sent, how far the check and the load went, and the problems
-- found (the first hundred, as JSON).
CREATE TABLE catalog_loads (
  id TEXT PRIMARY KEY,
  resource_id TEXT NOT NULL REFERENCES catalog_resources (id),
  format TEXT NOT NULL,
  status TEXT NOT NULL,
  rows_total BIGINT NOT NULL,
  rows_done BIGINT NOT NULL,
  rows_bad BIGINT NOT NULL,
  errors TEXT NOT NULL,
  digest TEXT NOT NULL,
  started_by TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX catalog_loads_resource ON catalog_loads (resource_id, started_at);

-- One-window services: the catalog of service items ("matters") a department answers for, with
-- their time limits, materials and process, and the "one thing" packages that bundle several.
-- Materials, process stages and the vocabularies an item lists are kept as JSON documents: they
-- are read and written with the item, never queried on their own.
CREATE TABLE service_items (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  org_id TEXT NOT NULL REFERENCES orgs (id),
  level TEXT NOT NULL,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  description_zh TEXT NOT NULL,
  description_en TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  statutory_days BIGINT NOT NULL,
  promised_days BIGINT NOT NULL,
  fee_cents BIGINT NOT NULL,
  channels TEXT NOT NULL,
  visits BIGINT NOT NULL,
  life_events TEXT NOT NULL,
  themes TEXT NOT NULL,
  materials TEXT NOT NULL,
  certificates TEXT NOT NULL,
  stages TEXT NOT NULL,
  allows_deficiency BIGINT NOT NULL,
  status TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX service_items_org ON service_items (org_id, code);

CREATE TABLE service_packages (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  description_zh TEXT NOT NULL,
  description_en TEXT NOT NULL,
  item_ids TEXT NOT NULL,
  life_events TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);

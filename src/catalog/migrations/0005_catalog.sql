-- The shared data catalog: each department's data resources, their fields (JSON, as the API
-- shows them) and every version they have had.
CREATE TABLE catalog_resources (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs (id),
  code TEXT NOT NULL UNIQUE,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  description_zh TEXT NOT NULL,
  description_en TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  fields TEXT NOT NULL,
  field_names TEXT NOT NULL,  -- " name1 name2 ", to find resources by a field's name
  sharing TEXT NOT NULL,
  open_class TEXT NOT NULL,
  update_frequency TEXT NOT NULL,
  source TEXT NOT NULL,
  connector_url TEXT,
  version BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX catalog_resources_org ON catalog_resources (org_id);

CREATE TABLE catalog_resource_versions (
  resource_id TEXT NOT NULL REFERENCES catalog_resources (id),
  version BIGINT NOT NULL,
  document TEXT NOT NULL,  -- the whole resource as it was
  changed_by TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  PRIMARY KEY (resource_id, version)
);

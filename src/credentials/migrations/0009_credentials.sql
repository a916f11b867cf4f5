-- Electronic certificates: the types departments define, their signing keys (sealed), the
-- certificates issued (claims and signed form sealed; the holder by pseudonym) and the status
-- lists whose bits are the certificates' revocations and suspensions.
CREATE TABLE credential_types (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  issuer_org_id TEXT NOT NULL REFERENCES orgs (id),
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  fields TEXT NOT NULL,
  validity_days BIGINT,
  layout TEXT NOT NULL,
  status TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- The catalog resource other departments fetch the holders' certificates through.
  resource_id TEXT UNIQUE
);
CREATE INDEX credential_types_issuer ON credential_types (issuer_org_id, created_at);

CREATE TABLE credential_issuer_keys (
  kid TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs (id),
  public_key TEXT NOT NULL,
  sealed_seed TEXT NOT NULL,
  created_at TEXT NOT NULL,
  retired_at TEXT
);
CREATE INDEX credential_issuer_keys_org ON credential_issuer_keys (org_id, created_at);

CREATE TABLE credential_status_lists (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs (id),
  size BIGINT NOT NULL,
  used BIGINT NOT NULL,
  version BIGINT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX credential_status_lists_org ON credential_status_lists (org_id, created_at);

CREATE TABLE credentials (
  id TEXT PRIMARY KEY,
  type_id TEXT NOT NULL REFERENCES credential_types (id),
  issuer_org_id TEXT NOT NULL REFERENCES orgs (id),
  holder_pseudonym TEXT NOT NULL,
  subject_masked TEXT NOT NULL,
  claims_sealed TEXT NOT NULL,
  jwt_sealed TEXT NOT NULL,
  kid TEXT NOT NULL REFERENCES credential_issuer_keys (kid),
  status_list_id TEXT NOT NULL REFERENCES credential_status_lists (id),
  status_index BIGINT NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT,
  status_changed_at TEXT,
  status_changed_by TEXT,
  valid_from TEXT NOT NULL,
  valid_until TEXT,
  issued_by TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  leaf_hash TEXT NOT NULL
);
CREATE UNIQUE INDEX credentials_status_slot ON credentials (status_list_id, status_index);
CREATE INDEX credentials_holder ON credentials (holder_pseudonym, issued_at);
CREATE INDEX credentials_issuer ON credentials (issuer_org_id, issued_at);

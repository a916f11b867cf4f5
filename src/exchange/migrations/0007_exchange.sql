-- The data exchange: requests for other departments' resources, the grants that answer them,
-- every access to a subject's record (served or refused), and people's consent.
CREATE TABLE exchange_requests (
  id TEXT PRIMARY KEY,
  resource_id TEXT NOT NULL REFERENCES catalog_resources (id),
  owner_org_id TEXT NOT NULL REFERENCES orgs (id),
  requester_org_id TEXT NOT NULL REFERENCES orgs (id),
  fields TEXT NOT NULL,
  unmask TEXT NOT NULL,
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  service_items TEXT NOT NULL,
  duration_days BIGINT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  grant_id TEXT
);
CREATE INDEX exchange_requests_owner ON exchange_requests (owner_org_id, requested_at);
CREATE INDEX exchange_requests_requester ON exchange_requests (requester_org_id, requested_at);

CREATE TABLE exchange_grants (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL REFERENCES exchange_requests (id),
  resource_id TEXT NOT NULL REFERENCES catalog_resources (id),
  owner_org_id TEXT NOT NULL REFERENCES orgs (id),
  requester_org_id TEXT NOT NULL REFERENCES orgs (id),
  fields TEXT NOT NULL,
  unmask TEXT NOT NULL,
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  granted_by TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  revoked_by TEXT,
  revoke_reason TEXT
);
CREATE INDEX exchange_grants_lookup ON exchange_grants (requester_org_id, resource_id);
CREATE INDEX exchange_grants_owner ON exchange_grants (owner_org_id);

CREATE TABLE exchange_accesses (
  id TEXT PRIMARY KEY,
  grant_id TEXT,
  resource_id TEXT NOT NULL,
  resource_code TEXT NOT NULL,
  owner_org_id TEXT NOT NULL,
  requester_org_id TEXT NOT NULL,
  accessor_id TEXT NOT NULL,
  accessor_role TEXT NOT NULL,
  subject_pseudonym TEXT NOT NULL,
  fields TEXT NOT NULL,
  purpose TEXT NOT NULL,
  application TEXT,
  outcome TEXT NOT NULL,
  reason TEXT,
  leaf_hash TEXT NOT NULL,
  latency_micros BIGINT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX exchange_accesses_subject ON exchange_accesses (subject_pseudonym, at);
CREATE INDEX exchange_accesses_at ON exchange_accesses (at);

CREATE TABLE exchange_consents (
  id TEXT PRIMARY KEY,
  subject_pseudonym TEXT NOT NULL,
  requester_org_id TEXT NOT NULL REFERENCES orgs (id),
  resource_id TEXT,
  purpose TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  decided_at TEXT
);
CREATE INDEX exchange_consents_subject ON exchange_consents (subject_pseudonym, created_at);

-- Identity: organisations, accounts, sessions and tokens, sign-in throttling.
-- Runs unchanged on SQLite and PostgreSQL: integers are BIGINT, booleans 0/1, times RFC 3339
-- UTC text (so text order is time order), IDs random text that leak no counts.

CREATE TABLE orgs (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  level TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent_id TEXT REFERENCES orgs(id),
  path TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX orgs_parent ON orgs (parent_id);
CREATE INDEX orgs_path ON orgs (path);

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  username TEXT UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT,
  resident_id_enc TEXT,
  resident_id_index TEXT UNIQUE,
  resident_id_masked TEXT,
  credit_code TEXT,
  company_name TEXT,
  org_id TEXT REFERENCES orgs(id),
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  pseudonym TEXT NOT NULL  -- what the ledger calls this person (never shown)
);
CREATE INDEX accounts_org ON accounts (org_id);
CREATE INDEX accounts_credit_code ON accounts (credit_code);

CREATE TABLE account_roles (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  PRIMARY KEY (account_id, role)
);

-- Browser and API sessions; only the SHA-256 of the token is kept.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Long-lived tokens for machine clients, limited by scopes.
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- Failed sign-ins per identifier (keyed hash), for throttling.
CREATE TABLE sign_in_failures (
  subject TEXT PRIMARY KEY,
  failures BIGINT NOT NULL,
  window_start TEXT NOT NULL,
  locked_until TEXT
);

-- Expired sessions are purged at every sign-in; this index keeps that cheap.
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One-window applications: what an applicant asks for once, the materials gathered for it, the
-- departments' tasks that decide it, its history and messages, ratings and rectification cases;
-- and the settings and working-day calendar the time limits are counted in.
CREATE TABLE service_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Public holidays (rest days) and adjusted working days (weekend days worked), by year.
CREATE TABLE service_calendar_days (
  day TEXT PRIMARY KEY,
  year BIGINT NOT NULL,
  kind TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX service_calendar_days_year ON service_calendar_days (year, day);

-- Materials, the notice and the lists are JSON documents read and written with the application.
-- org_ids is ",<id>,<id>," so that a department's applications are found with LIKE.
CREATE TABLE service_applications (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  package_id TEXT,
  item_ids TEXT NOT NULL,
  lead_org_id TEXT NOT NULL,
  org_ids TEXT NOT NULL,
  applicant_account_id TEXT NOT NULL,
  applicant_kind TEXT NOT NULL,
  subject_pseudonym TEXT NOT NULL,
  subject_sealed TEXT NOT NULL,
  subject_masked TEXT NOT NULL,
  applicant_name TEXT NOT NULL,
  channel TEXT NOT NULL,
  created_by TEXT NOT NULL,
  window_org_id TEXT,
  status TEXT NOT NULL,
  materials TEXT NOT NULL,
  notice TEXT,
  commitment BIGINT NOT NULL,
  deficiencies TEXT NOT NULL,
  visits BIGINT NOT NULL,
  statutory_days BIGINT NOT NULL,
  promised_days BIGINT NOT NULL,
  submitted_at TEXT,
  accepted_at TEXT,
  decided_at TEXT,
  due_on TEXT,
  statutory_due_on TEXT,
  paused_on TEXT,
  paused_days BIGINT NOT NULL,
  working_days BIGINT,
  reason TEXT,
  credential_ids TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX service_applications_applicant ON service_applications (applicant_account_id, created_at);
CREATE INDEX service_applications_status ON service_applications (status, due_on);
CREATE INDEX service_applications_lead ON service_applications (lead_org_id, status);
CREATE INDEX service_applications_decided ON service_applications (decided_at);

CREATE TABLE service_tasks (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES service_applications (id),
  item_id TEXT NOT NULL,
  stage BIGINT NOT NULL,
  org_id TEXT NOT NULL,
  status TEXT NOT NULL,
  due_on TEXT,
  decided_by TEXT,
  decided_at TEXT,
  comment TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX service_tasks_queue ON service_tasks (org_id, status, due_on);
CREATE INDEX service_tasks_application ON service_tasks (application_id, item_id, stage);

CREATE TABLE service_events (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES service_applications (id),
  seq BIGINT NOT NULL,
  type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  org_id TEXT,
  detail TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX service_events_application ON service_events (application_id, seq);

-- Uploaded files, base64 (at most the item's size limit, itself within the request body limit).
CREATE TABLE service_files (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES service_applications (id),
  material_code TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  content TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at TEXT NOT NULL
);
CREATE INDEX service_files_application ON service_files (application_id);

-- seq orders one account's messages (several may share a millisecond).
CREATE TABLE service_messages (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  application_id TEXT NOT NULL,
  application_number TEXT NOT NULL,
  kind TEXT NOT NULL,
  params TEXT NOT NULL,
  created_at TEXT NOT NULL,
  read_at TEXT
);
CREATE INDEX service_messages_account ON service_messages (account_id, seq);

CREATE TABLE service_ratings (
  application_id TEXT PRIMARY KEY REFERENCES service_applications (id),
  lead_org_id TEXT NOT NULL,
  item_ids TEXT NOT NULL,
  score BIGINT NOT NULL,
  comment TEXT,
  channel TEXT NOT NULL,
  rated_by TEXT NOT NULL,
  rated_at TEXT NOT NULL
);
CREATE INDEX service_ratings_org ON service_ratings (lead_org_id, score);

CREATE TABLE service_rectifications (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL UNIQUE REFERENCES service_applications (id),
  application_number TEXT NOT NULL,
  org_id TEXT NOT NULL,
  score BIGINT NOT NULL,
  comment TEXT,
  status TEXT NOT NULL,
  due_on TEXT NOT NULL,
  reply TEXT,
  replied_by TEXT,
  replied_at TEXT,
  follow_up TEXT,
  closed_by TEXT,
  closed_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX service_rectifications_org ON service_rectifications (org_id, status, due_on);

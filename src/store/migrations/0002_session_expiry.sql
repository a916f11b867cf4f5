-- Expired sessions are purged at every sign-in; this index keeps that cheap.
CREATE INDEX sessions_expires ON sessions (expires_at);

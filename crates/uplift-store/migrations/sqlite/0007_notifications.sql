-- Notifications (issue 5): an in-app inbox per user, an email outbox so that
-- nothing is lost while the mail server is down, each user's choice of email,
-- and secret calendar feed URLs (stored hashed, revocable).

-- One message in a user's inbox. dedupe_key: set by scheduled sweeps (an
-- overdue visit, a form due) so that the same event never notifies twice.
CREATE TABLE notifications (
    id               INTEGER PRIMARY KEY,
    organisation_id  BIGINT NOT NULL REFERENCES organisations(id),
    user_id          BIGINT NOT NULL REFERENCES users(id),
    kind             TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    link             TEXT,
    dedupe_key       TEXT,
    created_at       TEXT NOT NULL,
    read_at          TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, id);
CREATE UNIQUE INDEX notifications_dedupe ON notifications(user_id, dedupe_key);

-- A user's choice about email (no row: email on).
CREATE TABLE notification_preferences (
    user_id          BIGINT PRIMARY KEY REFERENCES users(id),
    email_enabled    BOOLEAN NOT NULL,
    updated_at       TEXT NOT NULL
);

-- Email waiting to be sent, written in the same transaction as the inbox row.
-- A failed attempt keeps the row with its error and a later next_attempt_at;
-- sent_at is set once the mail server accepted it.
CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY,
    organisation_id  BIGINT REFERENCES organisations(id),
    notification_id  BIGINT REFERENCES notifications(id),
    to_address       TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    last_error       TEXT,
    sent_at          TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox(sent_at, next_attempt_at);

-- A secret calendar feed URL. kind 'adviser' (adviser_id: the adviser's
-- visits) or 'school' (school_urn: the school's visits). Only the SHA-256 of
-- the secret is kept; a revoked feed answers 404.
CREATE TABLE calendar_feeds (
    id               INTEGER PRIMARY KEY,
    organisation_id  BIGINT NOT NULL REFERENCES organisations(id),
    user_id          BIGINT NOT NULL REFERENCES users(id),
    kind             TEXT NOT NULL CHECK (kind IN ('adviser', 'school')),
    adviser_id       BIGINT,
    school_urn       BIGINT REFERENCES schools(urn),
    name             TEXT NOT NULL,
    secret_hash      TEXT NOT NULL UNIQUE,
    prefix           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    last_used_at     TEXT,
    revoked_at       TEXT,
    CHECK ((kind = 'adviser') = (adviser_id IS NOT NULL)),
    CHECK ((kind = 'school') = (school_urn IS NOT NULL))
);
CREATE INDEX calendar_feeds_user ON calendar_feeds(user_id);

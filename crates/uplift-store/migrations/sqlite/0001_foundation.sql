-- Foundation: organisations (tenants), users, sessions, API tokens,
-- sign-in throttling, and the append-only audit log.
-- Dates are ISO-8601 text; timestamps RFC 3339 UTC text; both sort as text.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    la_code     TEXT,
    created_at  TEXT NOT NULL
);

-- The register of schools is public reference data shared by every
-- organisation; which schools an organisation serves is its own row.
CREATE TABLE schools (
    urn         BIGINT PRIMARY KEY,
    la_code     TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE organisation_schools (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    urn             BIGINT NOT NULL REFERENCES schools(urn),
    added_at        TEXT NOT NULL,
    PRIMARY KEY (organisation_id, urn)
);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    organisation_id  BIGINT NOT NULL REFERENCES organisations(id),
    email            TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL,
    school_urn       BIGINT REFERENCES schools(urn),
    password_hash    TEXT NOT NULL,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((role = 'school') = (school_urn IS NOT NULL))
);
CREATE INDEX users_organisation ON users(organisation_id);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE sign_in_attempts (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,
    client     TEXT NOT NULL,
    succeeded  BOOLEAN NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts(email, at);
CREATE INDEX sign_in_attempts_client ON sign_in_attempts(client, at);

CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    at               TEXT NOT NULL,
    organisation_id  BIGINT REFERENCES organisations(id),
    actor_user_id    BIGINT,
    actor            TEXT NOT NULL,
    action           TEXT NOT NULL,
    entity           TEXT NOT NULL,
    entity_id        TEXT NOT NULL,
    before_json      TEXT,
    after_json       TEXT,
    request_id       TEXT
);
CREATE INDEX audit_log_org_at ON audit_log(organisation_id, at);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

-- Nobody edits history: the database itself refuses.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed');
END;

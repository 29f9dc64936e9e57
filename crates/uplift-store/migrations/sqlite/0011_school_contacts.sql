-- School contacts (issues 5 and 6): the people letters and notes of visit are
-- addressed to. The published register (GIAS) names the headteacher but never
-- the chair of governors or the clerk, so an organisation records them per
-- school: one row per (organisation, school). headteacher_name, when set,
-- overrides the register's headteacher (for example an acting head).
CREATE TABLE school_contacts (
    organisation_id     BIGINT NOT NULL REFERENCES organisations(id),
    urn                 BIGINT NOT NULL REFERENCES schools(urn),
    headteacher_name    TEXT,
    headteacher_email   TEXT,
    chair_name          TEXT,
    chair_email         TEXT,
    clerk_name          TEXT,
    clerk_email         TEXT,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL,
    updated_by_user_id  BIGINT REFERENCES users(id),
    PRIMARY KEY (organisation_id, urn)
);

-- Letters belong to a school (organisation_id, urn) and, optionally, to a
-- causing-concern case: a "not a priority" letter follows a decision about a
-- school that has no case, so case_id may now be NULL. Who may read a letter
-- is decided by (organisation_id, urn), never by the case.
--
-- SQLite cannot drop a NOT NULL constraint, so the table is rebuilt (the
-- procedure of https://www.sqlite.org/lang_altertable.html#otheralter): a new
-- table with the new definition, every row copied with its id, the old table
-- dropped, the new one renamed, and its indexes recreated. No other table
-- refers to letters and letters has no triggers or views, so foreign keys
-- stay on and the rebuild runs inside the migration's transaction.
CREATE TABLE letters_new (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT REFERENCES concern_cases(id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    urn                     BIGINT NOT NULL,
    kind                    TEXT NOT NULL,
    decision_id             BIGINT REFERENCES concern_decisions(id),
    notice_id               BIGINT REFERENCES concern_notices(id),
    title                   TEXT NOT NULL,
    headteacher_name        TEXT NOT NULL,
    chair_name              TEXT NOT NULL,
    recipient               TEXT,
    body                    TEXT NOT NULL,
    status                  TEXT NOT NULL,
    drafted_on              TEXT NOT NULL,
    due_on                  TEXT,
    issued_on               TEXT,
    issued_by               TEXT,
    issued_by_user_id       BIGINT REFERENCES users(id),
    created_by              TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
INSERT INTO letters_new (id, case_id, organisation_id, urn, kind, decision_id, notice_id, title,
    headteacher_name, chair_name, recipient, body, status, drafted_on, due_on, issued_on, issued_by,
    issued_by_user_id, created_by, created_at, updated_at)
SELECT id, case_id, organisation_id, urn, kind, decision_id, notice_id, title,
    headteacher_name, chair_name, recipient, body, status, drafted_on, due_on, issued_on, issued_by,
    issued_by_user_id, created_by, created_at, updated_at
FROM letters;
DROP TABLE letters;
ALTER TABLE letters_new RENAME TO letters;
CREATE INDEX letters_case ON letters(case_id, id);
CREATE INDEX letters_school ON letters(organisation_id, urn, status);

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
ALTER TABLE letters ALTER COLUMN case_id DROP NOT NULL;

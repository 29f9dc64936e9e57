-- Advisers, visits and notes of visit (issue 5): advisers with their
-- expertise and capacity, every school's named adviser with the history of
-- (re)assignments, visits planned against the entitlement, the school's
-- pre-visit self-evaluation, the note of visit through its workflow
-- (draft -> sent to the headteacher -> response -> shared with the chair ->
-- final and locked) and addenda to final notes. Dates are ISO-8601 text,
-- timestamps RFC 3339 UTC text.

-- An adviser. expertise: comma-separated keys of the domain's Expertise
-- (early_years, primary, secondary, send, alternative_provision, governance,
-- intervention). capacity_days: days a year available for visits.
CREATE TABLE advisers (
    id                  INTEGER PRIMARY KEY,
    organisation_id     BIGINT NOT NULL REFERENCES organisations(id),
    user_id             BIGINT REFERENCES users(id),
    name                TEXT NOT NULL,
    email               TEXT NOT NULL,
    expertise           TEXT NOT NULL DEFAULT '',
    capacity_days       REAL NOT NULL,
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX advisers_organisation ON advisers(organisation_id);
CREATE UNIQUE INDEX advisers_user ON advisers(organisation_id, user_id);

-- A school's named adviser over time. The current assignment has to_date
-- NULL; a reassignment closes it (to_date) and opens another, with a reason.
CREATE TABLE school_advisers (
    id                  INTEGER PRIMARY KEY,
    organisation_id     BIGINT NOT NULL REFERENCES organisations(id),
    urn                 BIGINT NOT NULL,
    adviser_id          BIGINT NOT NULL REFERENCES advisers(id),
    from_date           TEXT NOT NULL,
    to_date             TEXT,
    reason              TEXT NOT NULL,
    assigned_by         TEXT NOT NULL,
    assigned_by_user_id BIGINT REFERENCES users(id),
    assigned_at         TEXT NOT NULL
);
CREATE INDEX school_advisers_school ON school_advisers(organisation_id, urn, id);
CREATE INDEX school_advisers_adviser ON school_advisers(adviser_id);

-- A visit. visit_type: the policy key (school_effectiveness, headline, ...).
-- academic_year: '2026/27'. attendees: JSON array of strings. stage: the
-- domain's Stage in snake_case (planned, self_evaluation_requested, ...,
-- final). start_time/end_time: 'HH:MM' or NULL.
CREATE TABLE visits (
    id                     INTEGER PRIMARY KEY,
    organisation_id        BIGINT NOT NULL REFERENCES organisations(id),
    urn                    BIGINT NOT NULL,
    adviser_id             BIGINT NOT NULL REFERENCES advisers(id),
    visit_type             TEXT NOT NULL,
    academic_year          TEXT NOT NULL,
    planned_date           TEXT NOT NULL,
    start_time             TEXT,
    end_time               TEXT,
    focus                  TEXT NOT NULL,
    attendees              TEXT NOT NULL DEFAULT '[]',
    stage                  TEXT NOT NULL,
    held_on                TEXT,
    response_working_days  BIGINT NOT NULL,
    created_by             TEXT NOT NULL,
    created_by_user_id     BIGINT REFERENCES users(id),
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX visits_school ON visits(organisation_id, urn, planned_date);
CREATE INDEX visits_adviser ON visits(adviser_id, planned_date);
CREATE INDEX visits_year ON visits(organisation_id, academic_year);

-- The school's pre-visit self-evaluation: requested by the adviser,
-- completed online by the school, reviewed by the adviser.
CREATE TABLE visit_self_evaluations (
    id                     INTEGER PRIMARY KEY,
    visit_id               BIGINT NOT NULL UNIQUE REFERENCES visits(id),
    requested_at           TEXT NOT NULL,
    content                TEXT,
    completed_by_user_id   BIGINT REFERENCES users(id),
    completed_at           TEXT,
    review                 TEXT,
    reviewed_by_user_id    BIGINT REFERENCES users(id),
    reviewed_at            TEXT
);

-- The note of visit. content: the validated note as JSON (focus areas with
-- the adviser's judgement and the school's grade, disagreements, strengths,
-- areas for development, agreed actions, next visit). state: draft | sent |
-- responded | shared | final. response_kind: accurate | comments |
-- no_response. A final note is never changed again: see visit_note_addenda.
CREATE TABLE visit_notes (
    id                     INTEGER PRIMARY KEY,
    visit_id               BIGINT NOT NULL UNIQUE REFERENCES visits(id),
    content                TEXT NOT NULL,
    state                  TEXT NOT NULL,
    drafted_by_user_id     BIGINT REFERENCES users(id),
    sent_at                TEXT,
    response_due           TEXT,
    response_kind          TEXT,
    response_comments      TEXT,
    responded_at           TEXT,
    responded_by_user_id   BIGINT REFERENCES users(id),
    shared_with_chair_at   TEXT,
    finalised_at           TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

-- Addenda to a final note (the note itself is locked).
CREATE TABLE visit_note_addenda (
    id                     INTEGER PRIMARY KEY,
    note_id                BIGINT NOT NULL REFERENCES visit_notes(id),
    visit_id               BIGINT NOT NULL REFERENCES visits(id),
    text                   TEXT NOT NULL,
    added_by               TEXT NOT NULL,
    added_by_user_id       BIGINT REFERENCES users(id),
    added_on               TEXT NOT NULL,
    added_at               TEXT NOT NULL
);
CREATE INDEX visit_note_addenda_visit ON visit_note_addenda(visit_id, id);

-- Every step of a visit's workflow, in order (the domain's Transition).
CREATE TABLE visit_events (
    id                     INTEGER PRIMARY KEY,
    visit_id               BIGINT NOT NULL REFERENCES visits(id),
    from_stage             TEXT NOT NULL,
    to_stage               TEXT NOT NULL,
    on_date                TEXT NOT NULL,
    by_label               TEXT NOT NULL,
    by_user_id             BIGINT REFERENCES users(id),
    what                   TEXT NOT NULL,
    at                     TEXT NOT NULL
);
CREATE INDEX visit_events_visit ON visit_events(visit_id, id);

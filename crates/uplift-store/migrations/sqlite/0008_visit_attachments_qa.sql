-- Attachments on visits and notes of visit, and the quality assurance of
-- notes (issue 5): the termly sample, moderation, shadowed visits, the
-- end-of-year survey of headteachers and chairs, and advisers' annual reviews.

-- A file attached to a visit (note_id NULL) or to its note of visit. The
-- bytes are kept with the record; sha256 is the hex digest of content.
-- content_type is the type Uplift recognised from the bytes (magic numbers)
-- and the extension together, never the one the browser claimed.
CREATE TABLE visit_attachments (
    id                   INTEGER PRIMARY KEY,
    organisation_id      BIGINT NOT NULL REFERENCES organisations(id),
    visit_id             BIGINT NOT NULL REFERENCES visits(id),
    note_id              BIGINT REFERENCES visit_notes(id),
    filename             TEXT NOT NULL,
    content_type         TEXT NOT NULL,
    size_bytes           BIGINT NOT NULL,
    sha256               TEXT NOT NULL,
    content              BLOB NOT NULL,
    uploaded_by          TEXT NOT NULL,
    uploaded_by_user_id  BIGINT REFERENCES users(id),
    uploaded_at          TEXT NOT NULL
);
CREATE INDEX visit_attachments_visit ON visit_attachments(visit_id, id);

-- A term's QA sample: drawn once per organisation, academic year and term,
-- reproducibly (the domain's draw_qa_sample, seeded by organisation, year and
-- term). share: the configured share (0 to 1).
CREATE TABLE qa_samples (
    id                   INTEGER PRIMARY KEY,
    organisation_id      BIGINT NOT NULL REFERENCES organisations(id),
    academic_year        TEXT NOT NULL,
    term                 TEXT NOT NULL,
    share                REAL NOT NULL,
    considered           BIGINT NOT NULL,
    drawn_by             TEXT NOT NULL,
    drawn_by_user_id     BIGINT REFERENCES users(id),
    drawn_at             TEXT NOT NULL,
    UNIQUE (organisation_id, academic_year, term)
);

-- A sampled note routed to a QA reviewer (a panel user).
CREATE TABLE qa_assignments (
    id                   INTEGER PRIMARY KEY,
    sample_id            BIGINT NOT NULL REFERENCES qa_samples(id),
    organisation_id      BIGINT NOT NULL REFERENCES organisations(id),
    note_id              BIGINT NOT NULL REFERENCES visit_notes(id),
    visit_id             BIGINT NOT NULL REFERENCES visits(id),
    adviser_id           BIGINT NOT NULL REFERENCES advisers(id),
    reviewer_user_id     BIGINT REFERENCES users(id),
    reason               TEXT NOT NULL,
    UNIQUE (sample_id, note_id)
);
CREATE INDEX qa_assignments_reviewer ON qa_assignments(reviewer_user_id);

-- The reviewer's moderation of a sampled note: a rating per criterion
-- (ratings: JSON object criterion -> weak | requires_development | good |
-- strong) and feedback to the adviser.
CREATE TABLE qa_moderations (
    id                   INTEGER PRIMARY KEY,
    assignment_id        BIGINT NOT NULL UNIQUE REFERENCES qa_assignments(id),
    ratings              TEXT NOT NULL,
    feedback             TEXT NOT NULL,
    reviewer_user_id     BIGINT REFERENCES users(id),
    completed_at         TEXT NOT NULL
);

-- A visit on which an adviser was shadowed (one a year is expected).
CREATE TABLE qa_shadowed_visits (
    id                   INTEGER PRIMARY KEY,
    organisation_id      BIGINT NOT NULL REFERENCES organisations(id),
    adviser_id           BIGINT NOT NULL REFERENCES advisers(id),
    visit_id             BIGINT REFERENCES visits(id),
    academic_year        TEXT NOT NULL,
    shadowed_on          TEXT NOT NULL,
    shadowed_by          TEXT NOT NULL,
    feedback             TEXT NOT NULL,
    recorded_by_user_id  BIGINT REFERENCES users(id),
    recorded_at          TEXT NOT NULL
);
CREATE INDEX qa_shadowed_visits_adviser ON qa_shadowed_visits(organisation_id, academic_year, adviser_id);

-- The end-of-year survey of headteachers and chairs about their adviser.
-- respondent: headteacher | chair_of_governors. answers: JSON object
-- question -> 1..scale.
CREATE TABLE qa_survey_responses (
    id                   INTEGER PRIMARY KEY,
    organisation_id      BIGINT NOT NULL REFERENCES organisations(id),
    academic_year        TEXT NOT NULL,
    urn                  BIGINT NOT NULL,
    adviser_id           BIGINT NOT NULL REFERENCES advisers(id),
    respondent           TEXT NOT NULL,
    answers              TEXT NOT NULL,
    comments             TEXT NOT NULL,
    submitted_by_user_id BIGINT REFERENCES users(id),
    submitted_at         TEXT NOT NULL,
    UNIQUE (organisation_id, academic_year, urn, respondent)
);

-- Each adviser's annual review record.
CREATE TABLE adviser_annual_reviews (
    id                   INTEGER PRIMARY KEY,
    organisation_id      BIGINT NOT NULL REFERENCES organisations(id),
    adviser_id           BIGINT NOT NULL REFERENCES advisers(id),
    academic_year        TEXT NOT NULL,
    self_assessment      TEXT NOT NULL,
    engagement           TEXT NOT NULL,
    brokered_support     TEXT NOT NULL,
    outcomes             TEXT NOT NULL,
    feedback             TEXT NOT NULL,
    reviewed_by          TEXT NOT NULL,
    reviewed_on          TEXT,
    updated_by_user_id   BIGINT REFERENCES users(id),
    updated_at           TEXT NOT NULL,
    UNIQUE (organisation_id, adviser_id, academic_year)
);

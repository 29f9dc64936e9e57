-- Meetings, action plans and the School Performance Board protocol (issue 6).
-- Meetings of every kind in the seeds with their attendees, minutes (general
-- and per agenda item) and agenda snapshots; action plans and Statements of
-- Action on a case with every version kept (a change is a new version, never
-- an overwrite), their reviews and the Monitoring and Challenge records; and
-- each SPB protocol with the steps recorded against it. Decisions taken at a
-- meeting live in concern_decisions (meeting_id) with the rest of the case.

-- An organisation's term dates for an academic year ("2026/27"); the latest
-- row is in force. dates_json: uplift_domain::calendar::TermDates.
CREATE TABLE organisation_term_dates (
    id                  INTEGER PRIMARY KEY,
    organisation_id     BIGINT NOT NULL REFERENCES organisations(id),
    academic_year       TEXT NOT NULL,
    dates_json          TEXT NOT NULL,
    set_by              TEXT NOT NULL,
    set_by_user_id      BIGINT REFERENCES users(id),
    set_at              TEXT NOT NULL
);
CREATE INDEX organisation_term_dates_org ON organisation_term_dates(organisation_id, academic_year, id);

-- kind: schools_review_group, advisory_committee, schools_causing_concern,
-- school_performance_board, monitoring_and_challenge, team_around_the_school,
-- rapid_improvement_group, education_improvement_group.
-- status: scheduled, held, cancelled. focus_urn: the school of a
-- single-school meeting. warnings: the date warnings the user confirmed.
CREATE TABLE meetings (
    id                  INTEGER PRIMARY KEY,
    organisation_id     BIGINT NOT NULL REFERENCES organisations(id),
    kind                TEXT NOT NULL,
    meeting_date        TEXT NOT NULL,
    title               TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('scheduled', 'held', 'cancelled')),
    focus_urn           BIGINT,
    location            TEXT,
    warnings            TEXT,
    created_by          TEXT NOT NULL,
    created_by_user_id  BIGINT REFERENCES users(id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX meetings_org_date ON meetings(organisation_id, meeting_date);

CREATE TABLE meeting_attendees (
    id                  INTEGER PRIMARY KEY,
    meeting_id          BIGINT NOT NULL REFERENCES meetings(id),
    name                TEXT NOT NULL,
    role                TEXT NOT NULL,
    user_id             BIGINT REFERENCES users(id),
    added_by            TEXT NOT NULL,
    added_at            TEXT NOT NULL
);
CREATE INDEX meeting_attendees_meeting ON meeting_attendees(meeting_id, id);

-- Minutes are appended: urn NULL for the general minutes, else the agenda
-- item of that school.
CREATE TABLE meeting_minutes (
    id                  INTEGER PRIMARY KEY,
    meeting_id          BIGINT NOT NULL REFERENCES meetings(id),
    urn                 BIGINT,
    body                TEXT NOT NULL,
    recorded_by         TEXT NOT NULL,
    recorded_by_user_id BIGINT REFERENCES users(id),
    recorded_at         TEXT NOT NULL
);
CREATE INDEX meeting_minutes_meeting ON meeting_minutes(meeting_id, id);

-- The agenda as issued (uplift_domain::concern::Agenda as JSON); the latest
-- snapshot is the agenda of record.
CREATE TABLE meeting_agendas (
    id                  INTEGER PRIMARY KEY,
    meeting_id          BIGINT NOT NULL REFERENCES meetings(id),
    agenda_json         TEXT NOT NULL,
    issued_by           TEXT NOT NULL,
    issued_by_user_id   BIGINT REFERENCES users(id),
    issued_at           TEXT NOT NULL
);
CREATE INDEX meeting_agendas_meeting ON meeting_agendas(meeting_id, id);

-- kind: action_plan or statement_of_action.
CREATE TABLE action_plans (
    id                  INTEGER PRIMARY KEY,
    organisation_id     BIGINT NOT NULL REFERENCES organisations(id),
    case_id             BIGINT NOT NULL REFERENCES concern_cases(id),
    urn                 BIGINT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('action_plan', 'statement_of_action')),
    title               TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    created_by_user_id  BIGINT REFERENCES users(id),
    created_at          TEXT NOT NULL
);
CREATE INDEX action_plans_case ON action_plans(organisation_id, case_id);

-- Every version of a plan; never updated. content_json:
-- uplift_domain::concern::PlanContent (priorities, actions with owners,
-- milestones, success criteria, evidence, RAG). origin: created, edited or
-- reviewed (a review's new version).
CREATE TABLE action_plan_versions (
    id                  INTEGER PRIMARY KEY,
    plan_id             BIGINT NOT NULL REFERENCES action_plans(id),
    number              BIGINT NOT NULL,
    agreed_on           TEXT NOT NULL,
    origin              TEXT NOT NULL CHECK (origin IN ('created', 'edited', 'reviewed')),
    note                TEXT,
    content_json        TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    created_by_user_id  BIGINT REFERENCES users(id),
    created_at          TEXT NOT NULL,
    UNIQUE (plan_id, number)
);

-- A review: progress against version reviewed_version judged (overall and per
-- priority, judgements_json) and version new_version agreed.
CREATE TABLE action_plan_reviews (
    id                  INTEGER PRIMARY KEY,
    plan_id             BIGINT NOT NULL REFERENCES action_plans(id),
    reviewed_version    BIGINT NOT NULL,
    new_version         BIGINT NOT NULL,
    review_date         TEXT NOT NULL,
    progress            TEXT NOT NULL CHECK (progress IN ('red', 'amber', 'green')),
    summary             TEXT NOT NULL,
    judgements_json     TEXT NOT NULL,
    attendees           TEXT NOT NULL,
    meeting_id          BIGINT REFERENCES meetings(id),
    recorded_by         TEXT NOT NULL,
    recorded_by_user_id BIGINT REFERENCES users(id),
    recorded_at         TEXT NOT NULL
);
CREATE INDEX action_plan_reviews_plan ON action_plan_reviews(plan_id, id);

-- The head of service's evaluation at a Monitoring and Challenge Meeting.
CREATE TABLE monitoring_challenge_records (
    id                            INTEGER PRIMARY KEY,
    organisation_id               BIGINT NOT NULL REFERENCES organisations(id),
    case_id                       BIGINT NOT NULL REFERENCES concern_cases(id),
    meeting_id                    BIGINT REFERENCES meetings(id),
    record_date                   TEXT NOT NULL,
    progress                      TEXT NOT NULL CHECK (progress IN ('red', 'amber', 'green')),
    progress_evaluation           TEXT NOT NULL,
    authority_support             TEXT NOT NULL CHECK (authority_support IN ('red', 'amber', 'green')),
    authority_support_evaluation  TEXT NOT NULL,
    recorded_by                   TEXT NOT NULL,
    recorded_by_user_id           BIGINT REFERENCES users(id),
    recorded_at                   TEXT NOT NULL
);
CREATE INDEX monitoring_challenge_case ON monitoring_challenge_records(organisation_id, case_id);

-- A School Performance Board protocol. route: requested (requested_by) or
-- automatic (category: special_measures or serious_weaknesses).
CREATE TABLE spb_protocols (
    id                  INTEGER PRIMARY KEY,
    organisation_id     BIGINT NOT NULL REFERENCES organisations(id),
    case_id             BIGINT NOT NULL REFERENCES concern_cases(id),
    urn                 BIGINT NOT NULL,
    route               TEXT NOT NULL CHECK (route IN ('requested', 'automatic')),
    requested_by        TEXT,
    category            TEXT,
    requested_on        TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    created_by_user_id  BIGINT REFERENCES users(id),
    created_at          TEXT NOT NULL
);
CREATE INDEX spb_protocols_case ON spb_protocols(organisation_id, case_id);

-- The steps recorded, in order; the protocol is rebuilt from them with the
-- domain's rules. step: approval, chair_nominated, dates_offered,
-- date_chosen, confirmed, chair_introduced, partner_visit, meeting,
-- notes_sent. detail_json: the step's values (agreed/funded, chair, dates,
-- governors present, next dates).
CREATE TABLE spb_steps (
    id                  INTEGER PRIMARY KEY,
    protocol_id         BIGINT NOT NULL REFERENCES spb_protocols(id),
    step                TEXT NOT NULL,
    on_date             TEXT NOT NULL,
    detail_json         TEXT NOT NULL,
    recorded_by         TEXT NOT NULL,
    recorded_by_user_id BIGINT REFERENCES users(id),
    recorded_at         TEXT NOT NULL
);
CREATE INDEX spb_steps_protocol ON spb_steps(protocol_id, id);

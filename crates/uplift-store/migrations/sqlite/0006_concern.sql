-- Schools causing concern (issue 6): cases on the causing-concern list, their
-- timeline, the decisions about them (with rationale and the triggers that
-- applied; a decision may be taken at a meeting, meeting_id, whose table comes
-- with the meetings migration), the work each decision creates, escalation
-- (letters of concern, warning notices, written notice of proposed powers,
-- eligibility for intervention, powers used, academy concerns), inspection
-- support, each organisation's letter templates and the letters themselves.
-- Dates of events are ISO dates (YYYY-MM-DD); *_at columns are timestamps.

-- One row per episode on the list: designation opens a case, removal closes it
-- (closed_on); a school re-designated later gets a new case. state:
-- awaiting_lead_officer | on_list | removed. governance: maintained | academy
-- (from the register when designated). escalation_stage: the domain's
-- escalation Stage (open, letter_of_concern, warning_notice_given, ...).
CREATE TABLE concern_cases (
    id                      INTEGER PRIMARY KEY,
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    urn                     BIGINT NOT NULL REFERENCES schools(urn),
    state                   TEXT NOT NULL,
    governance              TEXT NOT NULL,
    escalation_stage        TEXT NOT NULL DEFAULT 'open',
    category                TEXT,
    opened_on               TEXT NOT NULL,
    closed_on               TEXT,
    lead_officer_user_id    BIGINT REFERENCES users(id),
    lead_officer_name       TEXT,
    chair_name              TEXT,
    trust_name              TEXT,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX concern_cases_school ON concern_cases(organisation_id, urn, id);
CREATE UNIQUE INDEX concern_cases_one_open ON concern_cases(organisation_id, urn) WHERE closed_on IS NULL;

-- Decisions about a school. case_id is NULL for a decision that opens no case
-- (for example "not a priority" on a proposal). kind: designate | continue |
-- remove | letter_of_concern | recommend_warning_notice | escalate |
-- notify_regional_director | other (detail says what). triggers_json: a JSON
-- array of the triggers that applied. meeting_id: the meeting that decided
-- (no foreign key here; the meetings migration owns that table).
CREATE TABLE concern_decisions (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT REFERENCES concern_cases(id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    urn                     BIGINT NOT NULL,
    kind                    TEXT NOT NULL,
    detail                  TEXT,
    rationale               TEXT NOT NULL,
    triggers_json           TEXT NOT NULL,
    decided_on              TEXT NOT NULL,
    decided_by              TEXT NOT NULL,
    decided_by_user_id      BIGINT REFERENCES users(id),
    meeting_id              INTEGER,
    recorded_at             TEXT NOT NULL
);
CREATE INDEX concern_decisions_case ON concern_decisions(case_id, id);
CREATE INDEX concern_decisions_school ON concern_decisions(organisation_id, urn, id);
CREATE INDEX concern_decisions_meeting ON concern_decisions(meeting_id);

-- The work that follows a decision (or is added by an officer). owner_role:
-- lead_officer | head_of_school_improvement | director_of_childrens_services |
-- clerk; owner_user_id when a person is named. due_on is computed in working
-- days with the bank holidays.
CREATE TABLE concern_tasks (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT NOT NULL REFERENCES concern_cases(id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    decision_id             BIGINT REFERENCES concern_decisions(id),
    title                   TEXT NOT NULL,
    owner_role              TEXT NOT NULL,
    owner_user_id           BIGINT REFERENCES users(id),
    due_on                  TEXT NOT NULL,
    reason                  TEXT NOT NULL,
    done_on                 TEXT,
    done_by                 TEXT,
    created_at              TEXT NOT NULL
);
CREATE INDEX concern_tasks_case ON concern_tasks(case_id, id);

-- Letters of concern and formal warning notices. kind: letter_of_concern |
-- warning_notice. For a warning notice: section s60 | s60a, grounds_json (a
-- JSON array of grounds), compliance_days (never 0) and compliance_end_on
-- (working days after issued_on). concerns_json and required_action_json are
-- JSON arrays of strings. outcome: NULL | complied | not_complied.
CREATE TABLE concern_notices (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT NOT NULL REFERENCES concern_cases(id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    kind                    TEXT NOT NULL,
    section                 TEXT,
    grounds_json            TEXT NOT NULL,
    concerns_json           TEXT NOT NULL,
    required_action_json    TEXT NOT NULL,
    compliance_days         BIGINT,
    compliance_end_on       TEXT,
    issued_on               TEXT NOT NULL,
    signed_by               TEXT NOT NULL,
    signed_by_user_id       BIGINT REFERENCES users(id),
    outcome                 TEXT,
    outcome_on              TEXT,
    outcome_reason          TEXT,
    recorded_at             TEXT NOT NULL,
    CHECK (kind <> 'warning_notice' OR (compliance_days IS NOT NULL AND compliance_days > 0))
);
CREATE INDEX concern_notices_case ON concern_notices(case_id, id);

-- Written notice of the powers the authority proposes to use (s59).
-- proposed_json: a JSON array of powers (s63_arrangements, ...).
CREATE TABLE concern_written_notices (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT NOT NULL REFERENCES concern_cases(id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    notice_id               BIGINT REFERENCES concern_notices(id),
    given_on                TEXT NOT NULL,
    proposed_json           TEXT NOT NULL,
    reason                  TEXT NOT NULL,
    signed_by               TEXT NOT NULL,
    signed_by_user_id       BIGINT REFERENCES users(id),
    recorded_at             TEXT NOT NULL
);
CREATE INDEX concern_written_notices_case ON concern_written_notices(case_id, id);

-- Eligibility for intervention by a category route (coasting,
-- requires_significant_improvement, special_measures); the warning-notice
-- routes follow from the notice, its outcome and the written notice.
CREATE TABLE concern_eligibility (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT NOT NULL REFERENCES concern_cases(id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    route                   TEXT NOT NULL,
    eligible_on             TEXT NOT NULL,
    evidence                TEXT NOT NULL,
    recorded_by             TEXT NOT NULL,
    recorded_at             TEXT NOT NULL
);
CREATE INDEX concern_eligibility_case ON concern_eligibility(case_id, id);

-- Powers used (s63 arrangements and with whom, s64 additional governors,
-- s65 interim executive board and its members, s66 suspension of the
-- delegated budget). power: s63_arrangements | s64_additional_governors |
-- s65_interim_executive_board | s66_suspend_delegated_budget. detail_json:
-- the domain's Power (arrangement and with_whom, governors, members).
CREATE TABLE concern_powers (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT NOT NULL REFERENCES concern_cases(id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    power                   TEXT NOT NULL,
    detail_json             TEXT NOT NULL,
    used_on                 TEXT NOT NULL,
    signed_off_by           TEXT NOT NULL,
    signed_off_by_user_id   BIGINT REFERENCES users(id),
    recorded_at             TEXT NOT NULL
);
CREATE INDEX concern_powers_case ON concern_powers(case_id, id);

-- Concerns about an academy raised with its trust, then with the DfE
-- regional director. raised_with: trust | regional_director.
CREATE TABLE concern_academy_concerns (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT NOT NULL REFERENCES concern_cases(id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    raised_with             TEXT NOT NULL,
    recipient               TEXT NOT NULL,
    raised_on               TEXT NOT NULL,
    concerns                TEXT NOT NULL,
    recorded_by             TEXT NOT NULL,
    recorded_at             TEXT NOT NULL
);
CREATE INDEX concern_academy_concerns_case ON concern_academy_concerns(case_id, id);

-- Support around an inspection: notified date, pre-inspection discussion,
-- the call with the lead inspector on day two, feedback attended, outcome.
-- Updated as the inspection goes on (each change audited).
CREATE TABLE concern_inspection_support (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT NOT NULL REFERENCES concern_cases(id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    notified_on             TEXT NOT NULL,
    pre_inspection_on       TEXT,
    pre_inspection_notes    TEXT,
    day_two_call_on         TEXT,
    day_two_call_notes      TEXT,
    feedback_attended       BOOLEAN NOT NULL DEFAULT FALSE,
    feedback_attended_by    TEXT,
    outcome                 TEXT,
    recorded_by             TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX concern_inspection_support_case ON concern_inspection_support(case_id, id);

-- An organisation's own letter templates, appended: the latest row per kind
-- is in force; without one the default template of the domain applies.
CREATE TABLE letter_templates (
    id                      INTEGER PRIMARY KEY,
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    kind                    TEXT NOT NULL,
    body                    TEXT NOT NULL,
    updated_by              TEXT NOT NULL,
    updated_by_user_id      BIGINT REFERENCES users(id),
    updated_at              TEXT NOT NULL
);
CREATE INDEX letter_templates_kind ON letter_templates(organisation_id, kind, id);

-- Letters on a case, addressed to the headteacher and the chair of governors
-- (or, for an academy, the trust or the regional director: recipient).
-- status: draft | issued; a school user sees only issued letters of their
-- own school.
CREATE TABLE letters (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT NOT NULL REFERENCES concern_cases(id),
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
CREATE INDEX letters_case ON letters(case_id, id);
CREATE INDEX letters_school ON letters(organisation_id, urn, status);

-- The case timeline: every step, in order. kind: designated, lead_officer,
-- decision, task, task_done, letter_drafted, letter_issued, letter_of_concern,
-- warning_notice, complied, not_complied, written_notice, eligibility, power,
-- raised_with_trust, raised_with_regional_director, inspection_support,
-- removed, ... (C2's meetings and plans add their own kinds). escalation_action:
-- the domain escalation Action when the event is an escalation step (the
-- escalation is replayed from these in id order). ref_kind/ref_id: the row the
-- event is about (decision, task, letter, notice, written_notice, eligibility,
-- power, academy_concern, inspection_support, meeting, plan ...).
CREATE TABLE concern_case_events (
    id                      INTEGER PRIMARY KEY,
    case_id                 BIGINT NOT NULL REFERENCES concern_cases(id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations(id),
    at                      TEXT NOT NULL,
    kind                    TEXT NOT NULL,
    summary                 TEXT NOT NULL,
    actor                   TEXT NOT NULL,
    actor_user_id           BIGINT REFERENCES users(id),
    escalation_action       TEXT,
    ref_kind                TEXT,
    ref_id                  BIGINT,
    meeting_id              INTEGER,
    recorded_at             TEXT NOT NULL
);
CREATE INDEX concern_case_events_case ON concern_case_events(case_id, id);

-- The school register from published data (issue 3): every GIAS field on
-- schools, establishment links, groups and group links, Ofsted inspections in
-- their own three formats, performance measures with comparators and
-- quartiles, the DfE school-level census (spc) figures, field-by-field change
-- history, and intelligence.
--
-- Register data is keyed by URN without foreign keys to schools: published
-- files name establishments the register may not hold (KS2 2012/13 lists
-- schools closed before the 2022/23 census; Ofsted files may be imported
-- before GIAS). Every imported row keeps the file it came from (source_file)
-- and when it was last written (imported_at). `generated` marks records the
-- demo invented where no real record exists; screens must say so.

ALTER TABLE schools ADD COLUMN la_name TEXT;
ALTER TABLE schools ADD COLUMN establishment_number BIGINT;
ALTER TABLE schools ADD COLUMN type_code TEXT;
ALTER TABLE schools ADD COLUMN type_name TEXT;
ALTER TABLE schools ADD COLUMN type_group TEXT;
-- maintained, academy, independent or other
ALTER TABLE schools ADD COLUMN governance TEXT;
ALTER TABLE schools ADD COLUMN status TEXT;
ALTER TABLE schools ADD COLUMN phase TEXT;
ALTER TABLE schools ADD COLUMN phase_type_grouping TEXT;
ALTER TABLE schools ADD COLUMN statutory_low_age BIGINT;
ALTER TABLE schools ADD COLUMN statutory_high_age BIGINT;
-- yes, no or unknown
ALTER TABLE schools ADD COLUMN sixth_form TEXT;
ALTER TABLE schools ADD COLUMN gender TEXT;
ALTER TABLE schools ADD COLUMN religious_character TEXT;
ALTER TABLE schools ADD COLUMN diocese TEXT;
ALTER TABLE schools ADD COLUMN admissions_policy TEXT;
ALTER TABLE schools ADD COLUMN number_on_roll BIGINT;
ALTER TABLE schools ADD COLUMN capacity BIGINT;
ALTER TABLE schools ADD COLUMN percentage_fsm REAL;
ALTER TABLE schools ADD COLUMN trust TEXT;
ALTER TABLE schools ADD COLUMN trust_code TEXT;
ALTER TABLE schools ADD COLUMN sponsor TEXT;
ALTER TABLE schools ADD COLUMN federation TEXT;
ALTER TABLE schools ADD COLUMN ukprn BIGINT;
ALTER TABLE schools ADD COLUMN open_date TEXT;
ALTER TABLE schools ADD COLUMN close_date TEXT;
ALTER TABLE schools ADD COLUMN reason_opened TEXT;
ALTER TABLE schools ADD COLUMN reason_closed TEXT;
ALTER TABLE schools ADD COLUMN head_title TEXT;
ALTER TABLE schools ADD COLUMN head_first_name TEXT;
ALTER TABLE schools ADD COLUMN head_last_name TEXT;
ALTER TABLE schools ADD COLUMN head_job_title TEXT;
-- From the file when a layout carries it; otherwise the date an import first saw the new head.
ALTER TABLE schools ADD COLUMN head_start_date TEXT;
ALTER TABLE schools ADD COLUMN street TEXT;
ALTER TABLE schools ADD COLUMN locality TEXT;
ALTER TABLE schools ADD COLUMN address3 TEXT;
ALTER TABLE schools ADD COLUMN town TEXT;
ALTER TABLE schools ADD COLUMN county TEXT;
ALTER TABLE schools ADD COLUMN postcode TEXT;
ALTER TABLE schools ADD COLUMN website TEXT;
ALTER TABLE schools ADD COLUMN telephone TEXT;
ALTER TABLE schools ADD COLUMN region TEXT;
ALTER TABLE schools ADD COLUMN parliamentary_constituency TEXT;
ALTER TABLE schools ADD COLUMN ofsted_last_inspection TEXT;
ALTER TABLE schools ADD COLUMN ofsted_rating TEXT;
ALTER TABLE schools ADD COLUMN ofsted_special_measures TEXT;
ALTER TABLE schools ADD COLUMN last_changed_date TEXT;
ALTER TABLE schools ADD COLUMN rsc_region TEXT;
-- Which kind of file the identity fields come from: gias (authoritative) or spc
-- (a school known only from the census file; a GIAS import takes it over).
ALTER TABLE schools ADD COLUMN register_source TEXT;
-- The file that last changed the row, and when.
ALTER TABLE schools ADD COLUMN source_file TEXT;
ALTER TABLE schools ADD COLUMN imported_at TEXT;

CREATE INDEX schools_la_name ON schools(la_code, name);
CREATE INDEX schools_name ON schools(name);
CREATE INDEX schools_phase ON schools(phase);
CREATE INDEX schools_status ON schools(status);
CREATE INDEX schools_trust ON schools(trust);
CREATE INDEX schools_type ON schools(type_name);

CREATE TABLE establishment_links (
    id           INTEGER PRIMARY KEY,
    urn          BIGINT NOT NULL,
    linked_urn   BIGINT NOT NULL,
    linked_name  TEXT,
    -- as published, e.g. "Predecessor", "Successor - amalgamated"
    link_type    TEXT NOT NULL,
    established  TEXT,
    source_file  TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    UNIQUE (urn, linked_urn, link_type)
);
CREATE INDEX establishment_links_linked ON establishment_links(linked_urn);

CREATE TABLE register_groups (
    uid                     BIGINT PRIMARY KEY,
    group_id                TEXT,
    name                    TEXT NOT NULL,
    companies_house_number  TEXT,
    group_type_code         TEXT,
    group_type              TEXT,
    status                  TEXT NOT NULL,
    open_date               TEXT,
    closed_date             TEXT,
    incorporated_on         TEXT,
    street                  TEXT,
    town                    TEXT,
    postcode                TEXT,
    head_of_group           TEXT,
    ukprn                   TEXT,
    source_file             TEXT NOT NULL,
    imported_at             TEXT NOT NULL
);

CREATE TABLE group_links (
    id                  INTEGER PRIMARY KEY,
    urn                 BIGINT NOT NULL,
    group_uid           BIGINT NOT NULL,
    joined              TEXT,
    group_name          TEXT,
    group_type          TEXT,
    establishment_name  TEXT,
    la_code             TEXT,
    source_file         TEXT NOT NULL,
    imported_at         TEXT NOT NULL,
    UNIQUE (urn, group_uid)
);
CREATE INDEX group_links_group ON group_links(group_uid);

-- Inspections, each format in its own table; none is converted into another.
-- inspection_key: the inspection number, or the start date when there is none.
-- Four-point grades: 1-4, 9 = not graded / not applicable.
CREATE TABLE inspections_graded (
    id                        INTEGER PRIMARY KEY,
    urn                       BIGINT NOT NULL,
    inspection_key            TEXT NOT NULL,
    inspection_number         TEXT,
    inspection_type           TEXT,
    start_date                TEXT,
    publication_date          TEXT,
    urn_at_time               BIGINT,
    category_of_concern       TEXT,
    overall_effectiveness     BIGINT,
    quality_of_education      BIGINT,
    behaviour_and_attitudes   BIGINT,
    personal_development      BIGINT,
    leadership_and_management BIGINT,
    safeguarding_effective    BOOLEAN,
    early_years               BIGINT,
    sixth_form                BIGINT,
    outcomes_for_pupils       BIGINT,
    quality_of_teaching       BIGINT,
    personal_development_behaviour_welfare BIGINT,
    generated                 BOOLEAN NOT NULL DEFAULT FALSE,
    source_file               TEXT NOT NULL,
    imported_at               TEXT NOT NULL,
    UNIQUE (urn, inspection_key)
);

CREATE TABLE inspections_ungraded (
    id                 INTEGER PRIMARY KEY,
    urn                BIGINT NOT NULL,
    inspection_key     TEXT NOT NULL,
    inspection_number  TEXT,
    inspection_date    TEXT,
    publication_date   TEXT,
    urn_at_time        BIGINT,
    outcome            TEXT NOT NULL,
    generated          BOOLEAN NOT NULL DEFAULT FALSE,
    source_file        TEXT NOT NULL,
    imported_at        TEXT NOT NULL,
    UNIQUE (urn, inspection_key)
);

-- Report cards: a five-point grade per evaluation area, as published
-- ("Exceptional", "Strong standard", "Expected standard", "Needs attention",
-- "Urgent improvement"), each with the date of the grade; NULL where the area
-- does not apply. Safeguarding standards "Met" or "Not met".
CREATE TABLE inspections_report_card (
    id                         INTEGER PRIMARY KEY,
    urn                        BIGINT NOT NULL,
    inspection_key             TEXT NOT NULL,
    inspection_number          TEXT,
    inspection_type            TEXT,
    start_date                 TEXT,
    publication_date           TEXT,
    urn_at_time                BIGINT,
    category_of_concern        TEXT,
    safeguarding               TEXT,
    safeguarding_date          TEXT,
    inclusion                  TEXT,
    inclusion_date             TEXT,
    curriculum_and_teaching    TEXT,
    curriculum_and_teaching_date TEXT,
    achievement                TEXT,
    achievement_date           TEXT,
    attendance_and_behaviour   TEXT,
    attendance_and_behaviour_date TEXT,
    personal_development_and_wellbeing TEXT,
    personal_development_and_wellbeing_date TEXT,
    leadership_and_governance  TEXT,
    leadership_and_governance_date TEXT,
    early_years                TEXT,
    early_years_date           TEXT,
    post_16                    TEXT,
    post_16_date               TEXT,
    generated                  BOOLEAN NOT NULL DEFAULT FALSE,
    source_file                TEXT NOT NULL,
    imported_at                TEXT NOT NULL,
    UNIQUE (urn, inspection_key)
);

-- Published measures in long form: KS2, KS4, census and absence.
-- dataset: ks2, ks4, census or absence; layout: the file layout read.
-- level: school, authority, national (or another published level code).
-- area: school:URN, la:CODE or national:LEVELCODE[:SUBGROUP] (the row's identity).
-- time_period: as published ('' when the file does not say).
-- value_kind: number, percent, marker or text; value_text holds the marker
-- (SUPP, NE, NA, NP, z, c, x, ...) or the text. Quartile (school rows):
-- 1 = lowest quarter of values within the authority, 4 = highest, per
-- measure and time period; which end is better depends on the measure.
CREATE TABLE performance_measures (
    id           INTEGER PRIMARY KEY,
    dataset      TEXT NOT NULL,
    layout       TEXT NOT NULL,
    level        TEXT NOT NULL,
    level_code   TEXT NOT NULL,
    area         TEXT NOT NULL,
    urn          BIGINT,
    la_code      TEXT,
    time_period  TEXT NOT NULL,
    measure      TEXT NOT NULL,
    value_num    REAL,
    value_kind   TEXT NOT NULL,
    value_text   TEXT,
    quartile     BIGINT,
    source_file  TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    UNIQUE (area, dataset, layout, time_period, measure)
);
CREATE INDEX performance_measures_urn ON performance_measures(urn);
CREATE INDEX performance_measures_la ON performance_measures(dataset, layout, time_period, la_code, measure);

-- The DfE "Schools, pupils and their characteristics" school-level figures.
-- Each measure has its number (NULL when not available) and its published marker.
CREATE TABLE spc_figures (
    id                     INTEGER PRIMARY KEY,
    urn                    BIGINT NOT NULL,
    time_period            TEXT NOT NULL,
    la_code                TEXT NOT NULL,
    new_la_code            TEXT,
    la_name                TEXT,
    phase_type_grouping    TEXT,
    type_of_establishment  TEXT,
    academy_flag           TEXT,
    trust                  TEXT,
    denomination           TEXT,
    headcount              REAL,
    headcount_marker       TEXT,
    fte                    REAL,
    fte_marker             TEXT,
    fsm_percent            REAL,
    fsm_percent_marker     TEXT,
    fsm_percent_performance_tables REAL,
    fsm_percent_performance_tables_marker TEXT,
    eal_percent            REAL,
    eal_percent_marker     TEXT,
    sen_ehc_plan           REAL,
    sen_ehc_plan_marker    TEXT,
    sen_support            REAL,
    sen_support_marker     TEXT,
    source_file            TEXT NOT NULL,
    imported_at            TEXT NOT NULL,
    UNIQUE (urn, time_period)
);

-- Field-by-field history of the register: what an import changed.
CREATE TABLE school_changes (
    id           INTEGER PRIMARY KEY,
    urn          BIGINT NOT NULL,
    field        TEXT NOT NULL,
    old_value    TEXT,
    new_value    TEXT,
    changed_on   TEXT NOT NULL,
    source_file  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX school_changes_urn ON school_changes(urn, changed_on);

-- Soft information. organisation_id NULL: derived by Uplift from an import
-- (e.g. a new headteacher), visible to every organisation serving the school.
-- generated: invented by the demo where no real record exists.
CREATE TABLE intelligence (
    id               INTEGER PRIMARY KEY,
    organisation_id  BIGINT REFERENCES organisations(id),
    urn              BIGINT NOT NULL,
    kind             TEXT NOT NULL,
    summary          TEXT NOT NULL,
    source           TEXT NOT NULL,
    occurred_on      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    author_user_id   BIGINT REFERENCES users(id),
    generated        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX intelligence_urn ON intelligence(urn, occurred_on);
CREATE INDEX intelligence_org ON intelligence(organisation_id, occurred_on);

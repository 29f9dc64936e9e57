-- Categorisation as a read model: every school's placement under the policy,
-- stored per organisation so that pages read one row instead of categorising
-- the estate on every request. Derived data: rebuilt whenever it is stale,
-- never backed up (backup::DERIVED_TABLES).
--
-- placement_inputs: a counter per scope, bumped in the same transaction by
-- every writer of something the placements read (scope_id: an organisation's
-- id for its estate, policies, flag overrides, category decisions and its own
-- intelligence; 0 for the register shared by every organisation: imports and
-- generated records). A missing row is version 0.
CREATE TABLE placement_inputs (
    scope_id  BIGINT PRIMARY KEY,
    version   BIGINT NOT NULL
);

-- One categorisation of an organisation's estate: under which policy
-- (policy_key: a hash of the loaded policy), for which date, and the input
-- versions it was computed from. It is fresh while both versions are current.
CREATE TABLE placement_sets (
    id                INTEGER PRIMARY KEY,
    organisation_id   BIGINT NOT NULL REFERENCES organisations(id),
    policy_key        TEXT NOT NULL,
    computed_for      TEXT NOT NULL,
    org_version       BIGINT NOT NULL,
    register_version  BIGINT NOT NULL,
    schools           BIGINT NOT NULL,
    computed_at       TEXT NOT NULL
);
CREATE INDEX placement_sets_lookup ON placement_sets(organisation_id, policy_key, computed_for);

-- One school's placement (serde JSON of uplift_domain::policy::Placement, flag
-- overrides applied) and the facts it was placed on (SchoolFacts, for the
-- visit entitlements), with the columns pages filter on.
CREATE TABLE placements (
    set_id           BIGINT NOT NULL REFERENCES placement_sets(id),
    urn              BIGINT NOT NULL,
    category         TEXT NOT NULL,
    causing_concern  BOOLEAN NOT NULL,
    proposes         BOOLEAN NOT NULL,
    placement        TEXT NOT NULL,
    facts            TEXT NOT NULL,
    PRIMARY KEY (set_id, urn)
);

-- Indexes for the pages' reads on a national register.
-- The profile's comparators: an authority's rows and the national rows of the
-- performance tables (each was a scan of every measure of every school).
CREATE INDEX performance_measures_level ON performance_measures(level, la_code);
-- The school list: ordered by name (then URN) straight from an index, and the
-- name search scans this index rather than the table; the filters compare
-- case-insensitively, so their indexes are on the lowered value, and an
-- authority's schools are narrowed by phase within the authority.
CREATE INDEX schools_name_urn ON schools(name, urn);
CREATE INDEX schools_la_lower_phase ON schools(la_code, LOWER(phase));
CREATE INDEX schools_lower_phase ON schools(LOWER(phase));
CREATE INDEX schools_lower_type ON schools(LOWER(type_name));
CREATE INDEX schools_lower_status ON schools(LOWER(status));
CREATE INDEX schools_lower_trust ON schools(LOWER(trust));

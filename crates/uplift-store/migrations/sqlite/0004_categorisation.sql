-- Policies and categorisation (issue 4): the policy each organisation has in
-- force (a preset or its own TOML, with history), every school's category
-- history (what the engine proposed, what a lead decided and why, with the
-- placement as evidence), and officers' overrides of derived statutory flags.
-- All rows are appended, never updated: the latest row is the one in force.

-- The policy in force is the organisation's latest row. preset: the shipped
-- preset's name, or NULL for the organisation's own TOML in source_text. A
-- policy that fails to parse is never written, so the previous stays in force.
CREATE TABLE organisation_policies (
    id                  INTEGER PRIMARY KEY,
    organisation_id     BIGINT NOT NULL REFERENCES organisations(id),
    name                TEXT NOT NULL,
    title               TEXT NOT NULL,
    preset              TEXT,
    source_name         TEXT NOT NULL,
    source_text         TEXT,
    adopted_by          TEXT NOT NULL,
    adopted_by_user_id  BIGINT REFERENCES users(id),
    adopted_at          TEXT NOT NULL
);
CREATE INDEX organisation_policies_org ON organisation_policies(organisation_id, id);

-- A school's category history. decision:
--   initial    - the first category, recorded from the engine's placement
--   proposed   - the engine proposes a change; people have not decided yet
--   confirmed  - a lead agreed the proposed category, with a rationale
--   overridden - a lead chose another category, with a reason
-- category: the decided category (NULL for a proposal). placement_json: the
-- engine's placement (rules fired with their evidence, near misses, flags).
CREATE TABLE category_decisions (
    id                  INTEGER PRIMARY KEY,
    organisation_id     BIGINT NOT NULL REFERENCES organisations(id),
    urn                 BIGINT NOT NULL,
    academic_year       TEXT NOT NULL,
    policy              TEXT NOT NULL,
    proposed_category   TEXT NOT NULL,
    decision            TEXT NOT NULL,
    category            TEXT,
    rationale           TEXT,
    override_reason     TEXT,
    placement_json      TEXT NOT NULL,
    decided_by          TEXT NOT NULL,
    decided_by_user_id  BIGINT REFERENCES users(id),
    decided_at          TEXT NOT NULL
);
CREATE INDEX category_decisions_school ON category_decisions(organisation_id, urn, id);

-- Officers' overrides of derived flags (special_measures, coasting, stuck, ...).
-- value NULL: the override was withdrawn and the derived value applies again.
CREATE TABLE flag_overrides (
    id                  INTEGER PRIMARY KEY,
    organisation_id     BIGINT NOT NULL REFERENCES organisations(id),
    urn                 BIGINT NOT NULL,
    flag                TEXT NOT NULL,
    value               BOOLEAN,
    reason              TEXT NOT NULL,
    decided_by          TEXT NOT NULL,
    decided_by_user_id  BIGINT REFERENCES users(id),
    decided_at          TEXT NOT NULL
);
CREATE INDEX flag_overrides_school ON flag_overrides(organisation_id, urn, flag, id);

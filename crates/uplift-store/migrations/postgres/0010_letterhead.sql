-- An organisation's letterhead (issues 5 and 6): the heading of its notes of
-- visit, letters and meeting papers. No row: the organisation's name alone.
-- address_lines: one line of the address or contact details per line of
-- text. The logo (PNG or JPEG, checked when uploaded) is kept with the row;
-- logo_mime is image/png or image/jpeg, set exactly when logo is.
CREATE TABLE organisation_letterheads (
    organisation_id      BIGINT PRIMARY KEY REFERENCES organisations(id),
    service_name         TEXT NOT NULL,
    address_lines        TEXT NOT NULL,
    telephone            TEXT NOT NULL,
    email                TEXT NOT NULL,
    website              TEXT NOT NULL,
    footer               TEXT NOT NULL,
    logo                 BYTEA,
    logo_mime            TEXT,
    logo_width_px        BIGINT,
    logo_height_px       BIGINT,
    updated_at           TEXT NOT NULL,
    updated_by           TEXT NOT NULL
);

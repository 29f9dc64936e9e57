-- Settings of the whole deployment that operators refresh, such as the
-- England-and-Wales bank holidays (GOV.UK bank-holidays.json).
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

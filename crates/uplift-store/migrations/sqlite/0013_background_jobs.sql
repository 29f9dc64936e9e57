-- Background work shared by several instances (and by `uplift mail
-- send-pending` beside `uplift serve`) without doing anything twice.

-- A per-message lease on the outbox: a sender claims one message by setting
-- lease_owner and lease_expires_at, only when the message is unleased or its
-- lease has expired, and clears both once the attempt is recorded (sent, or
-- failed with its backoff). A sender that dies leaves a lease that expires.
ALTER TABLE mail_outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE mail_outbox ADD COLUMN lease_expires_at TEXT;

-- One row per daily job (the notification sweep, the purge) per day, the day
-- being Europe/London's. The row is inserted in the transaction that does the
-- job's work: another instance's insert conflicts and it skips; if the work
-- fails, the row is rolled back with it and the job is tried again.
CREATE TABLE job_runs (
    job          TEXT NOT NULL,
    run_date     TEXT NOT NULL,
    owner        TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    detail       TEXT,
    PRIMARY KEY (job, run_date)
);

-- Joining the network (入网): an enterprise's own application, decided by the bureau
-- of its region. The application is kept as submitted (JSON) and becomes the archive,
-- products, licences and administrator account in one transaction when approved.
CREATE TABLE registrations (
    id              INTEGER PRIMARY KEY,
    uscc            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    region          TEXT    NOT NULL,
    contact_phone   TEXT    NOT NULL,
    email           TEXT,
    admin_username  TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'approved', 'returned')),
    reasons         TEXT,
    decided_by      TEXT,
    decided_at      INTEGER,
    token_hash      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX registrations_region ON registrations (region, status);
-- One application at a time per credit code and per administrator name.
CREATE UNIQUE INDEX registrations_pending_uscc ON registrations (uscc) WHERE status = 'pending';
CREATE UNIQUE INDEX registrations_pending_admin ON registrations (admin_username) WHERE status = 'pending';

-- Messages to people outside the console (e-mail, SMS): every one is kept here with
-- what became of it — sent by the configured hook, or only logged when none is set.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient   TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    outcome     TEXT
);
CREATE INDEX notifications_unsent ON notifications (sent_at, id);

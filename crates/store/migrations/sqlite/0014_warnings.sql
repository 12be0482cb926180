-- Risk early warning (风险预警): a warning raised by detection over the risk signals,
-- with its level, scope, owner bureau and lifecycle (raised → acknowledged → measures →
-- closed). At most one open warning per (kind, category, region): a later detection run
-- adds its evidence to the open one instead of raising another.
CREATE TABLE warnings (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('failure_rate', 'complaint_surge', 'counterfeit_surge', 'cluster')),
    level        TEXT    NOT NULL CHECK (level IN ('red', 'orange', 'yellow', 'blue')),
    category     TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    -- The `as_of` instant of the detection run that raised it, and of the last run that
    -- added evidence or raised its level.
    raised_at    INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'raised' CHECK (status IN ('raised', 'acknowledged', 'measures', 'closed')),
    -- The bureau of the region.
    owner_id     INTEGER REFERENCES organisations (id),
    public       INTEGER NOT NULL DEFAULT 0,
    measures     TEXT,
    closed_at    INTEGER,
    -- The numbers of the latest finding (JSON).
    detail       TEXT    NOT NULL
);
CREATE UNIQUE INDEX warnings_open ON warnings (kind, category, region) WHERE status <> 'closed';
CREATE INDEX warnings_region ON warnings (region, id);
CREATE INDEX warnings_public ON warnings (public, id);

CREATE TABLE warning_evidence (
    warning_id  INTEGER NOT NULL REFERENCES warnings (id),
    signal_id   INTEGER NOT NULL REFERENCES risk_signals (id),
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (warning_id, signal_id)
);

CREATE TABLE warning_steps (
    id          INTEGER PRIMARY KEY,
    warning_id  INTEGER NOT NULL REFERENCES warnings (id),
    status      TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX warning_steps_warning ON warning_steps (warning_id, id);

-- Warnings go to their owner bureau's webhook through the notify hook: a third channel.
-- SQLite cannot change a CHECK in place, so the outbox is rebuilt.
CREATE TABLE notifications_new (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
    recipient   TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    outcome     TEXT
);
INSERT INTO notifications_new SELECT id, channel, recipient, subject, body, created_at, sent_at, outcome FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_unsent ON notifications (sent_at, id);

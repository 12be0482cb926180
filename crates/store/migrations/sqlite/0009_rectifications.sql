-- Rectification after a final sampling failure: the order, the enterprise's report,
-- the follow-up check, and every step up the escalation ladder (with the licence it
-- suspended or revoked).
CREATE TABLE rectifications (
    sample_id       INTEGER PRIMARY KEY REFERENCES samples (id),
    requirements    TEXT    NOT NULL,
    deadline        TEXT    NOT NULL,
    step            TEXT    NOT NULL,
    ordered_by      TEXT    NOT NULL,
    ordered_at      INTEGER NOT NULL,
    measures        TEXT,
    reported_by     TEXT,
    reported_at     INTEGER,
    follow_up       TEXT    CHECK (follow_up IN ('pass', 'fail')),
    follow_up_note  TEXT,
    follow_up_by    TEXT,
    follow_up_at    INTEGER
);

CREATE TABLE rectification_steps (
    id          INTEGER PRIMARY KEY,
    sample_id   INTEGER NOT NULL REFERENCES rectifications (sample_id),
    step        TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    licence_id  INTEGER REFERENCES licences (id),
    taken_by    TEXT    NOT NULL,
    taken_at    INTEGER NOT NULL
);
CREATE INDEX rectification_steps_sample ON rectification_steps (sample_id, id);

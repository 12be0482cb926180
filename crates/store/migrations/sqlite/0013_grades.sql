-- Risk signals take every kind of evidence now: imported complaints, injuries and
-- external alerts name no source record and may name no enterprise; each carries a
-- severity from 1 (minor) to 4 (grave). SQLite cannot relax NOT NULL in place, so the
-- table is rebuilt.
CREATE TABLE risk_signals_new (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL,
    source_id      INTEGER,
    enterprise_id  INTEGER REFERENCES organisations (id),
    category       TEXT,
    region         TEXT    NOT NULL,
    at             INTEGER NOT NULL,
    severity       INTEGER NOT NULL DEFAULT 2 CHECK (severity BETWEEN 1 AND 4),
    detail         TEXT    NOT NULL,
    UNIQUE (kind, source_id)
);
INSERT INTO risk_signals_new (id, kind, source_id, enterprise_id, category, region, at, detail)
    SELECT id, kind, source_id, enterprise_id, category, region, at, detail FROM risk_signals;
DROP TABLE risk_signals;
ALTER TABLE risk_signals_new RENAME TO risk_signals;
CREATE INDEX risk_signals_region ON risk_signals (region, at);
CREATE INDEX risk_signals_enterprise ON risk_signals (enterprise_id, at);
CREATE INDEX risk_signals_at ON risk_signals (at);

-- Credit grades (质量诚信等级): the current grade of each enterprise with its
-- explanation (JSON factors), and every change of grade or score since.
CREATE TABLE grades (
    enterprise_id  INTEGER PRIMARY KEY REFERENCES organisations (id),
    grade          TEXT    NOT NULL CHECK (grade IN ('AA', 'A', 'B', 'C', 'D')),
    score          INTEGER NOT NULL,
    factors        TEXT    NOT NULL,
    rules_version  INTEGER NOT NULL,
    computed_at    INTEGER NOT NULL
);
CREATE INDEX grades_grade ON grades (grade);
CREATE TABLE grade_history (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES organisations (id),
    at             INTEGER NOT NULL,
    grade          TEXT    NOT NULL,
    score          INTEGER NOT NULL,
    rules_version  INTEGER NOT NULL,
    cause          TEXT    NOT NULL
);
CREATE INDEX grade_history_enterprise ON grade_history (enterprise_id, at);

-- The grading rule set in force is the highest version; older ones are kept.
CREATE TABLE grading_rules (
    version  INTEGER PRIMARY KEY,
    body     TEXT    NOT NULL,
    set_by   TEXT    NOT NULL,
    set_at   INTEGER NOT NULL
);

-- Published quality commitments (质量承诺) and certifications, inputs to grading.
CREATE TABLE commitments (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES organisations (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('commitment', 'certification')),
    title          TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    valid_until    TEXT,
    published_at   INTEGER NOT NULL,
    withdrawn_at   INTEGER,
    created_by     TEXT    NOT NULL
);
CREATE INDEX commitments_enterprise ON commitments (enterprise_id, published_at);

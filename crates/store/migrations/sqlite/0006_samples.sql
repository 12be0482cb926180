-- Samples (抽样): one per sampling task, taken by its inspectors and confirmed by the
-- enterprise; the supervision codes of the sampled units are verified on the spot and
-- their verdicts kept with the sample.
CREATE TABLE samples (
    id               INTEGER PRIMARY KEY,
    task_id          INTEGER NOT NULL UNIQUE REFERENCES sampling_tasks (id),
    stage            TEXT    NOT NULL CHECK (stage IN ('production', 'distribution', 'online')),
    product_id       INTEGER REFERENCES products (id),
    product_name     TEXT    NOT NULL,
    lot              TEXT    NOT NULL,
    production_date  TEXT,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    retained         INTEGER NOT NULL CHECK (retained >= 0),
    place            TEXT    NOT NULL,
    taken_at         INTEGER NOT NULL,
    codes            TEXT    NOT NULL,
    confirmed_by     TEXT,
    confirmed_at     INTEGER,
    created_by       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);

-- Test reports: one per sample, filed by the lab of its quota; the items as JSON, the
-- signature (SHA-256 of the canonical text, see zhijian_core::test_report) fixes them.
CREATE TABLE test_reports (
    id           INTEGER PRIMARY KEY,
    sample_id    INTEGER NOT NULL REFERENCES samples (id),
    retest       INTEGER NOT NULL DEFAULT 0,
    lab_id       INTEGER NOT NULL REFERENCES organisations (id),
    number       TEXT    NOT NULL,
    issued_on    TEXT    NOT NULL,
    conclusion   TEXT    NOT NULL CHECK (conclusion IN ('pass', 'fail')),
    items        TEXT    NOT NULL,
    signature    TEXT    NOT NULL,
    filed_by     TEXT    NOT NULL,
    filed_at     INTEGER NOT NULL,
    UNIQUE (sample_id, retest),
    UNIQUE (lab_id, number)
);

-- Objections to failed results (异议): one per sample, decided by an officer; an
-- accepted one names the lab that re-tests the retained sample (复检).
CREATE TABLE objections (
    sample_id        INTEGER PRIMARY KEY REFERENCES samples (id),
    reason           TEXT    NOT NULL,
    filed_by         TEXT    NOT NULL,
    filed_at         INTEGER NOT NULL,
    decision         TEXT    CHECK (decision IN ('accepted', 'rejected')),
    decision_reason  TEXT,
    retest_lab_id    INTEGER REFERENCES organisations (id),
    decided_by       TEXT,
    decided_at       INTEGER
);

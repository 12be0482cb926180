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
    sample_id    INTEGER NOT NULL UNIQUE REFERENCES samples (id),
    lab_id       INTEGER NOT NULL REFERENCES organisations (id),
    number       TEXT    NOT NULL,
    issued_on    TEXT    NOT NULL,
    conclusion   TEXT    NOT NULL CHECK (conclusion IN ('pass', 'fail')),
    items        TEXT    NOT NULL,
    signature    TEXT    NOT NULL,
    filed_by     TEXT    NOT NULL,
    filed_at     INTEGER NOT NULL,
    UNIQUE (lab_id, number)
);

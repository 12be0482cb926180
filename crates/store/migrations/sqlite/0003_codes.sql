-- Supervision codes. Codes are never stored one row each: a segment is a range of code
-- indices, an activation a range bound to a batch. Rows per code exist only for codes
-- somebody verified (code_states) and for each verification.

CREATE TABLE node_settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE code_applications (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES organisations (id),
    product_id     INTEGER NOT NULL REFERENCES products (id),
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    status         TEXT   NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    note           TEXT,
    reason         TEXT,
    applied_by     TEXT   NOT NULL,
    applied_at     INTEGER NOT NULL,
    decided_by     TEXT,
    decided_at     INTEGER
);
CREATE INDEX code_applications_enterprise ON code_applications (enterprise_id, id);
CREATE INDEX code_applications_status ON code_applications (status, id);

CREATE TABLE code_segments (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL UNIQUE REFERENCES code_applications (id),
    enterprise_id   INTEGER NOT NULL REFERENCES organisations (id),
    product_id      INTEGER NOT NULL REFERENCES products (id),
    first_index     INTEGER NOT NULL UNIQUE,
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    created_at      INTEGER NOT NULL
);
CREATE INDEX code_segments_enterprise ON code_segments (enterprise_id, id);

CREATE TABLE print_jobs (
    id            INTEGER PRIMARY KEY,
    segment_id    INTEGER NOT NULL REFERENCES code_segments (id),
    printer_id    INTEGER NOT NULL REFERENCES organisations (id),
    first_index   INTEGER NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    status        TEXT   NOT NULL CHECK (status IN ('assigned', 'confirmed')),
    printed       INTEGER,
    spoiled       INTEGER,
    downloads     INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT   NOT NULL,
    created_at    INTEGER NOT NULL,
    confirmed_at  INTEGER
);
CREATE INDEX print_jobs_segment ON print_jobs (segment_id, first_index);
CREATE INDEX print_jobs_printer ON print_jobs (printer_id, id);

CREATE TABLE batches (
    id                 INTEGER PRIMARY KEY,
    enterprise_id      INTEGER NOT NULL REFERENCES organisations (id),
    product_id         INTEGER NOT NULL REFERENCES products (id),
    lot                TEXT   NOT NULL,
    production_date    TEXT   NOT NULL,
    expiry_date        TEXT,
    inspection_report  TEXT,
    status             TEXT   NOT NULL CHECK (status IN ('active', 'recalled', 'decommissioned')),
    status_reason      TEXT,
    created_by         TEXT   NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (product_id, lot)
);
CREATE INDEX batches_enterprise ON batches (enterprise_id, id);

CREATE TABLE activations (
    id           INTEGER PRIMARY KEY,
    batch_id     INTEGER NOT NULL REFERENCES batches (id),
    segment_id   INTEGER NOT NULL REFERENCES code_segments (id),
    first_index  INTEGER NOT NULL UNIQUE,
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    created_at   INTEGER NOT NULL
);
CREATE INDEX activations_batch ON activations (batch_id);
CREATE INDEX activations_segment ON activations (segment_id, first_index);

CREATE TABLE terminals (
    id          INTEGER PRIMARY KEY,
    name        TEXT   NOT NULL,
    shop        TEXT   NOT NULL,
    region      TEXT   NOT NULL,
    token_hash  TEXT   NOT NULL UNIQUE,
    created_by  TEXT   NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX terminals_region ON terminals (region);

CREATE TABLE code_states (
    code_index     INTEGER PRIMARY KEY,
    queries        INTEGER NOT NULL,
    first_at       INTEGER NOT NULL,
    first_channel  TEXT   NOT NULL,
    first_region   TEXT,
    last_at        INTEGER NOT NULL,
    regions        TEXT   NOT NULL DEFAULT ''
);

CREATE TABLE verifications (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    code_index   INTEGER,
    typed        TEXT,
    channel      TEXT   NOT NULL,
    region       TEXT,
    terminal_id  INTEGER,
    verdict      TEXT   NOT NULL
);
CREATE INDEX verifications_code ON verifications (code_index, id);

CREATE TABLE counterfeit_signals (
    id             INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    kind           TEXT   NOT NULL CHECK (kind IN ('unknown_code', 'repeat_threshold', 'multi_region', 'not_activated')),
    code_index     INTEGER,
    region         TEXT,
    enterprise_id  INTEGER REFERENCES organisations (id),
    detail         TEXT   NOT NULL
);
CREATE INDEX counterfeit_signals_enterprise ON counterfeit_signals (enterprise_id, id);
CREATE INDEX counterfeit_signals_region ON counterfeit_signals (region, id);

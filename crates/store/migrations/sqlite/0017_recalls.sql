-- Defective-product recalls (缺陷产品召回). A recall names a product and a scope (lots,
-- code ranges, production dates) that resolves to batches when it is made; while it is
-- active those batches are flagged recalled. Its parties are the places its reach found
-- holding units when it came into force: each is told and acknowledges.
CREATE TABLE recalls (
    id              INTEGER PRIMARY KEY,
    enterprise_id   INTEGER NOT NULL REFERENCES organisations (id),
    product_id      INTEGER NOT NULL REFERENCES products (id),
    scope           TEXT    NOT NULL,
    risk_class      TEXT    NOT NULL CHECK (risk_class IN ('I', 'II', 'III')),
    reason          TEXT    NOT NULL,
    remedy          TEXT,
    kind            TEXT    NOT NULL CHECK (kind IN ('voluntary', 'ordered')),
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'active', 'closed')),
    region          TEXT    NOT NULL,
    created_by      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    confirmed_by    TEXT,
    active_since    INTEGER,
    closed_by       TEXT,
    closed_at       INTEGER,
    closing_report  TEXT
);
CREATE INDEX recalls_enterprise ON recalls (enterprise_id, id);
CREATE INDEX recalls_region ON recalls (region, id);

CREATE TABLE recall_batches (
    recall_id  INTEGER NOT NULL REFERENCES recalls (id),
    batch_id   INTEGER NOT NULL REFERENCES batches (id),
    PRIMARY KEY (recall_id, batch_id)
);
CREATE INDEX recall_batches_batch ON recall_batches (batch_id);

CREATE TABLE recall_parties (
    recall_id        INTEGER NOT NULL REFERENCES recalls (id),
    location         TEXT    NOT NULL,
    name             TEXT,
    kind             TEXT,
    region           TEXT,
    organisation_id  INTEGER REFERENCES organisations (id),
    holding          REAL    NOT NULL,
    notified_at      INTEGER NOT NULL,
    acknowledged_by  TEXT,
    acknowledged_at  INTEGER,
    PRIMARY KEY (recall_id, location)
);
CREATE INDEX recall_parties_organisation ON recall_parties (organisation_id);

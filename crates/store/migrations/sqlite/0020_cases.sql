-- Law-enforcement cases (行政执法案件). A case comes from a complaint, a failed sample, a
-- counterfeit signal, a warning, or an officer's hand; it is owned by a bureau, may be
-- investigated jointly with others, is decided (a fine, or none) and closed. A transfer
-- to a region this node has no bureau for (another province's node) is recorded in
-- `external_region` for the exchange between nodes; the case stays with its owner.
CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    title            TEXT    NOT NULL,
    origin           TEXT    NOT NULL CHECK (origin IN ('complaint', 'sample', 'counterfeit', 'warning', 'manual')),
    origin_id        INTEGER,
    enterprise_id    INTEGER REFERENCES organisations (id),
    region           TEXT    NOT NULL,
    owner_id         INTEGER NOT NULL REFERENCES organisations (id),
    status           TEXT    NOT NULL CHECK (status IN ('open', 'decided', 'closed')),
    summary          TEXT    NOT NULL,
    decision         TEXT,
    fine_yuan        INTEGER,
    external_region  TEXT,
    closing_report   TEXT,
    opened_by        TEXT    NOT NULL,
    opened_at        INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX cases_region ON cases (region, id);
CREATE INDEX cases_enterprise ON cases (enterprise_id);
CREATE INDEX cases_origin ON cases (origin, origin_id);

CREATE TABLE case_steps (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    kind     TEXT    NOT NULL,
    text     TEXT    NOT NULL,
    actor    TEXT    NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX case_steps_case ON case_steps (case_id, id);

-- Evidence: records linked by kind and key (each checked to exist when linked).
CREATE TABLE case_evidence (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    kind      TEXT    NOT NULL CHECK (kind IN ('complaint', 'sample', 'counterfeit', 'warning', 'batch', 'code', 'document')),
    target    TEXT    NOT NULL,
    note      TEXT,
    added_by  TEXT    NOT NULL,
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (case_id, kind, target)
);

-- Bureaus investigating jointly with the owner.
CREATE TABLE case_bureaus (
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    bureau_id  INTEGER NOT NULL REFERENCES organisations (id),
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (case_id, bureau_id)
);
CREATE INDEX case_bureaus_bureau ON case_bureaus (bureau_id);

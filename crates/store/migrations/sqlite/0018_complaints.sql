-- Consumer complaints (12365 投诉). Anyone may file one, without an account; the
-- tracking number is the complainant's only key to it. A code, when given, names the
-- product, batch and enterprise; the complaint goes to the bureau of the enterprise's
-- region, or of the complainant's, or to the node's top bureau. Deadlines are dates
-- (`YYYY-MM-DD`, China time) counted in working days.
CREATE TABLE complaints (
    id               INTEGER PRIMARY KEY,
    tracking_number  TEXT    NOT NULL UNIQUE,
    text             TEXT    NOT NULL,
    contact          TEXT,
    code             TEXT,
    product_text     TEXT,
    enterprise_id    INTEGER REFERENCES organisations (id),
    product_id       INTEGER REFERENCES products (id),
    batch_id         INTEGER REFERENCES batches (id),
    region           TEXT    NOT NULL,
    owner_id         INTEGER NOT NULL REFERENCES organisations (id),
    status           TEXT    NOT NULL CHECK (status IN ('received', 'accepted', 'rejected', 'closed')),
    received_at      INTEGER NOT NULL,
    accept_by        TEXT    NOT NULL,
    handle_by        TEXT,
    outcome          TEXT CHECK (outcome IN ('substantiated', 'unsubstantiated')),
    reply            TEXT,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX complaints_region ON complaints (region, id);
CREATE INDEX complaints_owner ON complaints (owner_id, status);
CREATE INDEX complaints_enterprise ON complaints (enterprise_id);

-- What happened to a complaint, oldest first: received, accepted, rejected,
-- transferred, closed; the note is what the complainant is told.
CREATE TABLE complaint_steps (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints (id),
    kind          TEXT    NOT NULL,
    note          TEXT,
    actor         TEXT    NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX complaint_steps_complaint ON complaint_steps (complaint_id, id);

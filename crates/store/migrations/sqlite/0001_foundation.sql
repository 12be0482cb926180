-- Foundation: organisations, enterprise archives, products, licences, records,
-- identity, and the audit chain. Instants are milliseconds since the Unix epoch (UTC);
-- calendar dates are TEXT 'YYYY-MM-DD'.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('bureau', 'enterprise', 'printer', 'lab')),
    uscc        TEXT    UNIQUE,
    name        TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX organisations_one_bureau_per_region ON organisations (region) WHERE kind = 'bureau';
CREATE INDEX organisations_kind_region ON organisations (kind, region);

CREATE TABLE enterprises (
    id                    INTEGER PRIMARY KEY REFERENCES organisations (id),
    address               TEXT,
    legal_representative  TEXT,
    contact_name          TEXT,
    contact_phone         TEXT,
    industry              TEXT,
    scale                 TEXT,
    status                TEXT    NOT NULL DEFAULT 'active',
    uscc_legacy           INTEGER NOT NULL DEFAULT 0,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX enterprises_status ON enterprises (status);

CREATE TABLE products (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES organisations (id),
    name           TEXT    NOT NULL,
    specification  TEXT,
    standard       TEXT,
    category       TEXT    NOT NULL,
    gtin           TEXT,
    created_at     INTEGER NOT NULL
);
CREATE INDEX products_enterprise ON products (enterprise_id);
CREATE INDEX products_category ON products (category, enterprise_id);
CREATE UNIQUE INDEX products_gtin ON products (gtin) WHERE gtin IS NOT NULL;

CREATE TABLE licences (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES organisations (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('industrial', 'food')),
    number         TEXT    UNIQUE,
    state          TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    valid_from     TEXT,
    valid_until    TEXT,
    applied_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX licences_enterprise ON licences (enterprise_id);
CREATE INDEX licences_state_until ON licences (state, valid_until);

CREATE TABLE licence_events (
    id          INTEGER PRIMARY KEY,
    licence_id  INTEGER NOT NULL REFERENCES licences (id),
    action      TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    reason      TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX licence_events_licence ON licence_events (licence_id, id);

CREATE TABLE supervision_records (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES organisations (id),
    kind           TEXT    NOT NULL,
    occurred_on    TEXT    NOT NULL,
    summary        TEXT    NOT NULL,
    findings       TEXT,
    author         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX supervision_records_enterprise ON supervision_records (enterprise_id, occurred_on);

CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL REFERENCES supervision_records (id),
    sha256      TEXT    NOT NULL,
    file_name   TEXT    NOT NULL,
    media_type  TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX attachments_record ON attachments (record_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    org_id         INTEGER REFERENCES organisations (id),
    display_name   TEXT,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    token_hash  TEXT    NOT NULL UNIQUE,
    label       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER
);

CREATE TABLE sessions (
    id_hash     TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE audit_entries (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    entity     TEXT    NOT NULL,
    entity_id  TEXT    NOT NULL,
    enterprise TEXT,
    before     TEXT,
    after      TEXT,
    prev_hash  TEXT    NOT NULL,
    hash       TEXT    NOT NULL
);
CREATE INDEX audit_entries_entity ON audit_entries (entity, entity_id, seq);
CREATE INDEX audit_entries_enterprise ON audit_entries (enterprise, seq);

-- EPCIS 2.0 events. An event is stored once, as the JSON it was captured with, plus
-- the columns and identifier rows its queries select by. Every identifier is kept in
-- its canonical form (a GS1 Digital Link URI, or the supervision code's own URN), so a
-- unit captured as an EPC URN is found when asked for by its Digital Link or its code.

-- GS1 company prefixes an organisation holds: the GTINs, GLNs and SSCCs under them are
-- its own, and it may capture events about them.
CREATE TABLE gs1_prefixes (
    prefix           TEXT    PRIMARY KEY CHECK (length(prefix) BETWEEN 6 AND 12),
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    created_by       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX gs1_prefixes_organisation ON gs1_prefixes (organisation_id);

-- The names behind GLNs and PGLNs: a maker's plant, a distributor's warehouse, a shop,
-- or a trading party. Traces show these instead of bare identifiers.
CREATE TABLE gs1_locations (
    identifier       TEXT    PRIMARY KEY,
    name             TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('maker', 'distributor', 'shop', 'warehouse', 'party', 'other')),
    region           TEXT,
    organisation_id  INTEGER REFERENCES organisations (id),
    created_by       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX gs1_locations_organisation ON gs1_locations (organisation_id);
CREATE INDEX gs1_locations_region ON gs1_locations (region);

CREATE TABLE epcis_captures (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER REFERENCES organisations (id),
    created_by       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER NOT NULL,
    success          INTEGER NOT NULL,
    event_count      INTEGER NOT NULL,
    stored           INTEGER NOT NULL,
    errors           TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX epcis_captures_organisation ON epcis_captures (organisation_id, id);

CREATE TABLE epcis_events (
    id               INTEGER PRIMARY KEY,
    event_id         TEXT    NOT NULL UNIQUE,
    event_type       TEXT    NOT NULL,
    event_time       INTEGER NOT NULL,
    record_time      INTEGER NOT NULL,
    action           TEXT,
    biz_step         TEXT,
    disposition      TEXT,
    read_point       TEXT,
    biz_location     TEXT,
    capture_id       INTEGER NOT NULL REFERENCES epcis_captures (id),
    organisation_id  INTEGER REFERENCES organisations (id),
    region           TEXT,
    error_declared   INTEGER NOT NULL DEFAULT 0,
    namespaces       TEXT    NOT NULL DEFAULT '{}',
    body             TEXT    NOT NULL
);
CREATE INDEX epcis_events_time ON epcis_events (event_time);
CREATE INDEX epcis_events_biz_location ON epcis_events (biz_location, event_time);
CREATE INDEX epcis_events_read_point ON epcis_events (read_point, event_time);

-- One row per identifier an event names: role is epc (epcList, childEPCs), parent,
-- input, output or class (a quantity's epcClass).
CREATE TABLE epcis_event_ids (
    identifier  TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    event       INTEGER NOT NULL REFERENCES epcis_events (id),
    PRIMARY KEY (identifier, role, event)
) WITHOUT ROWID;

-- Business transactions, sources and destinations: kind is biz_transaction, source or
-- destination; type the full CBV (or other) URI, empty for an untyped transaction.
CREATE TABLE epcis_event_links (
    value  TEXT    NOT NULL,
    kind   TEXT    NOT NULL,
    type   TEXT    NOT NULL,
    event  INTEGER NOT NULL REFERENCES epcis_events (id),
    PRIMARY KEY (value, kind, type, event)
) WITHOUT ROWID;
CREATE INDEX epcis_event_links_event ON epcis_event_links (event);

-- Derived at capture, for traces and recall reach --------------------------------------

-- What each container (a case's or pallet's SSCC) holds, counted by batch: packing adds,
-- unpacking takes away; nested containers are counted through.
CREATE TABLE epcis_contents (
    parent    TEXT    NOT NULL,
    batch_id  INTEGER NOT NULL REFERENCES batches (id),
    units     INTEGER NOT NULL,
    PRIMARY KEY (parent, batch_id)
) WITHOUT ROWID;

-- Which container a unit (or a container) was in, and when.
CREATE TABLE epcis_containment (
    child     TEXT    NOT NULL,
    parent    TEXT    NOT NULL,
    since     INTEGER NOT NULL,
    until     INTEGER,
    event     INTEGER NOT NULL REFERENCES epcis_events (id),
    PRIMARY KEY (child, parent, since)
) WITHOUT ROWID;
CREATE INDEX epcis_containment_parent ON epcis_containment (parent, since);

-- Where each batch's units went: one row per event and batch, with the units the event
-- moved (directly, inside containers, or as a counted quantity of the lot).
CREATE TABLE batch_moves (
    batch_id     INTEGER NOT NULL REFERENCES batches (id),
    event        INTEGER NOT NULL REFERENCES epcis_events (id),
    event_time   INTEGER NOT NULL,
    event_type   TEXT    NOT NULL,
    biz_step     TEXT,
    disposition  TEXT,
    location     TEXT,
    source       TEXT,
    destination  TEXT,
    units        REAL NOT NULL,
    PRIMARY KEY (batch_id, event)
) WITHOUT ROWID;

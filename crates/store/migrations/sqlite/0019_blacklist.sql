-- The blacklist (严重违法失信名单): an enterprise listed by a bureau's decision on a
-- legal basis, for a period (or until removed). A listed enterprise grades D; current
-- entries are public. Removal keeps the entry, with who removed it and why.
CREATE TABLE blacklist_entries (
    id              INTEGER PRIMARY KEY,
    enterprise_id   INTEGER NOT NULL REFERENCES organisations (id),
    legal_basis     TEXT    NOT NULL,
    decision        TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    listed_on       TEXT    NOT NULL,
    until           TEXT,
    listed_by       TEXT    NOT NULL,
    listed_at       INTEGER NOT NULL,
    removed_by      TEXT,
    removed_at      INTEGER,
    removal_reason  TEXT
);
CREATE INDEX blacklist_entries_enterprise ON blacklist_entries (enterprise_id);

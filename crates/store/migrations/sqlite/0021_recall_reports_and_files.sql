-- A recall's plan and its progress reports: the recalling enterprise (or a bureau)
-- reports every `report_every_days` days while it is in force; each report keeps the
-- effectiveness figures of the moment it was filed.
ALTER TABLE recalls ADD COLUMN plan TEXT;
ALTER TABLE recalls ADD COLUMN report_every_days INTEGER NOT NULL DEFAULT 30;

CREATE TABLE recall_reports (
    id           INTEGER PRIMARY KEY,
    recall_id    INTEGER NOT NULL REFERENCES recalls (id),
    text         TEXT    NOT NULL,
    distributed  REAL    NOT NULL,
    recovered    REAL    NOT NULL,
    rate         REAL    NOT NULL,
    reported_by  TEXT    NOT NULL,
    reported_at  INTEGER NOT NULL
);
CREATE INDEX recall_reports_recall ON recall_reports (recall_id, id);

-- Files that belong to a complaint (the complainant's photos) or a case (evidence
-- documents). Contents live in the content-addressed file store.
CREATE TABLE linked_files (
    id          INTEGER PRIMARY KEY,
    owner_kind  TEXT    NOT NULL CHECK (owner_kind IN ('complaint', 'case')),
    owner_id    INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    file_name   TEXT    NOT NULL,
    media_type  TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    added_by    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX linked_files_owner ON linked_files (owner_kind, owner_id, id);

-- A blacklist entry made on a case's decision names the case.
ALTER TABLE blacklist_entries ADD COLUMN case_id INTEGER REFERENCES cases (id);

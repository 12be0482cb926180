-- Emergency product-safety incidents (突发事件): a level I (gravest) to IV, an owner
-- bureau, a timeline of what was learnt and done, links to the warnings, samples,
-- batches and enterprises involved, and a closing report. Links name their target by
-- kind and key rather than by foreign key: a link may point at a warning, a sample or a
-- batch alike, and each was checked visible to its author when made.
CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    title          TEXT    NOT NULL,
    level          TEXT    NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV')),
    category       TEXT,
    region         TEXT    NOT NULL,
    summary        TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    owner_id       INTEGER NOT NULL REFERENCES organisations (id),
    opened_by      TEXT    NOT NULL,
    opened_at      INTEGER NOT NULL,
    closed_at      INTEGER,
    closing_report TEXT
);
CREATE INDEX incidents_region ON incidents (region, opened_at);
CREATE TABLE incident_steps (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL REFERENCES incidents (id),
    kind         TEXT    NOT NULL,
    text         TEXT    NOT NULL,
    taken_by     TEXT    NOT NULL,
    taken_at     INTEGER NOT NULL
);
CREATE INDEX incident_steps_incident ON incident_steps (incident_id, id);
CREATE TABLE incident_links (
    incident_id  INTEGER NOT NULL REFERENCES incidents (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('warning', 'sample', 'batch', 'enterprise')),
    target       TEXT    NOT NULL,
    added_by     TEXT    NOT NULL,
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (incident_id, kind, target)
);

-- Announcements (公告) of sampling results: what a plan's final results were when the
-- bureau published them, kept as published (later changes do not alter an announcement).
CREATE TABLE announcements (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL UNIQUE REFERENCES sampling_plans (id),
    title         TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    published_by  TEXT    NOT NULL,
    published_at  INTEGER NOT NULL,
    passed        INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    pending       INTEGER NOT NULL,
    rows          TEXT    NOT NULL
);
CREATE INDEX announcements_published ON announcements (published_at);

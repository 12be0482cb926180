-- Supervision sampling: plans with their quotas, and the tasks a double-random draw
-- makes (which enterprise, which inspectors). The seed is kept with the plan so that
-- anyone can re-run the draw.
CREATE TABLE sampling_plans (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    level       TEXT    NOT NULL CHECK (level IN ('national', 'province', 'city', 'county')),
    region      TEXT    NOT NULL,
    seed        TEXT,
    drawn_by    TEXT,
    drawn_at    INTEGER,
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX sampling_plans_region ON sampling_plans (region, year);

CREATE TABLE sampling_quotas (
    plan_id   INTEGER NOT NULL REFERENCES sampling_plans (id),
    position  INTEGER NOT NULL,
    category  TEXT    NOT NULL,
    region    TEXT    NOT NULL,
    batches   INTEGER NOT NULL CHECK (batches > 0),
    lab_id    INTEGER REFERENCES organisations (id),
    PRIMARY KEY (plan_id, position)
);

CREATE TABLE sampling_tasks (
    id             INTEGER PRIMARY KEY,
    plan_id        INTEGER NOT NULL REFERENCES sampling_plans (id),
    position       INTEGER NOT NULL,
    enterprise_id  INTEGER NOT NULL REFERENCES organisations (id),
    inspectors     TEXT    NOT NULL
);
CREATE INDEX sampling_tasks_plan ON sampling_tasks (plan_id, position, id);
CREATE INDEX sampling_tasks_enterprise ON sampling_tasks (enterprise_id);

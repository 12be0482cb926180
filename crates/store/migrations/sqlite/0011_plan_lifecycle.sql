-- A plan's terms (declared total, budget, schedule) and its life: drafted, approved
-- by another officer, published. Plans drawn before this migration had already gone
-- into the field, so they count as published.
ALTER TABLE sampling_plans ADD COLUMN status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'approved', 'published'));
ALTER TABLE sampling_plans ADD COLUMN batches INTEGER;
ALTER TABLE sampling_plans ADD COLUMN budget INTEGER;
ALTER TABLE sampling_plans ADD COLUMN starts_on TEXT;
ALTER TABLE sampling_plans ADD COLUMN ends_on TEXT;
ALTER TABLE sampling_plans ADD COLUMN approved_by TEXT;
ALTER TABLE sampling_plans ADD COLUMN approved_at INTEGER;
ALTER TABLE sampling_plans ADD COLUMN published_by TEXT;
ALTER TABLE sampling_plans ADD COLUMN published_at INTEGER;
UPDATE sampling_plans SET status = 'published' WHERE seed IS NOT NULL;

-- Photos taken with a sample (the scene, the sealed sample, the label): content in
-- the content-addressed file store, like record attachments.
CREATE TABLE sample_photos (
    id          INTEGER PRIMARY KEY,
    sample_id   INTEGER NOT NULL REFERENCES samples (id),
    sha256      TEXT    NOT NULL,
    file_name   TEXT    NOT NULL,
    media_type  TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    taken_by    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX sample_photos_sample ON sample_photos (sample_id, id);

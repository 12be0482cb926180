-- Sampling statistics read one row per sample instead of joining five tables and
-- working each result out in Rust. The row holds the keys the statistics filter and
-- group by (copied once: a sample's plan, category, month and enterprise region do not
-- change) and the part of its result that only a write can change, kept current in the
-- transaction of every write that changes it (sample, report, objection, decision,
-- re-test). What today's date changes is left to the reader: a failure nobody objected
-- to becomes final once its window has closed, and the window is counted on the node's
-- working-day calendar, which the configuration may change; so the row keeps the day
-- the enterprise was notified, and the reader compares it with the last day whose window
-- has closed (zhijian_core::sample_result::closed_through). Rows for samples taken
-- before this migration are filled when the store migrates. Derived data with no
-- foreign key: the backfill rebuilds it, and benchmarks load it in bulk alone.
CREATE TABLE sample_results (
    sample_id      INTEGER PRIMARY KEY,
    plan_id        INTEGER NOT NULL,
    level          TEXT    NOT NULL,
    -- The plan's year.
    year           INTEGER NOT NULL,
    -- The month the sample was taken (China time), as YYYYMM.
    month          INTEGER NOT NULL,
    category       TEXT    NOT NULL,
    -- The sampled enterprise's region.
    region         TEXT    NOT NULL,
    -- 0 not final (awaiting a report, a decision or a re-test), 1 passed, 2 failed,
    -- 3 failed and open to objection (calendar days), 4 the same for food (working days).
    settled        INTEGER NOT NULL CHECK (settled BETWEEN 0 AND 4),
    -- For 3 and 4: the day the enterprise was notified, as YYYYMMDD.
    notified_on    INTEGER,
    -- For failures (2, 3, 4): the failed items' names of the report that decides, as a
    -- JSON array.
    failing_items  TEXT,
    -- The audit position of the write that last changed the row: readers that keep the
    -- rows in memory catch up by reading the rows past the last position they saw (audit
    -- positions are given out under a lock held until commit, so committed positions
    -- have no gaps). 0 for rows filled from older data.
    seq            INTEGER NOT NULL
);
CREATE INDEX sample_results_seq ON sample_results (seq, sample_id);

-- Risk signals (风险信号): one piece of evidence of risk each — a final sampling
-- failure now; complaints, recalls and injuries later — for grading and early warning.
-- (kind, source_id) names the record a signal comes from, so a sweep records it once.
CREATE TABLE risk_signals (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL,
    source_id      INTEGER NOT NULL,
    enterprise_id  INTEGER NOT NULL REFERENCES organisations (id),
    category       TEXT,
    region         TEXT    NOT NULL,
    at             INTEGER NOT NULL,
    detail         TEXT    NOT NULL,
    UNIQUE (kind, source_id)
);
CREATE INDEX risk_signals_region ON risk_signals (region, at);
CREATE INDEX risk_signals_enterprise ON risk_signals (enterprise_id, at);

-- Printer filing records (印刷备案登记): the one filing in force per printer; earlier
-- versions live in the audit log. Printers registered before this migration are filed
-- from today for three years under a generated number.
CREATE TABLE printer_filings (
    printer_id      INTEGER PRIMARY KEY REFERENCES organisations (id),
    number          TEXT    NOT NULL UNIQUE,
    valid_from      TEXT    NOT NULL,
    valid_until     TEXT    NOT NULL,
    pledge_signed   INTEGER NOT NULL DEFAULT 0,
    revoked_reason  TEXT,
    updated_by      TEXT    NOT NULL,
    updated_at      INTEGER NOT NULL
);

INSERT INTO printer_filings (printer_id, number, valid_from, valid_until, updated_by, updated_at)
SELECT id, printf('YB-%05d', id), date('now'), date('now', '+3 years'), 'migration', created_at
FROM organisations WHERE kind = 'printer';

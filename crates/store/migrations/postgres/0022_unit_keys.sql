-- From here on, this node's units are indexed in epcis_event_ids by their issue index
-- (crates/store/src/unit_key.rs). Rows indexed before hold the identifier as written;
-- where such rows may exist, lookups try that form as well (a second probe of the index
-- for every unit, which a database that starts empty never needs).
INSERT INTO node_settings (name, value)
SELECT 'units_indexed_as_written', '1'
WHERE EXISTS (SELECT 1 FROM epcis_event_ids);

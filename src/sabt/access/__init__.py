"""The staff access log: which staff user read which person's record, what, when, from which office and
for what declared purpose; read by the citizen, by auditors, and by the report of unusual access."""

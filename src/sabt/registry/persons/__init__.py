"""Persons: the record, search, history, revisions, and what duplicate detection reads."""

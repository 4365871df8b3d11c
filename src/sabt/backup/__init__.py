"""Backups of the SQLite registry file, taken while it serves, and restores from them."""

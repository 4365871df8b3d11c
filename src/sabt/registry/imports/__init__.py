"""The bulk import of a legacy register."""

"""Corrections of a person's record, and the offices that hold it."""

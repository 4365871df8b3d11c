"""Vital events: declaration, workflow, checks, registration and its effects, counts."""

"""Persons and vital events: declaration, workflow, registration, corrections, national codes, search."""

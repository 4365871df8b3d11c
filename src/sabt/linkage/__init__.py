"""Duplicate and fraud detection: probabilistic record linkage (Splink on DuckDB), rules, and the review queue."""

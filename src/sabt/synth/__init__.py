"""A synthetic nation: a deterministic population with families, events and legacy files with known errors."""

"""Vital statistics from the registry: indicators, open data, disclosure control, the public dashboard."""

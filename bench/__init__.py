"""Benchmarks: each measures its figure and a baseline in the same run and prints the ratio."""

"""Sabt: a Persian-first digital civil registry."""

__version__ = "0.1.0"

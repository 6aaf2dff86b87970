"""Kroniek: a searchable, time-anchored archive of dated Dutch news articles."""

__version__ = "0.1.0"

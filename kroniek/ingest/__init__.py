"""Readers for the input formats, and the structure of an article."""

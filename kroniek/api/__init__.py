"""REST API (FastAPI): a thin edge over the archive."""

"""Server-rendered web UI: a thin edge over the archive."""

"""Archive storage: the interface and the SQLite backend."""

"""Full-text search: the query language and the tantivy index."""

"""Dutch language data: word lists, each with its source."""

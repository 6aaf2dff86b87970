"""Entity resolution across the archive: the names that articles' analyses stored become archive entities.

`resolve` holds the method (a pure function of one group of names and their articles), `update` reads the groups
from the store and writes the result back. See docs/entities.md.
"""

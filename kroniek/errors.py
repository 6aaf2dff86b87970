"""The one exception tree of the Kroniek core.

    KroniekError                  every error the core raises on purpose
    ├── InputError                a record or file that cannot be read (carries file, line, field)
    │   └── DateError             a missing or impossible article date
    ├── ArchiveError              the archive file cannot be opened, migrated or written
    ├── QueryError                a search query that cannot be read (carries the position)
    ├── NotFound                  an article, entity or story that does not exist
    ├── ModelError                the NLP model is missing or cannot be loaded
    └── AnalysisWorkerError       an analysis worker process died before it finished its batch

Edges (CLI, API, web) turn these into a message with the next step, an HTTP status, or an error page.
"""

from __future__ import annotations


class KroniekError(Exception):
    """Base of every error the core raises on purpose."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint


class InputError(KroniekError):
    """A record or a file that cannot be read as an article."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.file, self.line, self.field = file, line, field

    def where(self) -> str:
        parts = [p for p in (self.file, f"line {self.line}" if self.line else None,
                             f"field '{self.field}'" if self.field else None) if p]
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.args[0]}" if where else str(self.args[0])


class DateError(InputError):
    """A missing or impossible article date."""


class ArchiveError(KroniekError):
    """The archive cannot be opened, migrated or written."""


class IndexVersionError(ArchiveError):
    """A search index built by another version of Kroniek (another schema): it must be built again from the store."""


class QueryError(KroniekError):
    """A search query that cannot be read; `position` is the character offset of the problem."""

    def __init__(self, message: str, *, position: int | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.position = position

    def pointer(self, query: str) -> str:
        """The query with a caret under the position of the problem, for terminals (a character that is not text,
        a lone surrogate, is shown as U+FFFD, so the line can be printed and the caret stays under it)."""
        query = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in query)
        if self.position is None:
            return query
        return f"{query}\n{' ' * self.position}^"


class NotFound(KroniekError):
    """An article, entity or story that is not in the archive."""


class ModelError(KroniekError):
    """The NLP model is missing or cannot be loaded."""


class AnalysisWorkerError(KroniekError):
    """An analysis worker process (kroniek.workers) died before it finished its batch."""

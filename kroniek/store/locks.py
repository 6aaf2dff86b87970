"""The archive's writer lock: one process at a time stores articles, analyses and writes the search index.

SQLite serialises single transactions, but an ingest is a run of them, each followed by work on the search index;
two such runs side by side would interleave their changes and fight over the index writer. Holding this lock for a
whole run makes a second writer wait for the first instead (readers never take it).

The lock is `flock` on a small file beside the archive: the kernel drops it when its holder exits, killed or not,
so a crash never leaves the archive locked. Within one process it is re-entrant, and threads take turns.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from kroniek.errors import ArchiveError

# How often a waiting writer tries the lock again.
_POLL_SECONDS = 0.05


class ReentrantWriterLock:
    """What every writer lock shares: re-entrant within a process, threads taking turns; a subclass takes the lock
    between processes (`_take`, which waits until the deadline when asked to) and gives it back (`_release`)."""

    def __init__(self) -> None:
        self._thread_lock = threading.RLock()
        self._depth = 0

    @contextlib.contextmanager
    def hold(self, *, wait: bool = True, timeout: float | None = None) -> Iterator[bool]:
        """Hold the lock inside the block; yields True. With `wait=False` (or once `timeout` seconds have passed)
        it yields False at once when another writer holds it, and the block runs without the lock."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._thread_lock.acquire(blocking=wait, timeout=-1 if timeout is None or not wait else timeout):
            yield False
            return
        try:
            if self._depth == 0 and not self._take(wait, deadline):
                yield False
                return
            self._depth += 1
            try:
                yield True
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()
        finally:
            self._thread_lock.release()

    def _take(self, wait: bool, deadline: float | None) -> bool:
        raise NotImplementedError

    def _release(self) -> None:
        raise NotImplementedError


class FileWriterLock(ReentrantWriterLock):
    """An exclusive, re-entrant lock held through a lock file (None: an in-memory archive, a lock within the
    process only)."""

    def __init__(self, path: Path | None) -> None:
        super().__init__()
        self.path = path
        self._fd: int | None = None

    def _take(self, wait: bool, deadline: float | None) -> bool:
        if self.path is None:
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise ArchiveError(f"cannot open the archive's lock file {self.path}: {e.strerror}",
                               hint="check that the archive's folder is writable") from None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait or (deadline is not None and time.monotonic() >= deadline):
                    os.close(fd)
                    return False
                time.sleep(_POLL_SECONDS)
                continue
            self._fd = fd
            return True

    def _release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def held_elsewhere(self) -> bool:
        """Whether another process holds the lock now (a look, not a promise)."""
        if self.path is None or self._depth:
            return False
        with self.hold(wait=False) as got:
            return not got

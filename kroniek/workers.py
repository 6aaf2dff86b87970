"""Analysis in worker processes: `kroniek analyze`, ingest's analysis and `kroniek reanalyze` on every core.

The Dutch pipeline runs in one Python thread, so one process uses one core. `AnalysisWorkers` starts worker
processes (spawned, not forked: nothing of the parent's threads, locks or open archive comes along), each of which
loads the pipeline once and then analyses the batches it is handed; `AnalysisWorkers.map` hands them out and gives
the results back in the order of the batches, so the output is the one a single process writes. Reading the input
and writing the results stay in the calling process.

A worker ignores Ctrl-C: the interrupt reaches the calling process, which stops the workers and raises it as
usual. A worker that dies (killed, out of memory) ends the run with an `AnalysisWorkerError`; what was written
before it stays written (ingest's analysis picks up the rest on the next run). A worker whose calling process
was killed ends by itself within a second.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from kroniek.errors import AnalysisWorkerError

T = TypeVar("T")
R = TypeVar("R")

# More processes than this gain little on one machine, and each holds its own model and batches (about 0.4 GB).
MAX_AUTO_WORKERS = 8
# Below this many bytes of input, starting a second process and loading the model again costs more than it saves.
AUTO_MIN_BYTES = 1024 * 1024  # about 150,000 words: some 8 CPU seconds of analysis against 3 to load the model


def cpu_count() -> int:
    """The cores this process may run on (the affinity mask where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def choose_workers(requested: int, input_bytes: int | None = None) -> int:
    """How many analysis processes to run: `requested` when it is 1 or more; for 0 (automatic) one per core, at
    most MAX_AUTO_WORKERS, and 1 for an input known to be under AUTO_MIN_BYTES."""
    if requested > 0:
        return requested
    if input_bytes is not None and input_bytes < AUTO_MIN_BYTES:
        return 1
    return min(cpu_count(), MAX_AUTO_WORKERS)


def _start_worker(parent: int) -> None:
    """In each worker, once: leave Ctrl-C to the calling process, end when that process is gone, and load the
    pipeline before the first batch."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(parent,), daemon=True, name="kroniek-parent-watch").start()
    from kroniek.nlp.pipeline import get_nlp

    get_nlp()


def _end_with(parent: int) -> None:
    """End this worker once the process that started it is gone (killed: nobody is left to take its results, and
    it would wait for work forever)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class AnalysisWorkers:
    """A pool of analysis processes, each with the Dutch pipeline loaded; use as a context manager."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("AnalysisWorkers needs at least one worker")
        self.workers = workers
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start_worker, initargs=(os.getpid(),))

    def map(self, fn: Callable[[T], R], batches: Iterable[T], ahead: int | None = None) -> Iterator[R]:
        """fn(batch) for every batch, computed in the workers, yielded in the order of the batches.

        At most `ahead` batches (default: three per worker) are handed out before their results are taken, so a
        long input is read as it is analysed rather than all at once. `fn` must be a module-level function.
        """
        limit = ahead or 3 * self.workers
        pending: deque[Future[R]] = deque()
        try:
            for batch in batches:
                pending.append(self._pool.submit(fn, batch))
                while len(pending) >= limit:
                    yield self._result(pending.popleft())
            while pending:
                yield self._result(pending.popleft())
        except BaseException:
            for f in pending:
                f.cancel()
            self.close(now=True)
            raise

    @staticmethod
    def _result(future: Future[R]) -> R:
        try:
            return future.result()
        except BrokenProcessPool:
            raise AnalysisWorkerError(
                "an analysis worker process stopped before it finished (killed, or out of memory)",
                hint="run the command again (what was analysed is kept), or with --workers 1") from None

    def close(self, *, now: bool = False) -> None:
        """Stop the workers: after their batches, or (now) at once, ending the work they were given."""
        if now:
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for p in processes:
                if p.is_alive():
                    p.terminate()
            for p in processes:
                p.join(timeout=5)
        else:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> AnalysisWorkers:
        return self

    def __exit__(self, exc_type: Any, *exc: object) -> None:
        self.close(now=exc_type is not None)

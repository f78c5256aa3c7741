"""Where replications run: in this process, on a pool of local processes, or on a Dask cluster.

A job is cut into pieces — a block of replications, in a sweep a block of one cell; a piece ends
with its first and end row — and ``job.chunk(*piece)`` computes a piece from its own keyed draws
(DESIGN §6), so a piece's result does not depend on where, when or next to what it ran. Every
backend hands each result over, with its piece's index, as soon as it is in (``completed``: the
caller can work on it while the rest run) or all of them in piece order (``run``), so the numbers
are identical to the bit on every backend and for any worker count.

A worker process that dies costs only the pieces it had not returned: the process pool runs them
again on a fresh pool (up to ``RETRIES`` times) and Dask resubmits them itself (``retries=``).
Ctrl-C stops the workers and cancels what is left before the interrupt goes on, so nothing keeps
running and the caller records nothing.

>>> with make_backend("dask", dask="local") as backend:        # doctest: +SKIP
...     results = backend.run(job, pieces, progress)
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures import process as process_pool
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import accumulate
from typing import Any

Progress = Callable[[int], None]  # called with the number of replications just finished
BACKENDS = ("serial", "processes", "dask")
RETRIES = 3  # times a piece is run again after the worker running it died
CONNECT_TIMEOUT = "20s"  # to reach a Dask scheduler
# A Dask task costs milliseconds of scheduler, client and worker time (pieces take ~50 ms):
# consecutive pieces go in one task, each task about 1/GUIDED of what is left per worker thread
# and at most BATCH pieces (a running task cannot be stopped: a cancelled or lost one costs that).
GUIDED = 2
BATCH = 4
# A local cluster's workers, scheduler and client share the machine's cores with the work: no
# statistical profiler sampling the workers every 10 ms (no dashboard shows it), event-loop
# health checks every second rather than every 20 ms (they only feed warnings we silence), and
# system metrics (CPU, memory, network: a dashboard's) every 5 s rather than every 0.5 s.
LOCAL_CONFIG = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s",
                "distributed.admin.system-monitor.interval": "5s"}


class BackendError(RuntimeError):
    """A backend that cannot run the work (a bad choice, an unreachable cluster, workers that
    keep dying); ``str()`` is one line saying which."""


def default_workers() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Backend:
    """Runs ``job.chunk(*piece)`` for every piece: ``completed`` hands each result over as soon
    as it is ready, ``run`` returns them all in piece order.

    Use as a context manager when the backend holds resources (a Dask cluster).
    """

    name = "serial"

    def completed(self, job: Any, pieces: Sequence[tuple],
                  progress: Progress | None = None) -> Iterator[tuple[int, Any]]:
        """Each piece's index and result as soon as it is ready, in any order, so the caller
        can work on what is in while the rest runs. Read it to the end (or close it): it holds
        the workers and pauses the collector meanwhile."""
        raise NotImplementedError

    def run(self, job: Any, pieces: Sequence[tuple], progress: Progress | None = None) -> list:
        """Every piece's result, in piece order."""
        results: list = [None] * len(pieces)
        for i, result in self.completed(job, pieces, progress):
            results[i] = result
        return results

    def close(self) -> None:
        """Release what the backend holds; the default holds nothing."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} backend>"


class Serial(Backend):
    """Every piece in this process, one after the other."""

    name = "serial"

    def completed(self, job: Any, pieces: Sequence[tuple],
                  progress: Progress | None = None) -> Iterator[tuple[int, Any]]:
        with _collector_paused():
            for i, piece in enumerate(pieces):
                result = job.chunk(*piece)
                _report(progress, piece)
                yield i, result


class Processes(Backend):
    """A pool of worker processes on this machine (forked where the platform can, so strategies
    defined in a notebook work); the job reaches each worker once, at its start."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or default_workers())

    def completed(self, job: Any, pieces: Sequence[tuple],
                  progress: Progress | None = None) -> Iterator[tuple[int, Any]]:
        if min(self.workers, len(pieces)) <= 1:  # one process: no pool to start
            yield from Serial().completed(job, pieces, progress)
            return
        pending = set(range(len(pieces)))
        for _ in range(RETRIES + 1):
            try:
                with _collector_paused():
                    yield from self._completed(job, pieces, pending, progress)
                return
            except BrokenProcessPool:
                continue  # a worker died: run what it had not returned on a fresh pool
        raise BackendError(f"worker processes died {RETRIES + 1} times running the same work; "
                           "is the machine out of memory?")

    def _completed(self, job: Any, pieces: Sequence[tuple], pending: set[int],
                   progress: Progress | None) -> Iterator[tuple[int, Any]]:
        pool = ProcessPoolExecutor(min(self.workers, len(pending)), mp_context=_context(),
                                   initializer=_start_worker, initargs=(job,))
        try:
            futures = {pool.submit(_run_piece, pieces[i]): i for i in sorted(pending)}
            for future in as_completed(futures):
                i = futures[future]
                result = future.result()
                pending.discard(i)
                _report(progress, pieces[i])
                yield i, result
        except BaseException:  # also the caller closing the stream early
            _terminate(pool)
            raise
        pool.shutdown(wait=False)  # every result is in: the workers exit on their own

    def __repr__(self) -> str:
        return f"<Processes backend: {self.workers} workers>"


class Dask(Backend):
    """A dask.distributed cluster: ``"local"`` starts a LocalCluster of ``workers`` processes
    (closed with the backend), an address such as ``tcp://scheduler:8786`` joins a running one,
    and a ``distributed.Client`` is used as it is (and left open).

    Pieces are sent in batches that shrink as the work runs out (``batches``), and each task
    returns its results pickled, one bytes object that Dask neither sizes nor serialises again.
    """

    name = "dask"

    def __init__(self, address: Any = "local", workers: int | None = None) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise BackendError("the dask backend needs dask.distributed: "
                               "pip install 'drillsim[dask]'") from None
        self.cluster = None
        self._owned = not isinstance(address, Client)
        if not self._owned:
            self.client = address
        elif address == "local":
            with dask.config.set(LOCAL_CONFIG):  # the nannies pass it on to their workers
                with _ctrl_c_ignored():  # the workers inherit it: Ctrl-C reaches only this process
                    self.cluster = LocalCluster(n_workers=workers or default_workers(),
                                                threads_per_worker=1, processes=True,
                                                dashboard_address=None,
                                                silence_logs=logging.CRITICAL)
                self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as exc:
                raise BackendError(f"cannot reach the Dask scheduler at {address} "
                                   f"({' '.join(str(exc).split()) or type(exc).__name__})") from None

    def completed(self, job: Any, pieces: Sequence[tuple],
                  progress: Progress | None = None) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed as dask_completed

        futures: list = []
        try:
            (shared,) = self.client.scatter([job], broadcast=True, hash=False)
            tasks = batches(pieces, sum(self.client.nthreads().values()))
            futures = [self.client.submit(_chunks, shared, task, retries=RETRIES, pure=False)
                       for task in tasks]
            starts = accumulate(map(len, tasks), initial=0)  # each task's first piece
            first = {future.key: start for future, start in zip(futures, starts, strict=False)}
            with _collector_paused():
                for future in dask_completed(futures):
                    results = pickle.loads(future.result())
                    future.release()
                    for i, result in enumerate(results, first[future.key]):
                        _report(progress, pieces[i])
                        yield i, result
        except BaseException:
            # Failed, interrupted or closed early: cancel the rest. Operations still in flight
            # inside distributed may fail as the cluster closes; asyncio would print their
            # tracebacks.
            logging.getLogger("asyncio").setLevel(logging.CRITICAL)
            self.client.cancel(futures)
            raise
        self.client.cancel([shared])

    def close(self) -> None:
        if self._owned:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __repr__(self) -> str:
        return f"<Dask backend: {self.client.scheduler.address if self.client.scheduler else '?'}>"


def batches(pieces: Sequence[tuple], slots: int) -> list[Sequence[tuple]]:
    """Consecutive pieces in tasks (guided scheduling): each takes 1/GUIDED of the pieces left
    per worker thread (``slots``), from one to BATCH — few tasks while there is plenty to share
    out, single pieces at the end so the workers finish together."""
    tasks, start = [], 0
    while start < len(pieces):
        size = max(1, min(BATCH, (len(pieces) - start) // (GUIDED * max(1, slots))))
        tasks.append(pieces[start:start + size])
        start += size
    return tasks


def make_backend(name: str = "processes", workers: int | None = None,
                 dask: Any = None) -> Backend:
    """The backend called ``name``; ``dask`` (an address, ``"local"`` or a Client) implies
    ``"dask"`` and a Dask backend without it starts a LocalCluster."""
    if name not in BACKENDS:
        raise BackendError(f"unknown backend {name!r}; expected one of {', '.join(BACKENDS)}")
    if dask is not None and name != "dask":
        raise BackendError(f"a Dask cluster was given but the backend is {name}; use dask")
    if name == "serial":
        if workers not in (None, 1):
            raise BackendError("the serial backend runs in this process: give --workers only with "
                               "processes or a local Dask cluster")
        return Serial()
    if name == "processes":
        return Processes(workers)
    if workers is not None and dask not in (None, "local"):
        raise BackendError("the workers of a running Dask cluster are the cluster's; "
                           "give a worker count only with a local cluster")
    return Dask("local" if dask is None else dask, workers)


@contextmanager
def opened(backend: str | Backend, workers: int | None = None,
           dask: Any = None) -> Iterator[Backend]:
    """``backend`` as given, or made from its name and closed after use."""
    if isinstance(backend, Backend):
        yield backend
        return
    made = make_backend(backend, workers, dask)
    try:
        yield made
    finally:
        made.close()


def _report(progress: Progress | None, piece: tuple) -> None:
    """Report a finished piece's replications: its end row less its first."""
    if progress is not None:
        progress(piece[-1] - piece[-2])


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a finished incident holds no reference cycle, so
    reference counting frees it, and collections would only re-scan the results kept so far
    (in this process, or as they arrive from workers)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """Ignore SIGINT while starting processes that should leave Ctrl-C to this one: a new
    interpreter keeps an ignored SIGINT ignored. (Ctrl-C in that moment is lost.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


_JOB: Any = None


def _start_worker(job: Any) -> None:
    """Worker start-up: keep the job; run without the collector (workers only simulate); leave
    Ctrl-C to the parent, which stops the workers itself."""
    global _JOB
    _JOB = job
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_piece(piece: tuple) -> dict[str, list]:
    return _JOB.chunk(*piece)


def _chunks(job: Any, pieces: Sequence[tuple]) -> bytes:
    """A Dask task: pieces of a job scattered to the workers, run without the collector (a third
    faster; see ``_collector_paused``), their results pickled together."""
    with _collector_paused():
        return pickle.dumps([job.chunk(*piece) for piece in pieces], protocol=pickle.HIGHEST_PROTOCOL)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once: cancel what waits, end the workers, reap them.

    Python 3.11's pool needs two helping hands here (private attributes, read defensively). A
    worker ended while sending a result leaves the pool's manager thread waiting for the rest of
    the message, and the interpreter waits for that thread at exit: closing this process's end
    of the result pipe, the last writer left, lets it read end-of-file. And at exit the
    interpreter would wake the finished thread through a pipe it has closed, printing an
    ignored error: forgetting the thread spares that.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    results = getattr(pool, "_result_queue", None)
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join()
    if results is not None:
        results._writer.close()
    if manager is not None:
        manager.join(timeout=5)
        getattr(process_pool, "_threads_wakeups", {}).pop(manager, None)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where the platform has it (fast, and user strategies defined in a notebook work)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)

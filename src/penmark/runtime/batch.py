"""Batch runner: sources -> planned tasks -> page outcomes, in input order, streamed.

Why tasks are page slices of a document and not whole files: one 2,000-page PDF must keep every
worker busy, and a result must reach the output file seconds after its page was read (so an
interrupted run resumes with ``--skip-done``). Each worker process owns one ONNX session with one
thread (pages are independent, so processes scale without intra-op synchronisation, and a crash
in a native decoder takes down one worker, not the batch); only small
:class:`~penmark.region.PageResult` objects cross processes.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from penmark.io.documents import page_count, sniff
from penmark.io.images import InputError
from penmark.io.sources import Source
from penmark.pipeline import Options, Outcome, PageProcessor, Task, finish_redacted_pdf
from penmark.region import PageResult

CHUNK_PAGES = 2
"""Pages per task for PDFs/TIFFs: small enough to spread a long PDF over the workers and stream
results, large enough that re-opening the document per task costs little."""


def source_label(src: Source) -> str:
    return "<stdin>" if src.path == "-" else src.path


def plan(
    sources: Iterable[Source],
    options: Options,
    done: set[tuple[str, int]] | None = None,
    chunk: int = CHUNK_PAGES,
) -> list[Task]:
    """Split sources into tasks; pages listed in ``done`` (``(source, page)``) are skipped.

    Counting PDF/TIFF pages opens the document (cheap: no rendering). A document that cannot be
    opened becomes one task whose reader reports the reason.
    """
    done = done or set()
    tasks: list[Task] = []
    for src in sources:
        label = source_label(src)
        data = None  # documents are opened by path in the workers
        path = src.path
        if path == "-":
            # Spool stdin to a file: workers then open it by path (a 4-page task of a 500 MB
            # PDF does not carry the whole document through a pipe).
            path = _spool_stdin()
        try:
            with open(path, "rb") as fh:
                head = fh.read(1024)
        except OSError:
            head = b""
        kind = sniff(head) or "image"
        if kind in ("pdf", "tiff"):
            try:
                count = page_count(path, name=label, password=options.password)
            except InputError:
                if (label, 0) not in done:
                    tasks.append(Task(path, src.name, label, None, kind, data))
                continue
            wanted = list(range(count))
            if options.pages is not None:
                wanted = [p for p in options.pages if p < count]
            todo = [p for p in wanted if (label, p) not in done]
            if not todo and options.pages is not None and not wanted:
                tasks.append(Task(path, src.name, label, (), kind, data))  # range missed all
            for i in range(0, len(todo), chunk):
                part = tuple(todo[i : i + chunk])
                last = i + chunk >= len(todo)
                tasks.append(
                    Task(
                        path,
                        src.name,
                        label,
                        part,
                        kind,
                        data,
                        last,
                        tuple(wanted) if last else None,
                    )
                )
        elif (label, 0) not in done:
            tasks.append(Task(path, src.name, label, None, kind, data))
    return tasks


def _spool_stdin() -> str:
    """Copy standard input to a temporary file (removed when the process exits)."""
    import atexit
    import os
    import shutil
    import tempfile

    fd, path = tempfile.mkstemp(prefix="penmark-stdin-")
    with os.fdopen(fd, "wb") as fh:
        shutil.copyfileobj(sys.stdin.buffer, fh, 1 << 20)
    atexit.register(lambda: os.path.exists(path) and os.unlink(path))
    return path


def count_pages(tasks: Iterable[Task]) -> int:
    return sum(1 if t.pages is None else max(1, len(t.pages)) for t in tasks)


# --- workers -------------------------------------------------------------------------------

_PROCESSOR: PageProcessor | None = None


def _init_worker(options: Options) -> None:
    global _PROCESSOR
    _PROCESSOR = PageProcessor(options)


def _run_task(task: Task) -> list[Outcome]:
    import resource

    assert _PROCESSOR is not None
    outcomes = _run_in(_PROCESSOR, task)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    for o in outcomes:
        o.peak_rss_kb = peak
    return outcomes


def _run_in(processor: PageProcessor, task: Task) -> list[Outcome]:
    return list(_iter_in(processor, task))


def _iter_in(processor: PageProcessor, task: Task) -> Iterator[Outcome]:
    """Outcomes of one task as they are made; an unexpected exception becomes an error for
    every page of the task not yet done (pages already done are kept)."""
    if task.pages is not None and not task.pages:
        yield Outcome(PageResult(task.source, 0, error="no page of the requested range exists"))
        return
    done: set[int] = set()
    try:
        for outcome in processor.run(task):
            done.add(outcome.result.page)
            yield outcome
    except Exception as exc:  # noqa: BLE001 - one bad file never stops a batch
        left = [p for p in (task.pages or (0,)) if p not in done] or [0]
        for p in left:
            yield Outcome(PageResult(task.source, p, error=f"failed: {exc}"))


def _submit(ex: ProcessPoolExecutor, task: Task) -> Future:
    """Submit, or hand back an already failed future if the pool broke meanwhile (it is then
    handled like any task whose worker died: rerun alone)."""
    try:
        return ex.submit(_run_task, task)
    except BrokenProcessPool as exc:
        failed: Future = Future()
        failed.set_exception(exc)
        return failed


def _crashed(task: Task) -> list[Outcome]:
    pages = task.pages or (0,)
    return [
        Outcome(PageResult(task.source, p, error="worker process crashed on this document"))
        for p in pages
    ]


class BatchRunner:
    """Runs tasks with ``workers`` processes (or in this process for 1) and yields
    ``(task, outcome)`` in task order, as soon as each task is done.

    A detector can be injected for in-process runs (tests, custom models); ``processes=True``
    uses worker processes even for one worker (the benchmark measures workers that way).
    """

    def __init__(
        self, options: Options, workers: int = 1, detector=None, processes: bool | None = None
    ) -> None:
        self.options = options
        self.workers = max(1, int(workers))
        self.detector = detector
        self.processes = processes

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Outcome]]:
        in_process = self.workers == 1 if self.processes is None else not self.processes
        if in_process or self.detector is not None:
            processor = PageProcessor(self.options, self.detector)
            results = ((t, _iter_in(processor, t)) for t in tasks)  # streams page by page
        else:
            results = self._pool(tasks)
        for task, outcomes in results:
            for outcome in outcomes:
                yield task, outcome
            self._finish(task)

    def _finish(self, task: Task) -> None:
        if self.options.redact_dir and task.kind == "pdf" and task.last and task.pages:
            path = finish_redacted_pdf(self.options, task, task.doc_pages)
            if path is None:
                print(
                    f"warning: {task.source}: redacted PDF not written (some pages failed)",
                    file=sys.stderr,
                )

    _initializer = staticmethod(_init_worker)  # tests swap in a worker that crashes

    def _executor(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent may run threads (progress bar) and an ONNX session
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=mp.get_context("spawn"),
            initializer=self._initializer,
            initargs=(self.options,),
        )

    def _pool(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, list[Outcome]]]:
        window = 2 * self.workers  # bounded look-ahead: memory stays flat on huge batches
        todo = iter(tasks)
        pending: deque[tuple[Task, Future]] = deque()
        ex = self._executor()
        try:
            for task in todo:
                pending.append((task, _submit(ex, task)))
                if len(pending) >= window:
                    break
            while pending:
                task, fut = pending.popleft()
                try:
                    outcomes = fut.result()
                except BrokenProcessPool:
                    # A worker died (e.g. a native decoder crashed). Every pending future fails
                    # with it, so rerun this task alone in a fresh pool: only a task that kills
                    # its worker twice is reported, bystanders are simply retried.
                    retry = [t for t, _ in pending]
                    ex.shutdown(wait=False, cancel_futures=True)
                    ex = self._executor()
                    try:
                        outcomes = ex.submit(_run_task, task).result()
                    except BrokenProcessPool:
                        outcomes = _crashed(task)
                        ex.shutdown(wait=False, cancel_futures=True)
                        ex = self._executor()
                    pending = deque((t, _submit(ex, t)) for t in retry)
                yield task, outcomes
                nxt = next(todo, None)
                if nxt is not None:
                    pending.append((nxt, _submit(ex, nxt)))
        finally:
            ex.shutdown(wait=True, cancel_futures=True)


def run_batch(
    sources: Iterable[Source],
    options: Options,
    workers: int = 1,
    detector=None,
    done: set[tuple[str, int]] | None = None,
) -> Iterator[PageResult]:
    """Convenience API: every page result of ``sources`` in order (see :class:`BatchRunner`)."""
    runner = BatchRunner(options, workers, detector)
    for _, outcome in runner.run(plan(sources, options, done)):
        yield outcome.result


__all__ = ["BatchRunner", "CHUNK_PAGES", "count_pages", "plan", "run_batch"]

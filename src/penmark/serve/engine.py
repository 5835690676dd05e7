"""The model and the bounded pool that runs it: one :class:`Engine` per server.

Why threads and not processes: onnxruntime releases the GIL while it runs, one
``InferenceSession`` may be run from several threads at once, and the model (~17 MB) is then loaded
exactly once. ``workers`` threads run jobs; each uses ``cpu_count // workers`` onnxruntime
threads so the pool never oversubscribes the cores. At most ``max_active`` requests are admitted
at a time (running or queued); the next one gets 503 at once instead of piling up uploads in memory.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TypeVar

from penmark.runtime import Detector
from penmark.serve.config import ServeConfig
from penmark.serve.errors import ApiError

T = TypeVar("T")


class Engine:
    """Owns the detector, the worker pool and the admission count of one server."""

    def __init__(self, config: ServeConfig, detector: Detector | None = None) -> None:
        self.config = config
        self._detector = detector
        self._load_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self.active = 0
        self.served = 0

    @property
    def detector(self) -> Detector:
        """The one detector, loaded on first use (thread-safe) unless given to the constructor."""
        if self._detector is None:
            with self._load_lock:
                if self._detector is None:
                    self._detector = Detector.pretrained(
                        self.config.model,
                        threshold=self.config.default_threshold,
                        num_threads=self.config.threads_per_worker,
                    )
        return self._detector

    @property
    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=self.config.workers, thread_name_prefix="penmark-serve"
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """Hold one of ``max_active`` request slots, or refuse with 503 (runs on the event loop,
        so the plain counter needs no lock)."""
        if self.active >= self.config.max_active:
            raise ApiError(
                503,
                "busy",
                f"the server is busy ({self.active} requests in progress); retry shortly",
                headers={"Retry-After": "1"},
            )
        self.active += 1
        try:
            yield
        finally:
            self.active -= 1
            self.served += 1

    async def run(self, deadline: float, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(cancel, *args)`` in the pool; 504 once ``time.monotonic()`` passes ``deadline``.

        A job that has not started is dropped from the queue; one that is running sees ``cancel``
        set and stops at its next page (a thread cannot be killed mid-inference).
        """
        cancel = threading.Event()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.pool, fn, cancel, *args)
        remaining = deadline - time.monotonic()
        try:
            return await asyncio.wait_for(future, timeout=max(remaining, 0.0))
        except asyncio.TimeoutError:
            cancel.set()
            raise ApiError(
                504,
                "timeout",
                f"the request took longer than the {self.config.timeout_s:g} s limit",
            ) from None

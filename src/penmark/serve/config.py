"""Settings of ``penmark serve``: every limit the server enforces lives here, in one place.

Why a plain dataclass and not pydantic settings: the CLI builds it from typer options, tests
build it directly, and nothing else (env files, secrets) is needed for a local demo and
integration server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from penmark.runtime.detector import DEFAULT_MODEL, DEFAULT_THRESHOLD

MB = 1024 * 1024


def _default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class ServeConfig:
    """Limits and knobs of one server.

    ``max_upload_bytes``: uploads above this get ``413`` (checked from ``Content-Length`` before the
    body is read, and while it streams in). ``max_pages``: documents with more (selected) pages get
    ``413``. ``timeout_s``: per-request time limit (queue wait included) -> ``504``.
    ``workers``: threads running the model (the bounded pool). ``max_active``: requests admitted at
    once (running or queued); more get ``503`` with ``Retry-After`` so memory stays bounded.
    ``tmp_root``: where per-request temporary directories are made (``None``: the system's).
    """

    model: str = DEFAULT_MODEL
    max_upload_bytes: int = 25 * MB
    max_pages: int = 20
    timeout_s: float = 120.0
    workers: int = field(default_factory=_default_workers)
    max_active: int = 64
    dpi: int = 200
    default_threshold: float = DEFAULT_THRESHOLD
    preview_max_side: int = 1600
    tmp_root: Path | None = None

    def __post_init__(self) -> None:
        for name in ("max_upload_bytes", "max_pages", "workers", "max_active", "dpi"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s}")
        if not 0.0 <= self.default_threshold <= 1.0:
            raise ValueError(f"default_threshold must be in [0, 1], got {self.default_threshold}")

    @property
    def threads_per_worker(self) -> int:
        """onnxruntime intra-op threads per pool thread, so the pool never oversubscribes cores."""
        return max(1, (os.cpu_count() or 1) // self.workers)

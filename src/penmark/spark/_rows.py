"""Build output frames for stages that emit several rows per input row (pages, region crops).

Rows are flushed in chunks so a 1,000-page PDF never sits in one pandas frame: at most
``chunk_rows`` decoded pages are held at a time by the Python worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from penmark.spark._batch import is_null
from penmark.spark.schema import EXCEPTION_COL
from penmark.spark.session import ARROW_BATCH_ROWS


class RowFanout:
    """Collect ``(input row index, new column values)`` pairs; emit frames of ``chunk_rows``."""

    def __init__(self, pdf: pd.DataFrame, chunk_rows: int = ARROW_BATCH_ROWS) -> None:
        self.pdf = pdf
        self.chunk_rows = max(1, chunk_rows)
        self._src: list[int] = []
        self._values: list[dict[str, Any]] = []
        self._old_errors = (
            pdf[EXCEPTION_COL].tolist() if EXCEPTION_COL in pdf.columns else [None] * len(pdf)
        )

    def prior_error(self, row: int) -> str | None:
        """An earlier stage's ``exception`` on input ``row`` (None if it had none)."""
        old = self._old_errors[row]
        return None if is_null(old) else old

    def add(self, row: int, values: dict[str, Any], error: str | None = None) -> None:
        """Queue one output row copied from input ``row`` with ``values`` set; an earlier stage's
        error on the input row wins over ``error``."""
        self._src.append(row)
        self._values.append({**values, EXCEPTION_COL: self.prior_error(row) or error})

    def full(self) -> bool:
        return len(self._src) >= self.chunk_rows

    def flush(self) -> Iterator[pd.DataFrame]:
        """Yield the queued rows as one frame (nothing when empty) and start over."""
        if not self._src:
            return
        frame = self.pdf.iloc[self._src].reset_index(drop=True)
        for key in self._values[0]:
            frame[key] = [v[key] for v in self._values]
        self._src, self._values = [], []
        yield frame

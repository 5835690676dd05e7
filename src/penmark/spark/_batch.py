"""The one way stages run Python over rows: ``mapInPandas`` with per-row error capture.

Why ``mapInPandas``: it hands Arrow batches to a long-lived Python worker (so per-process caches
such as the ONNX session survive from batch to batch and task to task), it can change the number
of rows (one row per PDF page, one row per region crop) and it writes several columns at once.

Why per-row ``try``: one corrupt file must not fail a job of millions; its reason goes into the
``exception`` column and the row carries on with empty results.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from penmark.spark.schema import EXCEPTION_COL

BatchFn = Callable[[pd.DataFrame], "pd.DataFrame | Iterator[pd.DataFrame]"]


def is_null(value: Any) -> bool:
    """True for the ways Arrow->pandas spells a missing value (None, NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def error_text(exc: BaseException) -> str:
    """Short, stable reason for the ``exception`` column."""
    reason = getattr(exc, "reason", None)  # penmark.io.InputError carries a clean reason
    if reason:
        return str(reason)
    return f"{type(exc).__name__}: {exc}"


def require_columns(df: DataFrame, stage: str, *cols: str) -> None:
    """Fail on the driver, with the column names, rather than in every Python worker."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{stage}: input column(s) {missing} not in {df.columns}")


def output_schema(
    schema: T.StructType, add: Sequence[T.StructField], drop: Sequence[str] = ()
) -> T.StructType:
    """``schema`` minus ``drop``, with ``add`` replacing same-named fields or appended, and an
    ``exception`` string column at the end when there is none yet."""
    new = {f.name: f for f in add}
    fields = [new.pop(f.name, f) for f in schema.fields if f.name not in drop]
    fields += list(new.values())
    if EXCEPTION_COL not in {f.name for f in fields}:
        fields.append(T.StructField(EXCEPTION_COL, T.StringType(), True))
    return T.StructType(fields)


def merge_errors(pdf: pd.DataFrame, errors: Sequence[str | None]) -> list[str | None]:
    """Keep an earlier stage's error for a row; else this stage's."""
    old = pdf[EXCEPTION_COL].tolist() if EXCEPTION_COL in pdf.columns else [None] * len(errors)
    return [o if not is_null(o) else e for o, e in zip(old, errors, strict=True)]


def with_output(
    pdf: pd.DataFrame, output_col: str, values: Sequence[Any], errors: Sequence[str | None]
) -> pd.DataFrame:
    """A copy of ``pdf`` with ``output_col`` set to ``values`` (one per row) and the
    ``exception`` column merged (an earlier stage's error wins): how one-row-in, one-row-out
    stages finish a batch."""
    out = pdf.copy()
    out[output_col] = list(values)
    out[EXCEPTION_COL] = merge_errors(pdf, errors)
    return out


def map_batches(df: DataFrame, fn: BatchFn, schema: T.StructType) -> DataFrame:
    """Run ``fn`` on every Arrow batch of ``df``. ``fn`` returns a frame with ``schema``'s columns,
    or yields several (stages that make many rows per input row stream them in chunks)."""
    names = schema.fieldNames()

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            out = fn(pdf)
            for frame in [out] if isinstance(out, pd.DataFrame) else out:
                yield frame[names]

    return df.mapInPandas(run, schema)

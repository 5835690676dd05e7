"""A SparkSession set up for page images: same Python on workers, small Arrow batches.

Why each setting:

* ``PYSPARK_PYTHON``/``PYSPARK_DRIVER_PYTHON`` = this interpreter, so Python workers import the
  same penmark, onnxruntime and numpy as the driver (executors take the driver's value).
* ``spark.sql.execution.arrow.maxRecordsPerBatch``: a decoded 200-dpi letter page is ~11 MB, and
  Spark's default of 10,000 rows per Arrow batch would put gigabytes in one Python batch (and
  overflow Arrow's 2 GB binary column limit). 16 pages per batch keeps a worker near 200 MB.
"""

from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession

ARROW_BATCH_ROWS = 16


def use_this_python() -> None:
    """Make Spark start its Python workers with ``sys.executable``."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable


def spark_session(
    master: str = "local[2]",
    app_name: str = "penmark",
    driver_memory: str = "1g",
    executor_memory: str = "1g",
    extra: dict[str, str] | None = None,
) -> SparkSession:
    """Get or create a SparkSession for penmark pipelines (see the module docstring)."""
    use_this_python()
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.driver.memory", driver_memory)
        .config("spark.executor.memory", executor_memory)
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH_ROWS))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
    )
    for key, value in (extra or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()

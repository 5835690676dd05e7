"""The one way penmark opens an ONNX model: CPU provider, full graph optimisation, and an
optional intra-op thread count (1 per worker process; inter-op 1 then, so a worker never uses
more cores than asked)."""

from __future__ import annotations

import os


def cpu_session(model: str | os.PathLike | bytes, num_threads: int | None = None):
    """An ``onnxruntime.InferenceSession`` for a model file or its bytes."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if num_threads:
        opts.intra_op_num_threads = num_threads
        opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    source = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(source, sess_options=opts, providers=["CPUExecutionProvider"])

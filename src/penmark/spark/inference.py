"""Weights to executors once, one ONNX session per executor Python process.

Driver side, :func:`broadcast_weights` reads the ONNX file once and ``sc.broadcast``\\ s its bytes.
Why broadcast rather than let executors open the weights file of their installed penmark:

* the driver decides which model runs, so a cluster whose nodes have another penmark version (or a
  model given with ``remote_loc`` that exists only on the driver) still runs exactly the driver's
  weights, and results equal the plain API on the driver;
* Spark ships a broadcast to each executor once (BitTorrent-like, cached on local disk), so the
  ~17 MB cost is paid once per executor, not per task or row.

Executor side, :func:`executor_detector` keeps a module-level cache keyed by the weights' SHA-256:
the first batch in a Python worker process writes the bytes to a local file named by the hash
(once per machine: ``Detector`` opens a path) and builds the ``Detector``; every later batch and
task in that (reused) worker process gets the same session. The broadcast is read on a miss only.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from penmark.runtime.detector import DEFAULT_MODEL, Detector, _weights_path, available_models

ALIASES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "image_handwritten_detector": (DEFAULT_MODEL, None),
    "image_signature_detector": (DEFAULT_MODEL, ("signature",)),
}
"""Visual NLP pretrained names -> (penmark model, default labels filter or None for all)."""


def resolve_model(name: str, remote_loc: str | os.PathLike | None = None) -> tuple[str, Path]:
    """Map a Visual NLP or penmark model name to ``(penmark model name, weights file)``.

    ``remote_loc`` is a local ``.onnx`` file or a folder holding ``<model>.onnx``: penmark never
    downloads anything, so it replaces Visual NLP's download location.
    """
    model = ALIASES[name][0] if name in ALIASES else name
    if remote_loc is None:
        return model, _weights_path(model)
    loc = Path(remote_loc)
    path = loc / f"{model}.onnx" if loc.is_dir() else loc
    if not path.is_file():
        known = sorted(ALIASES) + available_models()
        raise FileNotFoundError(f"no weights for {name!r} at {path} (known names: {known})")
    return model, path


@dataclass(frozen=True)
class WeightsRef:
    """What a task needs to find (or build) its detector: picklable, tiny except on first use."""

    name: str
    sha256: str
    broadcast: Any  # pyspark.Broadcast[bytes]


_BROADCASTS: dict[tuple[str, str, int, int], WeightsRef] = {}


def broadcast_weights(sc: Any, name: str, path: Path) -> WeightsRef:
    """Broadcast the weights file once per SparkContext (cached across transforms)."""
    stat = path.stat()
    key = (sc.applicationId, str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    ref = _BROADCASTS.get(key)
    if ref is None:
        data = path.read_bytes()
        ref = WeightsRef(name, hashlib.sha256(data).hexdigest(), sc.broadcast(data))
        _BROADCASTS[key] = ref
    return ref


# ---- executor side -------------------------------------------------------------------------

_DETECTORS: dict[tuple[str, int, bool, bool], Detector] = {}
STATS = {"sessions_created": 0, "broadcast_reads": 0, "batches": 0}
"""Counters of this process."""

EVENTS_ENV = "PENMARK_SPARK_EVENTS"
"""If set to a folder, each executor process appends its counters there as JSON lines on every
batch (``<host>-<pid>.jsonl``), so operators (and the tests) can see how many ONNX sessions and
broadcast reads each process did across a job."""


def record_batch() -> None:
    """Count one inference batch in this process and, if enabled, log the counters."""
    STATS["batches"] += 1
    folder = os.environ.get(EVENTS_ENV)
    if not folder:
        return
    host = socket.gethostname()
    line = json.dumps({"host": host, "pid": os.getpid(), "cwd": os.getcwd(), **STATS})
    Path(folder).mkdir(parents=True, exist_ok=True)
    with open(Path(folder) / f"{host}-{os.getpid()}.jsonl", "a", encoding="utf-8") as f:
        f.write(line + "\n")


def _cache_dir() -> Path:
    default = Path(tempfile.gettempdir()) / "penmark-spark"
    return Path(os.environ.get("PENMARK_SPARK_CACHE", default))


def _local_weights(ref: WeightsRef) -> Path:
    """The broadcast bytes as a local file named by their hash (written atomically, once)."""
    path = _cache_dir() / f"{ref.sha256}.onnx"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    data: bytes = ref.broadcast.value
    STATS["broadcast_reads"] += 1
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise RuntimeError("broadcast weights do not match their hash")
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


def executor_detector(
    ref: WeightsRef, num_threads: int, verify: bool = True, print_check: bool = True
) -> Detector:
    """This process's detector for ``ref`` (built on first call, then reused); ``verify``
    False leaves out the verifier a model file may carry, ``print_check`` False the print check
    (penmark.runtime.twins)."""
    key = (ref.sha256, int(num_threads), bool(verify), bool(print_check))
    det = _DETECTORS.get(key)
    if det is None:
        det = Detector(
            _local_weights(ref),
            name=ref.name,
            num_threads=num_threads or None,
            verifier=None if verify else False,
            print_check=bool(print_check),
        )
        _DETECTORS[key] = det
        STATS["sessions_created"] += 1
    return det

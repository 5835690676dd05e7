"""One file per named model: the verifier travels inside the detector's ONNX file.

Why: everything that moves weights around (the registry, ``--weights``, the Spark stage that
broadcasts one file to executors and caches it by hash, the HTTP server) handles one ONNX file.
Rather than teach each of them about a second file, the verifier's ONNX bytes are stored in the
detector file's metadata (key :data:`VERIFIER_KEY`, base64) and
:class:`~penmark.runtime.Detector` builds the verifier from there. Needs ``onnx`` only.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from penmark.runtime.verify import VERIFIER_KEY


def embed_verifier(
    detector: str | Path, verifier: str | Path, out: str | Path, **metadata: Any
) -> Path:
    """Write ``out``: the ``detector`` ONNX with ``verifier`` embedded and ``metadata`` (e.g. a
    new ``name``) set or replaced."""
    import onnx

    model = onnx.load(str(detector))
    props = {p.key: p.value for p in model.metadata_props}
    props[VERIFIER_KEY] = json.dumps(base64.b64encode(Path(verifier).read_bytes()).decode())
    for key, value in metadata.items():
        props[key] = json.dumps(value)
    del model.metadata_props[:]
    for key, value in props.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    out = Path(out)
    onnx.save(model, str(out))
    return out

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

from penmark.runtime.verify import VERIFIER_KEY, decode_embedded, parse_veto, parse_weights


def set_metadata(model, metadata: dict[str, Any]) -> None:
    """Set (add or replace) ``metadata`` on an ``onnx.ModelProto``, each value JSON-encoded:
    the form :class:`~penmark.runtime.Detector` and the verifier read back."""
    props = {p.key: p.value for p in model.metadata_props}
    props.update({k: json.dumps(v) for k, v in metadata.items()})
    del model.metadata_props[:]
    for key, value in props.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value


def embed_verifier(
    detector: str | Path,
    verifier: str | Path,
    out: str | Path,
    weight: float | dict[str, float] | None = None,
    veto_at: float | dict[str, float] | None = None,
    **metadata: Any,
) -> Path:
    """Write ``out``: the ``detector`` ONNX with ``verifier`` embedded (its score ``weight``
    set, if given: one number or one per label; ``veto_at`` switches to the veto rule of
    :func:`~penmark.runtime.verify.combine_scores`) and ``metadata`` (e.g. a new ``name``) set
    or replaced."""
    import onnx

    ver = onnx.load(str(verifier))
    if weight is not None:
        set_metadata(ver, {"score_weight": parse_weights(weight)})
    if veto_at is not None:
        set_metadata(ver, {"veto_at": parse_veto(veto_at)})
    model = onnx.load(str(detector))
    blob = base64.b64encode(ver.SerializeToString()).decode()
    set_metadata(model, {VERIFIER_KEY: blob, **metadata})
    out = Path(out)
    onnx.save(model, str(out))
    return out


def extract_verifier(detector: str | Path) -> bytes:
    """The verifier ONNX bytes embedded in a ``detector`` file (with its weights and bars), e.g.
    to bundle a shipped model's verifier with a new detector for a like-for-like comparison
    (``scripts/candidate_onnx.py``)."""
    import onnx

    props = {p.key: p.value for p in onnx.load(str(detector)).metadata_props}
    if VERIFIER_KEY not in props:
        raise ValueError(f"{detector}: holds no embedded verifier")
    return decode_embedded(props[VERIFIER_KEY])

"""Export a trained :class:`~penmark.model.net.PenmarkNet` to ONNX with its metadata.

The metadata (labels, stride, input size) is stored in the ONNX file's ``metadata_props`` so a
weights file is self-describing and the runtime needs nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from penmark.model.net import STRIDE, ExportWrapper, PenmarkNet
from penmark.region import LABELS


def export_onnx(
    net: PenmarkNet, path: str | Path, metadata: dict[str, Any] | None = None, opset: int = 17
) -> Path:
    """Write ``net`` to ``path`` (dynamic height/width) and return the path."""
    import onnx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wrapper = ExportWrapper(net).eval()
    dummy = torch.zeros(1, 3, 256, 192)
    tmp = path.with_suffix(".tmp.onnx")
    torch.onnx.export(
        wrapper,
        (dummy,),
        str(tmp),
        input_names=["image"],
        output_names=["heat", "ltrb"],
        dynamic_axes={
            "image": {0: "n", 2: "h", 3: "w"},
            "heat": {0: "n", 2: "gh", 3: "gw"},
            "ltrb": {0: "n", 2: "gh", 3: "gw"},
        },
        opset_version=opset,
        dynamo=False,
    )
    model = onnx.load(str(tmp))
    meta = {"labels": list(LABELS), "stride": STRIDE, "pad_multiple": 32, **(metadata or {})}
    for key, value in meta.items():
        prop = model.metadata_props.add()
        prop.key = key
        prop.value = json.dumps(value)
    onnx.save(model, str(path))
    tmp.unlink()
    return path

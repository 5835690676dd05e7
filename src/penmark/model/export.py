"""Export a trained :class:`~penmark.model.net.PenmarkNet` to ONNX with its metadata.

The metadata (labels, stride, input size) is stored in the ONNX file's ``metadata_props`` so a
weights file is self-describing and the runtime needs nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from penmark.model.bundle import set_metadata
from penmark.model.net import STRIDE, EnsembleWrapper, ExportWrapper, PenmarkNet, create_model
from penmark.region import LABELS


def onnx_export(
    module: torch.nn.Module,
    example: torch.Tensor,
    path: str | Path,
    inputs: list[str],
    outputs: list[str],
    dynamic_axes: dict[str, dict[int, str]],
    metadata: dict[str, Any],
    opset: int = 17,
) -> Path:
    """Write ``module`` (in eval mode) to ``path`` with ``metadata`` in the file (every network
    penmark ships: detector, verifier, orientation classifier) and return the path."""
    import onnx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.onnx")
    torch.onnx.export(
        module.eval(),
        (example,),
        str(tmp),
        input_names=inputs,
        output_names=outputs,
        dynamic_axes=dynamic_axes,
        opset_version=opset,
        dynamo=False,
    )
    model = onnx.load(str(tmp))
    set_metadata(model, metadata)
    onnx.save(model, str(path))
    tmp.unlink()
    return path


def export_onnx(
    net: PenmarkNet | Sequence[PenmarkNet],
    path: str | Path,
    metadata: dict[str, Any] | None = None,
    opset: int = 17,
) -> Path:
    """Write ``net`` to ``path`` (dynamic height/width) and return the path. Several networks
    are written as one averaged detector (:class:`~penmark.model.net.EnsembleWrapper`)."""
    if isinstance(net, PenmarkNet):
        wrapper: torch.nn.Module = ExportWrapper(net)
    else:
        wrapper = EnsembleWrapper(list(net))
    return onnx_export(
        wrapper,
        torch.zeros(1, 3, 256, 192),
        path,
        ["image"],
        ["heat", "ltrb"],
        {
            "image": {0: "n", 2: "h", 3: "w"},
            "heat": {0: "n", 2: "gh", 3: "gw"},
            "ltrb": {0: "n", 2: "gh", 3: "gw"},
        },
        {"labels": list(LABELS), "stride": STRIDE, "pad_multiple": 32, **(metadata or {})},
        opset,
    )


def training_metadata(config: Mapping[str, Any], step: int, name: str) -> dict[str, Any]:
    """What an exported file says about its training: architecture and input size from the
    training ``config`` (a :class:`~penmark.train.loop.TrainConfig` as a dict), the step, and the
    registry ``name`` it ships under."""
    return {
        "input_size": int(config.get("input_size", 1024)),
        "name": name,
        "model": config.get("model", "penmark-s"),
        "train_step": int(step),
        "trained": True,
    }


def _net(state: Mapping[str, torch.Tensor], config: Mapping[str, Any]) -> PenmarkNet:
    net = create_model(config.get("model", "penmark-s"))
    net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return net.eval()


def export_weights(
    state: Mapping[str, torch.Tensor], config: Mapping[str, Any], step: int, name: str,
    path: str | Path,
) -> Path:
    """Export a checkpoint's weights (its ``ema`` or ``model`` dict, fp16 or fp32) as an fp32
    ONNX file with :func:`training_metadata`."""
    return export_onnx(_net(state, config), path, training_metadata(config, step, name))


def export_ensemble(
    members: Sequence[tuple[Mapping[str, torch.Tensor], Mapping[str, Any], int]],
    name: str,
    path: str | Path,
    member_names: Sequence[str] | None = None,
) -> Path:
    """Export several checkpoints' weights (``(state, config, step)`` as
    :func:`penmark.train.loop.load_weights` returns them) as one fp32 ONNX detector that averages
    their outputs. The metadata is the first member's, plus ``ensemble``: the members' names
    (or steps) so the file says what it holds."""
    if not members:
        raise ValueError("an ensemble needs at least one checkpoint")
    sizes = {int(c.get("input_size", 1024)) for _, c, _ in members}
    if len(sizes) > 1:
        raise ValueError(f"ensemble members were trained at different input sizes: {sorted(sizes)}")
    nets = [_net(state, config) for state, config, _ in members]
    state, config, step = members[0]
    meta = training_metadata(config, step, name)
    meta["ensemble"] = list(member_names or [f"step {s}" for _, _, s in members])
    return export_onnx(nets, path, meta)


def quantize_int8(
    src: str | Path, dst: str | Path, calibration: list[np.ndarray], input_name: str = "image"
) -> Path:
    """Static int8 quantization (QDQ, per-channel int8 weights, uint8 activations) of an exported
    detector, calibrated on page tensors prepared as the runtime prepares them
    (:func:`penmark.runtime.preprocess.prepare`).

    Why: on a 2-core CPU the int8 network is ~3x faster than fp32 (measured ~65 vs ~200 ms CPU
    per 200-dpi letter page) at the same validation AP (see MODEL_CARD.md); the runtime reads
    either file. The original metadata (labels, stride, input size) is carried over unchanged.
    ``input_name``: the graph input the calibration tensors feed (``page`` for the orientation
    classifier).
    """
    import tempfile

    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class _Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.it = iter({input_name: t} for t in calibration)

        def get_next(self):
            return next(self.it, None)

    dst = Path(dst)
    with tempfile.TemporaryDirectory() as tmp:
        pre = str(Path(tmp) / "pre.onnx")
        quant_pre_process(str(src), pre, skip_symbolic_shape=True)
        quantize_static(
            pre,
            str(dst),
            _Reader(),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=True,
        )
    original = onnx.load(str(src), load_external_data=False)
    model = onnx.load(str(dst))
    del model.metadata_props[:]
    for prop in original.metadata_props:
        model.metadata_props.add(key=prop.key, value=prop.value)
    prop = model.metadata_props.add()
    prop.key, prop.value = "quantized", json.dumps("int8")
    onnx.save(model, str(dst))
    return dst

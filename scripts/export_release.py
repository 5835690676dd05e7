#!/usr/bin/env python3
"""Turn a training checkpoint into the files that ship: fp32 ONNX, int8 ONNX, fp16 checkpoint.

    python scripts/export_release.py runs/v5/last.pt --name penmark-hw-sig-v2 \\
        [--datasets ../shared/datasets] [--weights-dir src/penmark/weights] \\
        [--checkpoints checkpoints]

- the exported network is the checkpoint's weight average (``ema``) when it has one;
- int8: static quantization (:func:`penmark.model.export.quantize_int8`) calibrated on 24 TRAIN
  pages prepared as the runtime prepares them: the first 8 GSA leases, 10 Tobacco800 letters and
  6 cheques of each train split in file order (never val pages);
- ``<checkpoints>/<name>.pt``: the weights only, in fp16 (a few MB), so a later session continues
  with ``penmark train --init checkpoints/<name>.pt``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from PIL import Image

from penmark.model.export import export_weights, quantize_int8
from penmark.runtime.preprocess import prepare
from penmark.train.loop import load_weights, save_weights

CALIBRATION = (("gsa_leases", 20), ("tobacco800_signatures", 30), ("cheques", 20))


def calibration_tensors(datasets: Path, input_size: int) -> list:
    tensors = []
    for name, n in CALIBRATION:
        coco = json.loads((datasets / name / "train.json").read_text())
        files = sorted(img["file_name"] for img in coco["images"])[:n]
        for f in files:
            with Image.open(datasets / name / f) as im:
                tensors.append(prepare(im.convert("RGB"), input_size, 32)[0])
    return tensors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint", type=Path)
    ap.add_argument("--name", required=True)
    ap.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    ap.add_argument("--weights-dir", type=Path, default=Path("src/penmark/weights"))
    ap.add_argument("--checkpoints", type=Path, default=Path("checkpoints"))
    args = ap.parse_args()

    state, cfg, step = load_weights(args.checkpoint)
    fp32 = export_weights(state, cfg, step, args.name,
                          args.weights_dir / f"{args.name}-fp32.onnx")
    input_size = int(cfg.get("input_size", 1024))
    int8 = quantize_int8(
        fp32, args.weights_dir / f"{args.name}.onnx", calibration_tensors(args.datasets, input_size)
    )
    args.checkpoints.mkdir(parents=True, exist_ok=True)
    light = save_weights(args.checkpoints / f"{args.name}.pt", state, step, cfg)
    for p in (fp32, int8, light):
        print(f"{p}  {p.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

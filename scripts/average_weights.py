#!/usr/bin/env python3
"""Average the weights of several checkpoints of the same network ("model soup").

    python scripts/average_weights.py checkpoints/penmark-hw-sig-v3.pt runs/v9/last.pt \\
        --out runs/soup/last.pt [--onnx runs/soup/last.onnx]

The mean is :func:`penmark.train.averaging.average_checkpoints`. The result is a checkpoint that
``scripts/export_release.py`` and ``penmark train --init`` accept, plus an fp32 ONNX file to
evaluate with ``penmark evaluate --weights``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from penmark.model.export import export_weights
from penmark.train.averaging import average_checkpoints


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoints", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, required=True, help="averaged checkpoint (.pt)")
    ap.add_argument("--onnx", type=Path, help="also export the average as fp32 ONNX here")
    args = ap.parse_args()
    if len(args.checkpoints) < 2:
        ap.error("give at least two checkpoints")
    try:
        state, info = average_checkpoints(args.checkpoints)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": state, **info, "averaged_from": [str(p) for p in args.checkpoints]},
               args.out)
    print(f"{len(args.checkpoints)} checkpoints -> {args.out}")
    if args.onnx:
        path = export_weights(state, info["config"], info["step"], args.onnx.stem, args.onnx)
        print(f"-> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Turn a training snapshot into a candidate model file: fp32 ONNX with the verifier (and its
bars) of an existing model file, so a continuation is judged exactly as the shipped model is.

    python scripts/candidate_onnx.py runs/v25/step001000.pt \\
        --verifier-from src/penmark/weights/penmark-hw-sig-v7-fp32.onnx \\
        --name v25-1000 --out runs/cand/v25-1000.onnx

The snapshot's ``ema`` weights are exported when it has them (as ``scripts/export_release.py``
does); nothing is quantized: the release rule compares fp32 with fp32. Several checkpoints make
one ensemble file that averages their outputs (:func:`penmark.model.export.export_ensemble`):

    python scripts/candidate_onnx.py checkpoints/penmark-hw-sig-v7.pt \
        checkpoints/penmark-hw-sig-v5.pt --verifier-from ... --name e1 --out runs/cand/e1.onnx
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from penmark.model.bundle import embed_verifier, extract_verifier
from penmark.model.export import export_ensemble, export_weights
from penmark.train.loop import load_weights


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint", type=Path, nargs="+")
    ap.add_argument("--verifier-from", type=Path, required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    members = [load_weights(c) for c in args.checkpoint]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        bare_path = Path(tmp) / "bare.onnx"
        if len(members) == 1:
            bare = export_weights(*members[0], args.name, bare_path)
        else:
            names = [str(c) for c in args.checkpoint]
            bare = export_ensemble(members, args.name, bare_path, names)
        ver = Path(tmp) / "verifier.onnx"
        ver.write_bytes(extract_verifier(args.verifier_from))
        embed_verifier(bare, ver, args.out, name=args.name)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Mine the current model's false alarms on TRAIN pages, for ``penmark train --focus``.

    python scripts/mine_hard_negatives.py --data $D/tobacco800_signatures/train.json \\
        --data $D/cheques/train.json [--weights runs/v5/last.onnx] [--threshold 0.2] \\
        --out assets_cache/mined.json

``--from-cache runs/preds-X.json`` reads the predictions of a ``scripts/threshold_sweep.py``
cache (same weights, threshold <= ``--threshold``) instead of running a detector; pages missing
from the cache are detected with ``--weights`` and added to it.

``--misses`` mines the other way: labelled boxes that no prediction of their class at
``--threshold`` overlaps by ``--iou`` (use 0.5), i.e. the real positives the model misses; the
crop sampler centres crops on those the same way.

Never point it at val splits: the mined pages are trained on (see penmark.train.mining).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.progress import track

from penmark.evaluate import cached_predictions
from penmark.runtime import Detector
from penmark.train.data import load_coco
from penmark.train.mining import false_positives, mine, missed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, action="append", required=True)
    ap.add_argument("--weights", type=Path)
    ap.add_argument("--threshold", type=float, default=0.2)
    ap.add_argument("--iou", type=float, default=0.3)
    ap.add_argument("--out", type=Path, default=Path("assets_cache/mined.json"))
    ap.add_argument("--misses", action="store_true", help="mine missed labelled boxes instead")
    ap.add_argument("--from-cache", type=Path, help="a threshold_sweep.py prediction cache")
    args = ap.parse_args()
    if any("val" in p.stem or "test" in p.stem for p in args.data):
        ap.error("mine train splits only")
    det = (
        Detector(args.weights, threshold=0.05)
        if args.weights
        else Detector.pretrained(threshold=0.05)
    )
    records = [r for p in args.data for r in load_coco(p)]
    detect = det.detect
    if args.from_cache:
        files = [str(Path(r.path).resolve()) for r in records]  # the cache's keys
        cached = cached_predictions(det.detect, files, args.from_cache)

        def detect(path):
            return cached[str(Path(path).resolve())]

    find = missed if args.misses else false_positives
    found = mine(track(records, description="mining"), detect, args.threshold, args.iou, find)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(found))
    n = sum(len(v) for v in found.values())
    what = "misses" if args.misses else "false alarms"
    print(f"{n} {what} on {len(found)} of {len(records)} pages -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

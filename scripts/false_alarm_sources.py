#!/usr/bin/env python3
"""What fools the model on generated hard negatives: false alarms per kind of printed distractor.

    penmark synth --count 200 --seed 100000 --hard-negative-fraction 1.0 --out data/hardneg
    python scripts/false_alarm_sources.py --data data/hardneg/annotations.json \\
        [--weights m.onnx] [--threshold 0.35] [--cache runs/preds-x.json]

Each prediction at the threshold is a false alarm (the pages hold no writing); it is put down to
the distractor (typed or script fill-in, script letterhead or block, stamp, logo) that holds most
of it, or to ``other print`` (body text, rules, barcodes...). The same cache format as
``scripts/threshold_sweep.py``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from penmark.evaluate import cached_predictions, merge_coco
from penmark.runtime import Detector
from penmark.runtime.detector import DEFAULT_THRESHOLD


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--weights", type=Path)
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--cache", type=Path)
    args = ap.parse_args()
    det = (
        Detector(args.weights, threshold=0.01)
        if args.weights
        else Detector.pretrained(threshold=0.01)
    )
    gt = merge_coco([args.data])
    files = [img["file_name"] for img in gt["images"]]
    preds = cached_predictions(det.detect, files, args.cache)
    blame: Counter[tuple[str, str]] = Counter()
    drawn: Counter[str] = Counter()
    for img in gt["images"]:
        ds = img.get("distractors", [])
        drawn.update(d["kind"] for d in ds)
        for r in preds[img["file_name"]]:
            if r.score < args.threshold:
                continue
            x0, y0, x1, y1 = r.box
            area = max(1.0, (x1 - x0) * (y1 - y0))
            best, kind = 0.0, "other print"
            for d in ds:
                a0, b0, a1, b1 = d["box"]
                inter = max(0.0, min(x1, a1) - max(x0, a0)) * max(0.0, min(y1, b1) - max(y0, b0))
                if inter / area > max(best, 0.3):
                    best, kind = inter / area, d["kind"]
            blame[(kind, r.label)] += 1
    pages = len(gt["images"])
    total = sum(blame.values())
    print(f"{total} false alarms on {pages} pages ({total / pages:.2f}/page) at {args.threshold}")
    print("| source | drawn | handwritten | signature | per page |")
    print("|---|---:|---:|---:|---:|")
    for kind in sorted(
        {k for k, _ in blame} | set(drawn),
        key=lambda k: -sum(blame[(k, lab)] for lab in ("handwritten", "signature")),
    ):
        hw, sig = blame[(kind, "handwritten")], blame[(kind, "signature")]
        print(f"| {kind} | {drawn.get(kind, '')} | {hw} | {sig} | {(hw + sig) / pages:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

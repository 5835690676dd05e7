#!/usr/bin/env python3
"""Score one model at several thresholds without re-running it.

    python scripts/threshold_sweep.py --data val.json [--data ...] [--weights m.onnx]
        [--thresholds 0.2,0.3,0.4,0.5] [--cache runs/preds-v4.json]

The detector runs once per page at threshold 0.01 (predictions cached as JSON, keyed by file
name, so a second sweep of the same weights is instant); AP does not depend on the threshold,
precision / recall / signed accuracy / false alarms per page do. Each threshold also gets the
macro F1 over every (set, class) row with ground truth: the default threshold in MODEL_CARD.md
is the one with the best macro F1 on the val splits (one number chosen, never per page).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from penmark.evaluate import cached_predictions, evaluate_predictions, format_table, merge_coco
from penmark.runtime import Detector
from penmark.runtime.detector import DEFAULT_MODEL


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, action="append", required=True)
    ap.add_argument("--weights", type=Path)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--thresholds", default="0.2,0.25,0.3,0.35,0.4,0.5")
    ap.add_argument("--cache", type=Path)
    args = ap.parse_args()
    det = (
        Detector(args.weights, threshold=0.01)
        if args.weights
        else Detector.pretrained(args.model, threshold=0.01)
    )
    sets = {f"{p.parent.name}/{p.stem}": merge_coco([p]) for p in args.data}
    files = sorted({img["file_name"] for gt in sets.values() for img in gt["images"]})
    preds = cached_predictions(det.detect, files, args.cache)
    for t in (float(x) for x in args.thresholds.split(",")):
        rows = []
        for name, gt in sets.items():
            by_id = {img["id"]: preds[img["file_name"]] for img in gt["images"]}
            rows.append((name, evaluate_predictions(gt, by_id, t)))
        f1s = [
            2 * m.precision * m.recall / (m.precision + m.recall)
            for _, r in rows
            for m in r.per_class.values()
            if m.gt and m.precision + m.recall > 0
        ]
        macro = sum(f1s) / len(f1s) if f1s else float("nan")
        print(f"\n## threshold {t}: macro F1 {macro:.3f} over {len(f1s)} set/class rows")
        print(format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

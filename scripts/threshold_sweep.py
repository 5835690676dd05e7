#!/usr/bin/env python3
"""Score one model at several thresholds without re-running it.

    python scripts/threshold_sweep.py --data val.json [--data ...] [--weights m.onnx]
        [--thresholds 0.2,0.3,0.4,0.5] [--cache runs/preds-v4.json]

The detector runs once per page at threshold 0.01 (predictions cached as JSON, keyed by file
name, so a second sweep of the same weights is instant); AP does not depend on the threshold,
precision / recall / signed accuracy / false alarms per page do. Each threshold gets two F1s:

- macro F1: the mean over every (set, class) row with ground truth (a 6-box set weighs as much
  as a 181-box one; the rule up to v3);
- pooled F1: each class scored on the union of the sets that hold ground truth (box-weighted;
  sets without any, such as generated hard negatives, stay out), then averaged over the classes.
  The rule from v4 on: the threshold with the best pooled F1, ties within 0.005 going to the
  lower threshold (MODEL_CARD.md). One number chosen, never per page.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from penmark.evaluate import (
    EvalResult,
    cached_predictions,
    evaluate_predictions,
    format_table,
    merge_coco,
    pick_threshold,
)
from penmark.runtime import Detector
from penmark.runtime.detector import DEFAULT_MODEL


def _f1s(result: EvalResult) -> list[float]:
    """F1 at the threshold of each class of ``result`` that has ground truth."""
    return [
        2 * m.precision * m.recall / (m.precision + m.recall)
        for m in result.per_class.values()
        if m.gt and m.precision + m.recall > 0
    ]


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, action="append", required=True)
    ap.add_argument("--weights", type=Path)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--thresholds", default="0.2,0.25,0.3,0.35,0.4,0.5")
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--input-size", type=int, help="override the model's input long side")
    ap.add_argument("--no-print-check", action="store_true",
                    help="leave out the print check (penmark.runtime.twins)")
    args = ap.parse_args()
    kw = {"threshold": 0.01, "input_size": args.input_size, "print_check": not args.no_print_check}
    det = Detector(args.weights, **kw) if args.weights else Detector.pretrained(args.model, **kw)
    loaded = [(p, merge_coco([p])) for p in args.data]
    sets = {f"{p.parent.name}/{p.stem}": gt for p, gt in loaded}
    files = sorted({img["file_name"] for gt in sets.values() for img in gt["images"]})
    preds = cached_predictions(det.detect, files, args.cache)
    pooled_gt = merge_coco([p for p, gt in loaded if gt["annotations"]])
    pooled_by_id = {img["id"]: preds[img["file_name"]] for img in pooled_gt["images"]}
    pooled_f1: dict[float, float] = {}
    for t in (float(x) for x in args.thresholds.split(",")):
        rows = []
        for name, gt in sets.items():
            by_id = {img["id"]: preds[img["file_name"]] for img in gt["images"]}
            rows.append((name, evaluate_predictions(gt, by_id, t)))
        f1s = [f for _, r in rows for f in _f1s(r)]
        pooled_result = evaluate_predictions(pooled_gt, pooled_by_id, t)
        pooled = _mean(_f1s(pooled_result))
        pooled_f1[t] = pooled
        print(f"\n## threshold {t}: macro F1 {_mean(f1s):.3f} over {len(f1s)} set/class rows; "
              f"pooled F1 {pooled:.3f}")
        # the last row is the union of the sets with ground truth (`penmark evaluate --merged`)
        print(format_table([*rows, ("pooled", pooled_result)]))
    if pooled_f1:
        print("\nthreshold by the rule (best pooled F1, ties within 0.005 to the lower): "
              f"{pick_threshold(pooled_f1)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

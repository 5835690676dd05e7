#!/usr/bin/env python3
"""Fill a class that a real set does not label with a teacher model's confident regions.

    python scripts/pseudo_label.py --data $D/tobacco800_signatures/train.json \
        --out assets_cache/pseudo/tobacco800-train.json [--weights teacher.onnx] \
        [--label handwritten] [--positive 0.6] [--ignore 0.02] [--cache runs/preds-teacher.json]

The rules are in :mod:`penmark.train.pseudo`. ``file_name`` becomes absolute, so the output
can live anywhere. Pseudo-labelled pages are for training only: never evaluate on them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.progress import Progress

from penmark.evaluate import cached_predictions
from penmark.region import CATEGORY_IDS, Region
from penmark.runtime import Detector
from penmark.train.pseudo import pseudo_label


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="COCO file of a real set")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--weights", type=Path, help="teacher ONNX (default: the shipped model)")
    ap.add_argument("--label", default="handwritten", choices=sorted(CATEGORY_IDS))
    ap.add_argument("--positive", type=float, default=0.6)
    ap.add_argument("--ignore", type=float, default=0.02)
    ap.add_argument("--cache", type=Path, help="teacher predictions cache (JSON)")
    args = ap.parse_args()
    det = (
        Detector(args.weights, threshold=0.01)
        if args.weights
        else Detector.pretrained(threshold=0.01)
    )
    data = json.loads(args.data.read_text())
    cid = CATEGORY_IDS[args.label]
    todo = [
        str((args.data.parent / img["file_name"]).resolve())
        for img in data["images"]
        if cid not in img.get("labeled_categories", [1, 2])
    ]
    with Progress() as progress:
        task = progress.add_task("teacher", total=len(todo))

        def detect(name: str) -> list[Region]:
            progress.advance(task)
            return det.detect(name)

        regions = cached_predictions(detect, todo, args.cache)
    out, counts = pseudo_label(data, args.data, regions, args.label, args.positive, args.ignore)
    out["info"] = {
        **data.get("info", {}),
        "pseudo_labels": {
            "teacher": str(args.weights or "shipped"),
            "label": args.label,
            "positive": args.positive,
            "ignore": args.ignore,
            **counts,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out))
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

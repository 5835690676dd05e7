"""Render the worst validation pages of a COCO set for the model card: ground truth in green,
predictions (at the threshold) in the label colours of ``penmark.draw``.

    python scripts/failure_cases.py --data ../shared/datasets/gsa_leases/val.json \
        --out docs/failures

Pages are ranked by misses + false alarms at IoU 0.5 (classes not in ``labeled_categories`` are
ignored, as in ``penmark evaluate``); the ``--top`` worst are saved as PNGs no wider than 1100 px.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from penmark.draw import draw_regions, outline_boxes
from penmark.evaluate import match_count, merge_coco
from penmark.region import LABELS, Region
from penmark.runtime import Detector
from penmark.runtime.detector import DEFAULT_THRESHOLD


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--weights", type=Path, default=None)
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--top", type=int, default=3)
    args = ap.parse_args()
    det = Detector(args.weights) if args.weights else Detector.pretrained()
    gt = merge_coco([args.data])
    scored = []
    for img in gt["images"]:
        labeled = {LABELS[c - 1] for c in img.get("labeled_categories", [1, 2])}
        truth = [
            Region(
                LABELS[a["category_id"] - 1],
                1.0,
                (
                    a["bbox"][0],
                    a["bbox"][1],
                    a["bbox"][0] + a["bbox"][2],
                    a["bbox"][1] + a["bbox"][3],
                ),
            )
            for a in gt["annotations"]
            if a["image_id"] == img["id"] and LABELS[a["category_id"] - 1] in labeled
        ]
        preds = [
            r for r in det.detect(img["file_name"], threshold=args.threshold) if r.label in labeled
        ]
        errors = 0
        for label in labeled:
            g = np.array([r.box for r in truth if r.label == label], np.float32).reshape(-1, 4)
            p = np.array([r.box for r in preds if r.label == label], np.float32).reshape(-1, 4)
            m = match_count(g, p)
            errors += (len(g) - m) + (len(p) - m)
        scored.append((errors, img["file_name"], truth, preds))
    scored.sort(key=lambda s: -s[0])
    args.out.mkdir(parents=True, exist_ok=True)
    for errors, path, truth, preds in scored[: args.top]:
        with Image.open(path) as im:
            page = im.convert("RGB")
        page = outline_boxes(page, truth, {lab: (0, 170, 0) for lab in LABELS}, line_width=9)
        page = draw_regions(page, preds)
        page.thumbnail((1100, 1100))
        name = f"{args.data.parent.name}-{Path(path).stem[:40]}.png"
        page.save(args.out / name)
        print(f"{errors} errors: {name}")


if __name__ == "__main__":
    main()

"""Twin-glyph counts of cached detections, for choosing the print check's settings.

    python scripts/twin_stats.py --cache runs/preds-v7fp32.json --data A.json [--data B.json]
        [--min-score 0.3] --out runs/twins.json

For every detection with score >= --min-score on the listed pages it records the dataset, label,
score, whether it matches a ground-truth box of its class (IoU >= 0.5; None where the page does
not label that class) and the number of twin pairs at IoU 0.80 / 0.85 / 0.90 / 0.95
(penmark.runtime.twins). The print check is then a rule over these rows.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image

from penmark.region import LABELS
from penmark.runtime.postprocess import iou_matrix
from penmark.runtime.twins import region_twins
from penmark.train.data import PageRecord, load_coco

LEVELS = (0.8, 0.85, 0.9, 0.95)


def matches_ground_truth(page: PageRecord, label: str, box: list[float]) -> bool | None:
    """Whether ``box`` overlaps a labelled ``label`` box of ``page`` by IoU >= 0.5; None where
    the page does not label that class exhaustively."""
    cid = LABELS.index(label)
    if not page.labeled[cid]:
        return None
    gt = np.array([b for b, c in zip(page.boxes, page.classes, strict=True) if c == cid],
                  np.float32).reshape(-1, 4)
    return bool(len(gt) and iou_matrix(np.array([box], np.float32), gt).max() >= 0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--data", type=Path, action="append", required=True)
    ap.add_argument("--min-score", type=float, default=0.3)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    cache = json.loads(args.cache.read_text())
    rows = []
    for data in args.data:
        for page in load_coco(data):
            key = str(page.path.resolve())
            regs = [r for r in cache.get(key, []) if r["score"] >= args.min_score]
            if not regs:
                continue
            gray = np.asarray(Image.open(page.path).convert("L"))
            for r in regs:
                tp = matches_ground_truth(page, r["label"], r["box"])
                twins = [region_twins(gray, r["box"], min_iou=t) for t in LEVELS]
                rows.append({"dataset": data.parent.name, "page": page.path.name,
                             "label": r["label"], "score": r["score"], "tp": tp, "twins": twins})
    args.out.write_text(json.dumps(rows))
    print(f"{len(rows)} regions -> {args.out}")


if __name__ == "__main__":
    main()

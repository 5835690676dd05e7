"""Picture what a verifier changes: regions above the threshold before rescoring and below it
after, labelled TRUE (matched a ground-truth box of their label, IoU >= 0.5: a loss) or FALSE
(a false alarm removed: a gain). Val pages only.

    python scripts/veto_examples.py --before runs/preds-v5int8.json \\
        --after runs/preds-v6int8.json --data ../shared/datasets/gsa_leases/val.json ... \\
        --out docs/verifier_vetoes.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from penmark.evaluate import merge_coco
from penmark.runtime.detector import DEFAULT_THRESHOLD
from penmark.runtime.postprocess import iou_matrix

TILE_W, TILE_H, COLS = 430, 150, 3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="prediction cache without the verifier")
    ap.add_argument("--after", required=True, help="cache of the same detector + verifier")
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    before = json.loads(Path(args.before).read_text())
    after = json.loads(Path(args.after).read_text())
    gt = merge_coco(args.data)
    boxes: dict[int, list[tuple[int, list[float]]]] = {}
    for a in gt["annotations"]:
        x, y, w, h = a["bbox"]
        boxes.setdefault(a["image_id"], []).append((a["category_id"], [x, y, x + w, y + h]))
    lost, gained = [], []
    for img in gt["images"]:
        name = img["file_name"]
        old = {(r["label"], tuple(r["box"])): r["score"] for r in before.get(name, [])}
        for r in after.get(name, []):
            s0 = old.get((r["label"], tuple(r["box"])))
            if s0 is None or s0 < args.threshold or r["score"] >= args.threshold:
                continue
            cat = 1 if r["label"] == "handwritten" else 2
            if cat not in img.get("labeled_categories", [1, 2]):
                continue
            same = [b for c, b in boxes.get(img["id"], []) if c == cat]
            iou = iou_matrix(np.array([r["box"]]), np.array(same)).max() if same else 0.0
            (lost if iou >= 0.5 else gained).append((name, r, s0))
    print(f"{len(gained)} false alarms removed, {len(lost)} true regions lost "
          f"(threshold {args.threshold})")
    tiles = []
    for items, tag, colour in ((lost, "TRUE", (200, 0, 0)), (gained, "FALSE", (0, 120, 0))):
        for name, r, s0 in items:
            x0, y0, x1, y1 = r["box"]
            m = 0.3 * (y1 - y0)
            crop = Image.open(name).convert("RGB").crop(
                (int(x0 - m), int(y0 - m), int(x1 + m), int(y1 + m)))
            crop.thumbnail((TILE_W - 10, TILE_H - 30))
            tile = Image.new("RGB", (TILE_W, TILE_H), "white")
            tile.paste(crop, (5, 24))
            ImageDraw.Draw(tile).text(
                (5, 4), f"{tag} {r['label']} {s0:.2f} -> {r['score']:.2f}", fill=colour)
            tiles.append(tile)
    rows = max(1, (len(tiles) + COLS - 1) // COLS)
    sheet = Image.new("RGB", (COLS * TILE_W, rows * TILE_H), "white")
    for i, tile in enumerate(tiles):
        sheet.paste(tile, ((i % COLS) * TILE_W, (i // COLS) * TILE_H))
    sheet.save(args.out)


if __name__ == "__main__":
    main()

"""Pseudo-labels: fill a class that a real set does not label with a teacher's confident regions.

Why: Tobacco800 letters carry real handwriting (dates, notes, names) that is not labelled, so
training masks the whole ``handwritten`` loss on 642 real pages: they teach neither what real
handwriting on real print looks like nor that real typewriting, letterheads and stamps are not
handwriting. A teacher (a detector with its verifier) labels them instead (:func:`pseudo_label`,
``scripts/pseudo_label.py``):

- a region of the label scoring >= ``positive`` becomes a box (``"pseudo": true``);
- every other region of either class scoring >= ``ignore``, padded by half its height, becomes
  an ``iscrowd`` box of the label, which :func:`penmark.train.data.load_coco` turns into an area
  where the heat loss is not counted (the teacher is unsure there), unless it lies on a
  positive's ink (it would mask the positive);
- everything else on the page becomes a negative for the label, which is added to the page's
  ``labeled_categories``. Regions (of either class) lying mostly (>= 50 %) on a ground-truth box
  of another class are dropped, so that ink is a negative too: the page's own labels say it is,
  e.g., a signature.

Pseudo-labelled pages are for training only: never evaluate on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from penmark.formats import region_to_coco_bbox
from penmark.region import CATEGORY_IDS, Region


def _inside(box: Sequence[float], other: Sequence[float]) -> float:
    """Share of ``box`` covered by ``other`` (both xyxy)."""
    iw = max(0.0, min(box[2], other[2]) - max(box[0], other[0]))
    ih = max(0.0, min(box[3], other[3]) - max(box[1], other[1]))
    return iw * ih / max(1e-6, (box[2] - box[0]) * (box[3] - box[1]))


def _padded(r: Region, width: int, height: int) -> list[float]:
    pad = 0.5 * r.height
    x0, y0 = max(0.0, r.box[0] - pad), max(0.0, r.box[1] - pad)
    x1, y1 = min(float(width), r.box[2] + pad), min(float(height), r.box[3] + pad)
    return [x0, y0, x1 - x0, y1 - y0]


def pseudo_label(
    data: dict,
    path: Path,
    regions: dict[str, list[Region]],
    label: str,
    positive: float,
    ignore: float,
) -> tuple[dict, dict[str, int]]:
    """Return a copy of COCO ``data`` with ``label`` filled from ``regions`` (keyed by absolute
    file name) on the images that do not label it, and counts of what was added."""
    cid = CATEGORY_IDS[label]
    anns = list(data["annotations"])
    next_id = max((a["id"] for a in anns), default=0) + 1
    by_image: dict[int, list[dict]] = {}
    for a in anns:
        by_image.setdefault(a["image_id"], []).append(a)
    counts = {"pages": 0, "positive": 0, "ignore": 0, "dropped_on_other_class": 0}
    images = []
    for img in data["images"]:
        img = {**img, "file_name": str((path.parent / img["file_name"]).resolve())}
        labeled = list(img.get("labeled_categories", [1, 2]))
        if cid not in labeled:
            counts["pages"] += 1
            other_bboxes = (
                a["bbox"] for a in by_image.get(img["id"], []) if a["category_id"] != cid
            )
            others = [(x, y, x + w, y + h) for x, y, w, h in other_bboxes]
            positives: list[Region] = []
            unsure: list[Region] = []
            for r in regions[img["file_name"]]:
                if r.score < ignore:
                    continue
                if any(_inside(r.box, o) >= 0.5 for o in others):
                    counts["dropped_on_other_class"] += 1
                elif r.label == label and r.score >= positive:
                    positives.append(r)
                else:
                    unsure.append(r)
            # unsure regions on a positive's ink are left out (an ignore box would mask it)
            unsure = [r for r in unsure if not any(_inside(r.box, p.box) >= 0.5 for p in positives)]
            for r, crowd in [(r, 0) for r in positives] + [(r, 1) for r in unsure]:
                if crowd:
                    bbox, extra = _padded(r, img["width"], img["height"]), {}
                else:
                    bbox, extra = region_to_coco_bbox(r), {"pseudo": True}
                counts["ignore" if crowd else "positive"] += 1
                anns.append(
                    {
                        "id": next_id,
                        "image_id": img["id"],
                        "category_id": cid,
                        "bbox": bbox,
                        "area": bbox[2] * bbox[3],
                        "iscrowd": crowd,
                        "score": round(r.score, 4),
                        **extra,
                    }
                )
                next_id += 1
            img["labeled_categories"] = sorted({*labeled, cid})
        images.append(img)
    return {**data, "images": images, "annotations": anns}, counts

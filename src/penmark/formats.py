"""Converters from :class:`~penmark.region.Region` / :class:`~penmark.region.PageResult` to the
formats users' pipelines read: JSON Lines (the public contract), COCO, CSV and Spark rows.

All conversions live here so that every surface (CLI, HTTP, Spark) emits identical data.

JSON Lines contract (one object per page, stable)::

    {"source": "<path>", "page": 0, "width": W, "height": H,
     "regions": [{"label": "handwritten" | "signature", "score": 0.97, "box": [x0, y0, x1, y1]}]}

A page that failed: ``{"source": "<path>", "error": "<reason>"}`` (``page`` added when known).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from penmark.region import CATEGORY_IDS, LABELS, PageResult, Region

CSV_FIELDS = ("source", "page", "label", "score", "x0", "y0", "x1", "y1")


def _round(v: float, nd: int = 1) -> float:
    return round(float(v), nd)


def region_to_dict(region: Region) -> dict[str, Any]:
    return {
        "label": region.label,
        "score": round(float(region.score), 4),
        "box": [_round(v) for v in region.box],
    }


def region_from_dict(d: dict[str, Any], page: int = 0) -> Region:
    return Region(d["label"], float(d.get("score", 1.0)), tuple(float(v) for v in d["box"]), page)


def page_to_dict(result: PageResult) -> dict[str, Any]:
    """The JSON Lines object of one page (see module docstring)."""
    if result.error is not None:
        out: dict[str, Any] = {"source": result.source}
        if result.page:
            out["page"] = result.page
        out["error"] = result.error
        return out
    out = {
        "source": result.source,
        "page": result.page,
        "width": result.width,
        "height": result.height,
        "regions": [region_to_dict(r) for r in result.regions],
    }
    out.update(result.extra)
    return out


def page_from_dict(d: dict[str, Any]) -> PageResult:
    if "error" in d:
        return PageResult(source=d["source"], page=int(d.get("page", 0)), error=d["error"])
    page = int(d.get("page", 0))
    return PageResult(
        source=d["source"],
        page=page,
        width=int(d["width"]),
        height=int(d["height"]),
        regions=[region_from_dict(r, page) for r in d.get("regions", [])],
    )


def page_to_jsonl(result: PageResult) -> str:
    return json.dumps(page_to_dict(result), ensure_ascii=False)


def coco_categories() -> list[dict[str, Any]]:
    return [{"id": CATEGORY_IDS[n], "name": n, "supercategory": "ink"} for n in LABELS]


def region_to_coco_bbox(region: Region) -> list[float]:
    x0, y0, x1, y1 = region.box
    return [_round(x0, 2), _round(y0, 2), _round(x1 - x0, 2), _round(y1 - y0, 2)]


def coco_results(pages: Iterable[tuple[int, PageResult]]) -> list[dict[str, Any]]:
    """COCO *results* list (``image_id``, ``category_id``, ``bbox``, ``score``)."""
    out = []
    for image_id, result in pages:
        for r in result.regions:
            out.append(
                {
                    "image_id": image_id,
                    "category_id": r.category_id,
                    "bbox": region_to_coco_bbox(r),
                    "score": round(float(r.score), 5),
                }
            )
    return out


def coco_dataset(pages: Iterable[PageResult], min_score: float = 0.0) -> dict[str, Any]:
    """A full COCO dataset (images + annotations) so results open in annotation tools."""
    images, annotations = [], []
    for image_id, result in enumerate((p for p in pages if p.ok), start=1):
        images.append(
            {
                "id": image_id,
                "file_name": result.source,
                "page": result.page,
                "width": result.width,
                "height": result.height,
                "labeled_categories": [1, 2],
            }
        )
        for r in result.regions:
            if r.score < min_score:
                continue
            bbox = region_to_coco_bbox(r)
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image_id,
                    "category_id": r.category_id,
                    "bbox": bbox,
                    "area": round(bbox[2] * bbox[3], 2),
                    "iscrowd": 0,
                    "score": round(float(r.score), 5),
                }
            )
    return {"images": images, "annotations": annotations, "categories": coco_categories()}


def csv_rows(result: PageResult) -> list[dict[str, Any]]:
    """One CSV row per region (fields :data:`CSV_FIELDS`)."""
    return [
        {
            "source": result.source,
            "page": result.page,
            "label": r.label,
            "score": round(float(r.score), 4),
            "x0": _round(r.box[0]),
            "y0": _round(r.box[1]),
            "x1": _round(r.box[2]),
            "y1": _round(r.box[3]),
        }
        for r in result.regions
    ]


def page_summary(result: PageResult) -> dict[str, Any]:
    """Per-page summary: signed flag and counts per label."""
    if not result.ok:
        return {"source": result.source, "page": result.page, "error": result.error}
    return {"source": result.source, "page": result.page, "signed": result.signed, **result.counts()}


def spark_region_structs(result: PageResult) -> list[dict[str, Any]]:
    """Regions in the Visual NLP coordinate schema:
    ``struct<index:int, page:int, x:int, y:int, width:int, height:int, score:float, label:string>``.
    """
    out = []
    for i, r in enumerate(result.regions):
        x0, y0, x1, y1 = r.box
        out.append(
            {
                "index": i,
                "page": r.page,
                "x": int(round(x0)),
                "y": int(round(y0)),
                "width": int(round(x1 - x0)),
                "height": int(round(y1 - y0)),
                "score": float(r.score),
                "label": r.label,
            }
        )
    return out

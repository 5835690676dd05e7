"""Converters from :class:`~penmark.region.Region` / :class:`~penmark.region.PageResult` to the
formats users' pipelines read: JSON Lines (the public contract), COCO, CSV and Spark rows.

All conversions live here so that every surface (CLI, HTTP, Spark) emits identical data.

JSON Lines contract (one object per page, stable)::

    {"source": "<path>", "page": 0, "width": W, "height": H,
     "regions": [{"label": "handwritten" | "signature", "score": 0.97, "box": [x0, y0, x1, y1]}]}

A page that failed: ``{"source": "<path>", "error": "<reason>"}`` (``page`` added when known).

Optional additions (readers must ignore keys they do not know): ``"orientation": 0|90|180|270``
(how the page was turned to read it; boxes are still on the page as displayed) and for PDF pages
``"pdf": {"dpi", "points_per_pixel", "size_pt", "pixel_to_pdf": [a, b, c, d, e, f]}``, with
each region then also carrying ``"box_pt"`` (PDF points, top-left origin, page as displayed)
and ``"box_pdf"`` (PDF user space, bottom-left origin: what PDF libraries use to annotate
the original file).
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
    pdf = result.extra.get("pdf") if isinstance(result.extra.get("pdf"), dict) else None
    regions = [region_to_dict(r) for r in result.regions]
    if pdf and pdf.get("points_per_pixel"):
        scale = pdf["points_per_pixel"]
        size_pt = pdf.get("size_pt")
        if size_pt and len(size_pt) == 2 and result.width and result.height:
            scale = (size_pt[0] / result.width, size_pt[1] / result.height)
        for d, r in zip(regions, result.regions, strict=True):
            d.update(region_pdf_boxes(r, scale, pdf.get("pixel_to_pdf")))
    out = {
        "source": result.source,
        "page": result.page,
        "width": result.width,
        "height": result.height,
        "regions": regions,
    }
    out.update(result.extra)
    return out


def region_pdf_boxes(
    region: Region,
    points_per_pixel: float | tuple[float, float],
    pixel_to_pdf: list[float] | None = None,
) -> dict[str, list[float]]:
    """``box_pt`` (top-left origin, as displayed; ``points_per_pixel`` one scale or ``(sx, sy)``)
    and, given the page's affine pixel -> PDF
    user-space matrix ``[a, b, c, d, e, f]`` (x' = a x + c y + e, y' = b x + d y + f),
    ``box_pdf``."""
    if isinstance(points_per_pixel, (tuple, list)):
        sx, sy = points_per_pixel
    else:
        sx = sy = float(points_per_pixel)
    bx0, by0, bx1, by1 = region.box
    box_pt = [bx0 * sx, by0 * sy, bx1 * sx, by1 * sy]
    out = {"box_pt": [round(v, 2) for v in box_pt]}
    if pixel_to_pdf and len(pixel_to_pdf) == 6:
        a, b, c, d, e, f = pixel_to_pdf
        x0, y0, x1, y1 = region.box
        xs, ys = [], []
        for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
            xs.append(a * x + c * y + e)
            ys.append(b * x + d * y + f)
        out["box_pdf"] = [round(v, 2) for v in (min(xs), min(ys), max(xs), max(ys))]
    return out


_CORE_KEYS = {"source", "page", "width", "height", "regions", "error"}


def page_from_dict(d: dict[str, Any]) -> PageResult:
    """Inverse of :func:`page_to_dict`; unknown top-level keys go back into ``extra``."""
    if "error" in d:
        return PageResult(source=d["source"], page=int(d.get("page", 0)), error=d["error"])
    page = int(d.get("page", 0))
    return PageResult(
        source=d["source"],
        page=page,
        width=int(d["width"]),
        height=int(d["height"]),
        regions=[region_from_dict(r, page) for r in d.get("regions", [])],
        extra={k: v for k, v in d.items() if k not in _CORE_KEYS},
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
                # a saved page image (``--save-pages``) when there is one: PDF pages and TIFF
                # frames then open in annotation tools like plain images
                "file_name": result.extra.get("image_file", result.source),
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
    return {
        "source": result.source,
        "page": result.page,
        "signed": result.signed,
        **result.counts(),
    }


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


def region_from_spark_struct(d: dict[str, Any]) -> Region:
    """Inverse of :func:`spark_region_structs` for one struct (a dict or a Spark ``Row``):
    integer ``x, y, width, height`` back to an ``(x0, y0, x1, y1)`` box."""
    x, y = float(d["x"]), float(d["y"])
    box = (x, y, x + float(d["width"]), y + float(d["height"]))
    return Region(str(d["label"]), float(d["score"]), box, int(d["page"]))


def document_summaries(pages: Iterable[PageResult]) -> list[dict[str, Any]]:
    """Per-document summary (in first-seen order): page counts, ``signed``, the 0-based pages
    that carry a signature, counts per label and the errors of failed pages."""
    docs: dict[str, dict[str, Any]] = {}
    for p in pages:
        d = docs.setdefault(
            p.source,
            {
                "source": p.source,
                "pages": 0,
                "pages_failed": 0,
                "signed": False,
                "signed_pages": [],
                **{name: 0 for name in LABELS},
                "errors": [],
            },
        )
        d["pages"] += 1
        if not p.ok:
            d["pages_failed"] += 1
            d["errors"].append({"page": p.page, "error": p.error})
            continue
        for name, n in p.counts().items():
            d[name] += n
        if p.signed:
            d["signed"] = True
            d["signed_pages"].append(p.page)
    for d in docs.values():
        d["signed_pages"].sort()
    return list(docs.values())


def summary(pages: Iterable[PageResult]) -> dict[str, Any]:
    """The ``--summary`` file: ``{"pages": [...], "documents": [...], "totals": {...}}``."""
    pages = list(pages)
    docs = document_summaries(pages)
    totals = {
        "documents": len(docs),
        "documents_signed": sum(d["signed"] for d in docs),
        "pages": len(pages),
        "pages_failed": sum(not p.ok for p in pages),
        **{name: sum(d[name] for d in docs) for name in LABELS},
    }
    return {"pages": [page_summary(p) for p in pages], "documents": docs, "totals": totals}


def coco_results_from_pages(pages: Iterable[PageResult]) -> list[dict[str, Any]]:
    """COCO results whose ``image_id`` match :func:`coco_dataset` of the same pages (failed pages
    get no image there, so they are skipped in both)."""
    return coco_results(enumerate((p for p in pages if p.ok), start=1))

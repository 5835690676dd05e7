"""Evaluation: standard COCO AP (pycocotools) per class, precision/recall at a threshold, and
page-level "signed" accuracy, honouring partial labels.

Partial labels: on an image whose ``labeled_categories`` does not list a class, both the ground
truth and the predictions of that class are dropped before scoring, so unlabelled handwriting on
Tobacco800 pages neither hides a miss nor counts as a false alarm.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from penmark.formats import region_from_dict, region_to_dict
from penmark.region import CATEGORY_IDS, LABELS, Region
from penmark.runtime.detector import DEFAULT_THRESHOLD
from penmark.runtime.postprocess import iou_matrix


@dataclass
class ClassMetrics:
    ap50: float
    ap: float  # AP50:95
    precision: float
    recall: float
    gt: int
    predictions: int


@dataclass
class EvalResult:
    images: int
    per_class: dict[str, ClassMetrics] = field(default_factory=dict)
    signed_accuracy: float | None = None
    signed_pages: int = 0
    threshold: float = DEFAULT_THRESHOLD
    false_alarms_per_page: float = 0.0  # unmatched predictions at the threshold, labelled classes

    def to_dict(self) -> dict[str, Any]:
        return {
            "images": self.images,
            "threshold": self.threshold,
            "signed_accuracy": self.signed_accuracy,
            "signed_pages": self.signed_pages,
            "false_alarms_per_page": self.false_alarms_per_page,
            "per_class": {k: vars(v) for k, v in self.per_class.items()},
        }


def _labeled(img: dict) -> set[int]:
    return set(img.get("labeled_categories", CATEGORY_IDS.values()))


def _coco_ap(gt: dict, dets: list[dict], cat_id: int) -> tuple[float, float]:
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    gts = [a for a in gt["annotations"] if a["category_id"] == cat_id]
    if not gts:
        return float("nan"), float("nan")
    ds = {**gt, "annotations": gts}
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = ds
        coco.createIndex()
        cd = [d for d in dets if d["category_id"] == cat_id]
        if not cd:
            return 0.0, 0.0
        res = coco.loadRes(cd)
        ev = COCOeval(coco, res, "bbox")
        ev.params.catIds = [cat_id]
        ev.params.maxDets = [1, 10, 100]
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return float(ev.stats[1]), float(ev.stats[0])


def true_positives(gt_boxes: np.ndarray, pr_boxes: np.ndarray, iou_thr: float = 0.5
                   ) -> np.ndarray:
    """Per prediction, whether it is a true positive under COCO's greedy one-to-one matching
    (predictions sorted by score by the caller; each takes the best-overlapping free truth)."""
    tp = np.zeros(len(pr_boxes), bool)
    if len(gt_boxes) == 0 or len(pr_boxes) == 0:
        return tp
    iou = iou_matrix(pr_boxes, gt_boxes)
    used = np.zeros(len(gt_boxes), bool)
    for i in range(len(pr_boxes)):
        cand = np.where(~used & (iou[i] >= iou_thr))[0]
        if len(cand):
            used[cand[np.argmax(iou[i, cand])]] = True
            tp[i] = True
    return tp


def match_count(gt_boxes: np.ndarray, pr_boxes: np.ndarray, iou_thr: float = 0.5) -> int:
    """Greedy one-to-one matches (predictions sorted by score by the caller)."""
    return int(true_positives(gt_boxes, pr_boxes, iou_thr).sum())


def evaluate_predictions(
    gt: dict, predictions: dict[int, list[Region]], threshold: float = DEFAULT_THRESHOLD
) -> EvalResult:
    """Score ``predictions`` (image id -> regions in image pixels) against a COCO dict ``gt``."""
    images = {img["id"]: img for img in gt["images"]}
    annotations = [
        a for a in gt["annotations"] if a["category_id"] in _labeled(images[a["image_id"]])
    ]
    gt_clean = {"images": gt["images"], "annotations": [], "categories": gt["categories"]}
    for i, a in enumerate(annotations, start=1):
        gt_clean["annotations"].append(
            {
                **a,
                "id": i,
                "iscrowd": a.get("iscrowd", 0),
                "area": a.get("area", a["bbox"][2] * a["bbox"][3]),
            }
        )
    dets = []
    for image_id, regions in predictions.items():
        lab = _labeled(images[image_id])
        for r in regions:
            if r.category_id in lab:
                x0, y0, x1, y1 = r.box
                dets.append(
                    {
                        "image_id": image_id,
                        "category_id": r.category_id,
                        "bbox": [x0, y0, x1 - x0, y1 - y0],
                        "score": r.score,
                    }
                )
    result = EvalResult(images=len(images), threshold=threshold)
    false_alarms = 0
    for name in LABELS:
        cid = CATEGORY_IDS[name]
        ap50, ap = _coco_ap(gt_clean, dets, cid)
        tp = n_gt = n_pred = 0
        for image_id, img in images.items():
            if cid not in _labeled(img):
                continue
            g = np.array(
                [
                    [
                        a["bbox"][0],
                        a["bbox"][1],
                        a["bbox"][0] + a["bbox"][2],
                        a["bbox"][1] + a["bbox"][3],
                    ]
                    for a in annotations
                    if a["image_id"] == image_id and a["category_id"] == cid
                ],
                np.float32,
            ).reshape(-1, 4)
            preds = sorted(
                (
                    r
                    for r in predictions.get(image_id, [])
                    if r.label == name and r.score >= threshold
                ),
                key=lambda r: -r.score,
            )
            p = np.array([r.box for r in preds], np.float32).reshape(-1, 4)
            matched = match_count(g, p)
            tp += matched
            false_alarms += len(p) - matched
            n_gt += len(g)
            n_pred += len(p)
        result.per_class[name] = ClassMetrics(
            ap50=ap50,
            ap=ap,
            precision=tp / n_pred if n_pred else float("nan"),
            recall=tp / n_gt if n_gt else float("nan"),
            gt=n_gt,
            predictions=n_pred,
        )
    result.false_alarms_per_page = false_alarms / max(1, len(images))
    sig = CATEGORY_IDS["signature"]
    correct = total = 0
    for image_id, img in images.items():
        if sig not in _labeled(img):
            continue
        truth = any(a["image_id"] == image_id and a["category_id"] == sig for a in annotations)
        pred = any(
            r.label == "signature" and r.score >= threshold for r in predictions.get(image_id, [])
        )
        correct += truth == pred
        total += 1
    result.signed_pages = total
    result.signed_accuracy = correct / total if total else None
    return result


def cached_predictions(
    detect: Callable[[str], list[Region]], files: Iterable[str], cache: Path | None = None
) -> dict[str, list[Region]]:
    """``detect`` on each file, remembered in ``cache`` (JSON keyed by file name).

    Run the detector once at a low threshold and cache it: AP does not depend on the threshold,
    so threshold sweeps and error breakdowns of the same weights then cost no inference. The
    cache belongs to one set of weights; use a new file for new weights.
    """
    files = list(files)
    known: dict[str, list[dict]] = {}
    if cache and cache.exists():
        known = json.loads(cache.read_text())
    missing = [f for f in files if f not in known]
    for name in missing:
        known[name] = [region_to_dict(r) for r in detect(name)]
    if cache and missing:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(known))
    return {n: [region_from_dict(d) for d in known[n]] for n in files}


def merge_coco(paths: Iterable[str | Path]) -> dict[str, Any]:
    """Union of COCO files (ids renumbered, ``file_name`` made absolute), to score several
    validation sets as one."""
    images, annotations = [], []
    categories = None
    for path in paths:
        path = Path(path)
        data = json.loads(path.read_text())
        categories = categories or data["categories"]
        remap = {}
        for img in data["images"]:
            remap[img["id"]] = len(images) + 1
            images.append(
                {
                    **img,
                    "id": remap[img["id"]],
                    "file_name": str((path.parent / img["file_name"]).resolve()),
                }
            )
        for a in data["annotations"]:
            annotations.append({**a, "id": len(annotations) + 1, "image_id": remap[a["image_id"]]})
    return {"images": images, "annotations": annotations, "categories": categories or []}


@dataclass
class PageMatches:
    """What AP50 of one class needs, page by page: each page's detection scores, whether each
    is a true positive at IoU 0.5 (COCO's greedy matching, best 100 per page), and its number
    of ground-truth boxes. Pages are independent, so AP of any multiset of pages (a bootstrap
    resample) is computed from these without matching again."""

    scores: list[np.ndarray]
    tp: list[np.ndarray]
    n_gt: np.ndarray


def page_matches(gt: dict, predictions: dict[int, list[Region]], label: str) -> PageMatches:
    """:class:`PageMatches` of ``label`` for the pages of ``gt`` (pages that do not list the
    class in ``labeled_categories`` get nothing, as in :func:`evaluate_predictions`)."""
    cid = CATEGORY_IDS[label]
    scores, tps, n_gt = [], [], []
    for img in gt["images"]:
        if cid not in _labeled(img):
            scores.append(np.zeros(0))
            tps.append(np.zeros(0, bool))
            n_gt.append(0)
            continue
        g = np.array([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2],
                       a["bbox"][1] + a["bbox"][3]] for a in gt["annotations"]
                      if a["image_id"] == img["id"] and a["category_id"] == cid],
                     np.float32).reshape(-1, 4)
        preds = sorted((r for r in predictions.get(img["id"], []) if r.label == label),
                       key=lambda r: -r.score)[:100]
        scores.append(np.array([r.score for r in preds], np.float64))
        tps.append(true_positives(g, np.array([r.box for r in preds], np.float32).reshape(-1, 4)))
        n_gt.append(len(g))
    return PageMatches(scores, tps, np.array(n_gt))


def ap50_from_matches(m: PageMatches, pages: Iterable[int] | None = None) -> float:
    """COCO AP at IoU 0.5 (101-point interpolated precision) over ``pages`` (indices, repeats
    allowed; default all). NaN when those pages hold no ground truth."""
    idx = list(range(len(m.n_gt))) if pages is None else list(pages)
    n_pos = int(m.n_gt[idx].sum()) if idx else 0
    if n_pos == 0:
        return float("nan")
    scores = np.concatenate([m.scores[i] for i in idx])
    tp = np.concatenate([m.tp[i] for i in idx])
    order = np.argsort(-scores, kind="mergesort")
    tp_cum = np.cumsum(tp[order])
    fp_cum = np.cumsum(~tp[order])
    recall = tp_cum / n_pos
    precision = tp_cum / np.maximum(tp_cum + fp_cum, np.finfo(np.float64).eps)
    precision = np.maximum.accumulate(precision[::-1])[::-1]  # the envelope, as COCO
    at = np.searchsorted(recall, np.linspace(0.0, 1.0, 101), side="left")
    return float(np.where(at < len(precision), precision[np.minimum(at, len(precision) - 1)],
                          0.0).mean())


def paired_bootstrap(
    gt: dict,
    a: dict[int, list[Region]],
    b: dict[int, list[Region]],
    rounds: int = 2000,
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """How sure is "b is better (or worse) than a" on these pages? Per class: AP50 of ``a``
    and ``b``, their difference ``b - a``, and its 2.5 / 97.5 % quantiles over ``rounds``
    resamples of the pages with replacement (the same pages for both: a paired test), plus the
    share of resamples where ``b`` is not worse. Why: a val split of 9 or 76 boxes moves by a
    box's worth of AP between two equally good models; this says how big that is."""
    rng = np.random.default_rng(seed)
    n = len(gt["images"])
    draws = rng.integers(0, n, size=(rounds, n))
    out: dict[str, dict[str, float]] = {}
    for label in LABELS:
        ma, mb = page_matches(gt, a, label), page_matches(gt, b, label)
        if ma.n_gt.sum() == 0:
            continue
        diffs = np.array([ap50_from_matches(mb, d) - ap50_from_matches(ma, d) for d in draws])
        diffs = diffs[~np.isnan(diffs)]
        ap_a, ap_b = ap50_from_matches(ma), ap50_from_matches(mb)
        out[label] = {
            "gt": int(ma.n_gt.sum()), "ap50_a": ap_a, "ap50_b": ap_b, "diff": ap_b - ap_a,
            "low": float(np.quantile(diffs, 0.025)), "high": float(np.quantile(diffs, 0.975)),
            "b_not_worse": float((diffs >= 0).mean()),
        }
    return out


def format_table(rows: list[tuple[str, EvalResult]]) -> str:
    """Markdown table: one row per (dataset, class)."""
    lines = [
        "| data | class | AP50 | AP50:95 | P@thr | R@thr | GT | signed acc |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, res in rows:
        if all(m.gt == 0 for m in res.per_class.values()):
            lines.append(
                f"| {name} | (no objects) | | | | | 0 | false alarms/page "
                f"{res.false_alarms_per_page:.3f} |"
            )
        for cls, m in res.per_class.items():
            if m.gt == 0:
                continue
            signed = (
                f"{res.signed_accuracy:.3f}"
                if cls == "signature" and res.signed_accuracy is not None
                else ""
            )
            lines.append(
                f"| {name} | {cls} | {m.ap50:.3f} | {m.ap:.3f} | {m.precision:.3f} | "
                f"{m.recall:.3f} | {m.gt} | {signed} |"
            )
    return "\n".join(lines)


def pick_threshold(pooled_f1: dict[float, float], tie: float = 0.005) -> float:
    """The release rule for the default threshold (MODEL_CARD.md): the threshold with the best
    pooled F1; any threshold within ``tie`` of the best counts as tied, and of tied ones the
    lowest wins (more recall for the same F1). NaN scores (no ground truth) are ignored."""
    scores = {t: f for t, f in pooled_f1.items() if f == f}
    if not scores:
        raise ValueError("no threshold has a pooled F1")
    best = max(scores.values())
    return min(t for t, f in scores.items() if f >= best - tie)

"""Network output -> :class:`~penmark.region.Region` list (peak gathering, box decoding, NMS)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from penmark.region import Region


def decode(
    heat: np.ndarray,
    ltrb: np.ndarray,
    stride: int,
    threshold: float,
    max_regions: int = 300,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gather peak cells above ``threshold``.

    ``heat``: ``(C, gh, gw)`` peak-only scores; ``ltrb``: ``(4, gh, gw)`` distances in input pixels.
    Returns ``boxes (K, 4)`` in input pixels, ``scores (K,)`` and ``classes (K,)``.
    """
    cls, ys, xs = np.nonzero(heat >= threshold)
    scores = heat[cls, ys, xs]
    if len(scores) > max_regions:
        keep = np.argsort(-scores)[:max_regions]
        cls, ys, xs, scores = cls[keep], ys[keep], xs[keep], scores[keep]
    cx = (xs.astype(np.float32) + 0.5) * stride
    cy = (ys.astype(np.float32) + 0.5) * stride
    d = ltrb[:, ys, xs]
    boxes = np.stack([cx - d[0], cy - d[1], cx + d[2], cy + d[3]], axis=1)
    return boxes, scores.astype(np.float32), cls


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of ``(N, 4)`` and ``(M, 4)`` xyxy boxes."""
    ix0 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy0 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix1 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy1 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression; also drops a box mostly contained in a higher-scoring one
    (a fragment of a long handwritten line or of a signature). Returns kept indices."""
    order = np.argsort(-scores)
    boxes = boxes[order]
    iou = iou_matrix(boxes, boxes)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    ix0 = np.maximum(boxes[:, None, 0], boxes[None, :, 0])
    iy0 = np.maximum(boxes[:, None, 1], boxes[None, :, 1])
    ix1 = np.minimum(boxes[:, None, 2], boxes[None, :, 2])
    iy1 = np.minimum(boxes[:, None, 3], boxes[None, :, 3])
    inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
    contained = inter / np.maximum(area[:, None], 1e-9)  # share of box i inside box j
    keep: list[int] = []
    suppressed = np.zeros(len(boxes), dtype=bool)
    for i in range(len(boxes)):
        if suppressed[i]:
            continue
        keep.append(i)
        later = np.arange(i + 1, len(boxes))
        suppressed[later] |= (iou[i, later] > iou_threshold) | (contained[later, i] > 0.8)
    return order[np.array(keep, dtype=np.int64)] if keep else np.zeros(0, dtype=np.int64)


def to_regions(
    boxes: np.ndarray,
    scores: np.ndarray,
    classes: np.ndarray,
    labels: Sequence[str],
    scale: tuple[float, float],
    width: int,
    height: int,
    page: int = 0,
    iou_threshold: float = 0.5,
    cross_class_iou: float | None = None,
) -> list[Region]:
    """Class-wise NMS, then cross-class suppression (the same ink is either a signature or
    handwriting: of two boxes of different classes overlapping by more than ``cross_class_iou``,
    the lower-scoring one goes), map boxes from network input to page pixels (``scale`` =
    network pixels per page pixel in x and y), clip, sort by score."""
    out: list[Region] = []
    kept = [
        idx[nms(boxes[idx], scores[idx], iou_threshold)]
        for idx in (np.nonzero(classes == c)[0] for c in np.unique(classes))
    ]
    keep_all = np.concatenate(kept) if kept else np.zeros(0, np.int64)
    if cross_class_iou is not None and len(keep_all) > 1:
        order = keep_all[np.argsort(-scores[keep_all])]
        iou = iou_matrix(boxes[order], boxes[order])
        other = classes[order][:, None] != classes[order][None, :]
        dropped = np.zeros(len(order), bool)
        for i in range(len(order)):
            if not dropped[i]:
                later = np.arange(i + 1, len(order))
                dropped[later] |= other[i, later] & (iou[i, later] > cross_class_iou)
        keep_all = order[~dropped]
    for c in np.unique(classes):
        for k in keep_all[classes[keep_all] == c]:
            sx, sy = scale
            x0, y0, x1, y1 = (boxes[k] / np.array([sx, sy, sx, sy], np.float32)).tolist()
            r = Region(labels[int(c)], float(scores[k]), (x0, y0, max(x0, x1), max(y0, y1)), page)
            r = r.clipped(width, height)
            if r.width >= 2 and r.height >= 2:
                out.append(r)
    out.sort(key=lambda r: -r.score)
    return out

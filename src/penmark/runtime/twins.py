"""Print check: typeset text repeats its glyphs exactly, a hand never does.

Why: most of the detector's remaining false alarms are lines printed in handwriting or script
faces ("Best wishes", "With compliments", typed dates in comb boxes; MODEL_CARD.md). At the
detector's and the verifier's resolutions such a line and a neat handwritten one look alike.
What tells them apart is regularity: a font draws every "e" of a line with the same pixels, while
two letters written by hand always differ a little in size and shape. This module cuts a region
from the page at full resolution, splits its ink into connected components (roughly glyphs) and
counts *twins*: pairs of glyph-sized components of the same size whose ink masks overlap almost
perfectly. A handwritten region with enough twins has its score lowered (:class:`PrintCheck`).

Pure numpy (no OpenCV/scipy at run time); a region costs a few milliseconds, and only regions
that could still be reported are checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from penmark.region import Region


@dataclass(frozen=True)
class Glyph:
    """One connected ink component: its bounding box in crop pixels and its mask."""

    y0: int
    x0: int
    mask: np.ndarray  # bool (h, w)


def otsu_threshold(gray: np.ndarray) -> int:
    """Otsu's grey level for a uint8 array (ink is at or below the level)."""
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    p = hist / max(hist.sum(), 1.0)
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(256))
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu[-1] * omega - mu) ** 2 / (omega * (1.0 - omega))
    between = np.nan_to_num(between)
    return int(np.argmax(between))


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal runs of True: row, start, end (exclusive), in row-major order."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    ys, starts = np.nonzero(d == 1)
    _, ends = np.nonzero(d == -1)
    return ys, starts, ends


def connected_components(mask: np.ndarray) -> list[Glyph]:
    """8-connected components of a boolean mask (runs joined with a union-find)."""
    ys, starts, ends = _runs(mask)
    n = len(ys)
    if n == 0:
        return []
    parent = np.arange(n)

    def find(a: int) -> int:
        root = a
        while parent[root] != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return root

    row_first = np.searchsorted(ys, np.arange(mask.shape[0] + 1))
    for y in range(1, mask.shape[0]):
        a0, a1 = row_first[y - 1], row_first[y]
        b0, b1 = row_first[y], row_first[y + 1]
        if a0 == a1 or b0 == b1:
            continue
        # runs of row y-1 that touch run j of row y (8-connected: one pixel of slack)
        lo = np.searchsorted(ends[a0:a1], starts[b0:b1], side="left")  # first with end >= start
        hi = np.searchsorted(starts[a0:a1], ends[b0:b1] + 1, side="left")  # starts <= end
        for j in range(b1 - b0):
            for i in range(lo[j], hi[j]):
                ra, rb = find(a0 + i), find(b0 + j)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(i) for i in range(n)])
    glyphs = []
    order = np.argsort(roots, kind="stable")
    cuts = np.flatnonzero(np.diff(roots[order])) + 1
    for idx in np.split(order, cuts):
        gy, gs, ge = ys[idx], starts[idx], ends[idx]
        y0, x0 = int(gy.min()), int(gs.min())
        m = np.zeros((int(gy.max()) - y0 + 1, int(ge.max()) - x0), bool)
        for y, s, e in zip(gy, gs, ge, strict=True):
            m[y - y0, s - x0 : e - x0] = True
        glyphs.append(Glyph(y0, x0, m))
    return glyphs


def _best_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two masks, best over the (at most 2 x 2 x 2 x 2) alignments of their common size."""
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    best = 0.0
    for dy in range(a.shape[0] - h + 1):
        for dx in range(a.shape[1] - w + 1):
            ca = a[dy : dy + h, dx : dx + w]
            for ey in range(b.shape[0] - h + 1):
                for ex in range(b.shape[1] - w + 1):
                    cb = b[ey : ey + h, ex : ex + w]
                    union = np.count_nonzero(ca | cb)
                    if union:
                        best = max(best, np.count_nonzero(ca & cb) / union)
    return best


def twin_pairs(
    gray: np.ndarray,
    min_iou: float = 0.9,
    min_height: int = 8,
    min_width: int = 6,
    min_ink: int = 30,
) -> list[tuple[Glyph, Glyph]]:
    """Twin glyph pairs in a uint8 grey crop (positions in crop pixels), to count or draw.

    Components smaller than ``min_height`` x ``min_width`` or with fewer than ``min_ink`` ink
    pixels are ignored (dots, commas and thin strokes match by chance); two components are
    twins if their sizes differ by at most one pixel each way and their masks overlap with IoU
    of at least ``min_iou``.
    """
    if gray.size < 100:
        return []
    mask = gray <= otsu_threshold(gray)
    sized = [  # (glyph, its ink pixels), large enough to compare
        (g, n)
        for g in connected_components(mask)
        if g.mask.shape[0] >= min_height
        and g.mask.shape[1] >= min_width
        and (n := np.count_nonzero(g.mask)) >= min_ink
    ]
    sized.sort(key=lambda gn: gn[0].mask.shape)
    pairs = []
    for i, (a, ink_a) in enumerate(sized):
        for b, ink_b in sized[i + 1 :]:
            if b.mask.shape[0] - a.mask.shape[0] > 1:
                break  # sorted by height: no later glyph is within one pixel
            if abs(b.mask.shape[1] - a.mask.shape[1]) > 1:
                continue
            small, large = sorted((ink_a, ink_b))
            if small < min_iou * large:
                continue  # IoU <= small / large: cannot reach min_iou
            if _best_overlap(a.mask, b.mask) >= min_iou:
                pairs.append((a, b))
    return pairs


def count_twins(gray: np.ndarray, **kwargs: float) -> int:
    """Number of twin glyph pairs in a uint8 grey crop (:func:`twin_pairs`)."""
    return len(twin_pairs(gray, **kwargs))


def box_crop(gray_page: np.ndarray, box: Sequence[float]) -> np.ndarray:
    """The pixels of one ``(x0, y0, x1, y1)`` box of a grey page array (clipped to the page)."""
    x0, y0, x1, y1 = (int(round(float(v))) for v in box)
    h, w = gray_page.shape
    return gray_page[max(0, y0) : min(h, y1), max(0, x0) : min(w, x1)]


def region_twins(gray_page: np.ndarray, box: Sequence[float], **kwargs: float) -> int:
    """:func:`count_twins` for one ``(x0, y0, x1, y1)`` box of a grey page array."""
    return count_twins(box_crop(gray_page, box), **kwargs)


@dataclass(frozen=True)
class PrintCheck:
    """Lower the score of regions whose ink repeats glyphs exactly.

    A region labelled one of ``labels`` with at least ``min_twins`` twin pairs (IoU >=
    ``min_iou``) keeps ``factor`` of its score. Signatures are not checked by default: scanned
    signatures often contain repeated specks and printed names on the same line.
    """

    labels: tuple[str, ...] = ("handwritten",)
    min_twins: int = 1
    min_iou: float = 0.95
    factor: float = 0.5

    def apply(
        self, image: Image.Image | np.ndarray, regions: Sequence[Region], threshold: float = 0.0
    ) -> list[Region]:
        """The regions with demoted scores (boxes and order unchanged). Regions already below
        ``threshold`` are not checked: the check only lowers scores, so they stay below it."""
        out = list(regions)
        todo = [i for i, r in enumerate(regions) if r.label in self.labels and r.score >= threshold]
        if not todo:
            return out
        gray = _gray(image)
        for i in todo:
            if region_twins(gray, regions[i].box, min_iou=self.min_iou) >= self.min_twins:
                out[i] = replace(regions[i], score=float(regions[i].score * self.factor))
        return out


def _gray(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, np.ndarray):
        return image if image.ndim == 2 else np.asarray(Image.fromarray(image).convert("L"))
    return np.asarray(image.convert("L"))

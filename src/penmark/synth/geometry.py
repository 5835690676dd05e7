"""Page skew by two integer band shears, with the exact same mapping for ink coordinates.

A PIL rotate of a 1700x2200 RGB page costs ~90 ms on our CPUs, more than the whole page budget.
A small-angle rotation is almost exactly a horizontal shear followed by a vertical shear; with
integer shifts each shear is ~100 slice copies of whole row/column bands (a few ms), and it looks
like a nearest-neighbour rotation (1 px steps every ~20 px), which blur/JPEG soften as on a real
scan. Because the shifts are integers we can map every ink pixel exactly, so boxes stay tight.
"""

from __future__ import annotations

import math

import numpy as np


def _row_shift(n: int, slope: float, centre: float) -> np.ndarray:
    return np.round(slope * (np.arange(n) + 0.5 - centre)).astype(np.int64)


def _bands(shift: np.ndarray) -> list[tuple[int, int, int]]:
    """Runs of equal shift: (start, stop, shift)."""
    change = np.flatnonzero(np.diff(shift)) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [len(shift)]])
    return [(int(a), int(b), int(shift[a])) for a, b in zip(starts, stops, strict=True)]


def shear_skew(a: np.ndarray, angle: float, fill: int | tuple[int, ...]) -> np.ndarray:
    """Skew an (H, W[, C]) array by ~``angle`` degrees counter-clockwise (PIL's convention)."""
    if not angle:
        return a
    h, w = a.shape[:2]
    s = math.sin(math.radians(angle))
    tmp = np.empty_like(a)
    tmp[...] = fill
    for y0, y1, d in _bands(_row_shift(h, s, h / 2.0)):
        if d >= 0:
            tmp[y0:y1, d:] = a[y0:y1, : w - d]
        else:
            tmp[y0:y1, : w + d] = a[y0:y1, -d:]
    out = np.empty_like(a)
    out[...] = fill
    for x0, x1, d in _bands(_row_shift(w, -s, w / 2.0)):
        if d >= 0:
            out[d:, x0:x1] = tmp[: h - d, x0:x1]
        else:
            out[: h + d, x0:x1] = tmp[-d:, x0:x1]
    return out


def skew_points(xs: np.ndarray, ys: np.ndarray, w: int, h: int, angle: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """Map integer pixel coordinates through :func:`shear_skew` (same shifts, exactly)."""
    if not angle:
        return xs, ys
    s = math.sin(math.radians(angle))
    rs = _row_shift(h, s, h / 2.0)
    x1 = xs + rs[np.clip(ys, 0, h - 1)]
    cs = _row_shift(w, -s, w / 2.0)
    y1 = ys + cs[np.clip(x1, 0, w - 1)]
    return x1, y1


def quarter_box(box: tuple[int, int, int, int], w: int, h: int, quarter: int
                ) -> tuple[int, int, int, int]:
    """Box after PIL ``transpose`` ROTATE_90 (1), ROTATE_180 (2) or ROTATE_270 (3) of a w x h
    page (counter-clockwise), with exclusive x1/y1."""
    x0, y0, x1, y1 = box
    if quarter == 1:  # (x, y) -> (y, w - x)
        return (y0, w - x1, y1, w - x0)
    if quarter == 2:
        return (w - x1, h - y1, w - x0, h - y0)
    if quarter == 3:  # (x, y) -> (h - y, x)
        return (h - y1, x0, h - y0, x1)
    return box


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3x3 matrix mapping 4 ``src`` points to 4 ``dst`` points."""
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    h = np.linalg.solve(np.asarray(a, float), np.asarray(b, float))
    return np.append(h, 1.0).reshape(3, 3)


def keystone(w: int, h: int, rng, strength: float) -> tuple[np.ndarray, tuple[float, ...]]:
    """A small random perspective (page not flat on the glass / photographed at an angle).

    Returns the forward 3x3 homography (page -> image) and the 8 PIL ``PERSPECTIVE``
    coefficients (image -> page) for ``Image.transform``.
    """
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], float)
    d = np.array([[rng.uniform(0, strength) * w, rng.uniform(0, strength) * h] for _ in range(4)])
    sign = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], float)  # corners move inwards
    dst = src + d * sign
    fwd = _homography(src, dst)
    inv = _homography(dst, src)
    return fwd, tuple((inv.flatten() / inv[2, 2])[:8])


def map_points(xs: np.ndarray, ys: np.ndarray, fwd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel indices through a forward homography (pixel centres in, pixel indices out)."""
    x, y = xs + 0.5, ys + 0.5
    den = fwd[2, 0] * x + fwd[2, 1] * y + fwd[2, 2]
    u = (fwd[0, 0] * x + fwd[0, 1] * y + fwd[0, 2]) / den
    v = (fwd[1, 0] * x + fwd[1, 1] * y + fwd[1, 2]) / den
    return np.floor(u).astype(np.int64), np.floor(v).astype(np.int64)

"""Session 14 prototype, dropped: sub-glyph patch repeats as a second print check.

Print repeats letters inside joined-up words too, where whole-component twins
(penmark.runtime.twins) cannot see them. A region is scaled to ``target_h`` px high,
Otsu-binarised, rules and box sides removed; each ink patch of ``frac * target_h`` px that is
not one straight stroke is matched against the rest of the region (IoU of binary masks at
every offset, by FFT correlation) and its best repeat IoU recorded.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from penmark.runtime.twins import otsu_threshold


def _box_sum(a: np.ndarray, p: int) -> np.ndarray:
    c = np.pad(a, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    return c[p:, p:] - c[:-p, p:] - c[p:, :-p] + c[:-p, :-p]


def _remove_lines(m: np.ndarray, hlen: int, vlen: int) -> np.ndarray:
    out = m.copy()
    for arr, length in ((out, hlen), (out.T, vlen)):
        for y in range(arr.shape[0]):
            row = arr[y]
            if not row.any():
                continue
            d = np.diff(np.concatenate([[0], row.astype(np.int8), [0]]))
            for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True):
                if b - a >= length:
                    row[a:b] = False
    return out


def patch_repeats(
    gray: np.ndarray,
    target_h: int = 64,
    frac: float = 0.4,
    lo: float = 0.12,
    hi: float = 0.6,
    excl: float = 1.0,
    straight: float = 0.15,
    vfrac: float = 0.6,
) -> list[float]:
    """Best repeat IoU of each candidate patch of a uint8 grey crop."""
    h, w = gray.shape
    if h < 8 or w < 8:
        return []
    s = target_h / h
    g = np.asarray(Image.fromarray(gray).resize((max(8, round(w * s)), target_h), Image.BILINEAR))
    m = _remove_lines(g <= otsu_threshold(g), hlen=target_h, vlen=int(vfrac * target_h))
    p = max(6, round(frac * target_h))
    big_h, big_w = m.shape
    if big_h < p or big_w < 2 * p:
        return []
    b = m.astype(np.float32)
    wsum = _box_sum(b, p)
    fb = np.fft.rfft2(b)
    out = []
    step = max(2, p // 2)
    for y in range(0, big_h - p + 1, step):
        for x in range(0, big_w - p + 1, step):
            patch = b[y : y + p, x : x + p]
            n = patch.sum()
            if not lo * p * p <= n <= hi * p * p:
                continue
            if patch.any(1).sum() <= 2 or patch.any(0).sum() <= 2:
                continue
            yy, xx = np.nonzero(patch)
            ev = np.linalg.eigvalsh(np.cov(np.stack([yy, xx]).astype(np.float64)))
            if ev[0] < straight * ev[1]:
                continue  # one straight stroke: every "1" and every rule repeats
            pad = np.zeros_like(b)
            pad[:p, :p] = patch
            corr = np.fft.irfft2(fb * np.conj(np.fft.rfft2(pad)), s=b.shape)
            corr = corr[: big_h - p + 1, : big_w - p + 1]
            iou = corr / np.maximum(n + wsum - corr, 1e-6)
            ex = int(excl * p)
            iou[max(0, y - ex + 1) : y + ex, max(0, x - ex + 1) : x + ex] = 0
            out.append(float(iou.max()))
    return out

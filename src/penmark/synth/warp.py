"""Geometric distortions for ink items: slant, rotation, baseline curvature, elastic warp.

All of them are folded into one PIL ``MESH`` transform (piecewise-affine, implemented in C), so
a phrase costs one resampling pass instead of several numpy remaps.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image


def _pad_for(w: int, h: int, shear: float, angle: float) -> tuple[int, int]:
    rad = math.radians(abs(angle))
    ow = w + abs(shear) * h + math.sin(rad) * h + 4
    oh = h + math.sin(rad) * w + 4
    return int(math.ceil(ow)), int(math.ceil(oh))


def distort(
    mask: Image.Image,
    rng: np.random.Generator,
    shear: float = 0.0,
    angle: float = 0.0,
    curve: float = 0.0,
    elastic: float = 0.0,
    cell: int = 24,
) -> Image.Image:
    """Warp an ``L`` ink mask.

    ``shear`` is tan(slant) (positive leans right), ``angle`` a rotation in degrees, ``curve`` the
    peak baseline bow in pixels, ``elastic`` the std of smooth random vertex jitter in pixels.
    The output canvas grows so that no ink is cut off.
    """
    w, h = mask.size
    ow, oh = _pad_for(w, h, shear, angle)
    ow += int(2 * abs(curve) + 2 * elastic) + 2
    oh += int(2 * abs(curve) + 2 * elastic) + 2
    # Few mesh cells: each cell is one C transform call; ~3 rows suffice for a text line.
    nx = max(2, min(16, int(math.ceil(ow / cell))))
    ny = 2 if elastic or curve else 1
    xs = np.linspace(0, ow, nx + 1)
    ys = np.linspace(0, oh, ny + 1)
    gx, gy = np.meshgrid(xs, ys)
    # Output coords centred; invert rotation and shear to find source coords.
    cx, cy = ow / 2.0, oh / 2.0
    u, v = gx - cx, gy - cy
    rad = math.radians(angle)
    ca, sa = math.cos(rad), math.sin(rad)
    ur = ca * u + sa * v
    vr = -sa * u + ca * v
    us = ur + shear * vr  # inverse shear: forward is x' = x - shear*y (y grows down)
    sx = us + w / 2.0
    sy = vr + h / 2.0
    if curve:
        t = (sx / max(w, 1)) * 2 - 1
        sy = sy + curve * (t * t - 0.33)
    if elastic:
        jx = rng.normal(0, elastic, gx.shape)
        jy = rng.normal(0, elastic, gy.shape)
        # Smooth the jitter with a 3x3 box so neighbouring cells move together.
        jx = _smooth(jx)
        jy = _smooth(jy)
        sx = sx + jx
        sy = sy + jy
    mesh = []
    for j in range(ny):
        for i in range(nx):
            box = (int(xs[i]), int(ys[j]), int(xs[i + 1]), int(ys[j + 1]))
            quad = (
                sx[j, i], sy[j, i],
                sx[j + 1, i], sy[j + 1, i],
                sx[j + 1, i + 1], sy[j + 1, i + 1],
                sx[j, i + 1], sy[j, i + 1],
            )
            mesh.append((box, quad))
    return mask.transform((ow, oh), Image.Transform.MESH, mesh, Image.Resampling.BILINEAR)


def _smooth(a: np.ndarray) -> np.ndarray:
    p = np.pad(a, 1, mode="edge")
    out = np.zeros_like(a)
    for dy in range(3):
        for dx in range(3):
            out += p[dy : dy + a.shape[0], dx : dx + a.shape[1]]
    return out / 9.0 * 2.0

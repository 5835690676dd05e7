"""Single-stroke handwriting from Hershey vector fonts (optional ``Hershey-Fonts`` package).

Fonts give filled outlines; a pen draws centre lines with varying width. Hershey glyphs are
centre lines, so drawing them with the variable-width pen of :mod:`penmark.synth.ink` gives
stroke shapes (tapered ends, speed-dependent width, overlaps) that fonts cannot. The package is
optional: without it :func:`hershey_text` returns None and callers fall back to fonts.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache

import numpy as np
from PIL import Image

from .ink import _draw_strokes, _pressure, tighten

FACES = ("cursive", "scriptc", "scripts", "futural", "futuram", "cursive", "scripts")


@lru_cache(maxsize=16)
def _face(name: str):  # noqa: ANN202 - HersheyFonts has no type hints
    try:
        from HersheyFonts import HersheyFonts
    except ImportError:
        return None
    f = HersheyFonts()
    f.load_default_font(name)
    f.normalize_rendering(100)
    return f


def available() -> bool:
    return _face("cursive") is not None


def hershey_text(s: str, height: float, rng: random.Random, nprng: np.random.Generator
                 ) -> Image.Image | None:
    """Render ``s`` as pen strokes about ``height`` px tall (cap height), with slant, wobble,
    baseline drift and a random pen width."""
    f = _face(rng.choice(FACES))
    if f is None or not s.strip():
        return None
    strokes = [np.asarray(st, dtype=np.float64) for st in f.strokes_for_text(s) if len(st) > 1]
    if not strokes:
        return None
    sc = height / 100.0 * rng.uniform(0.9, 1.2)
    shear = math.tan(math.radians(rng.gauss(8, 8)))
    amp = height * rng.uniform(0.0, 0.06)
    freq = rng.uniform(0.5, 2.0) / max(height * 4, 1)
    phase = rng.uniform(0, 2 * math.pi)
    drift = rng.gauss(0, 0.03)
    squeeze = rng.uniform(0.7, 0.95)  # Hershey advance widths are generous
    out = []
    for st in strokes:
        x, y = st[:, 0] * sc * squeeze, -st[:, 1] * sc  # Hershey y points up
        y = y + amp * np.sin(x * freq * 2 * math.pi + phase) + drift * x
        x = x - shear * y
        pts = np.stack([x, y], axis=1) + nprng.normal(0, height * 0.012, (len(x), 2))
        out.append(pts)
    pen = max(1.4, height * rng.uniform(0.04, 0.085))
    img = _draw_strokes(out, pen, rng, pad=int(pen) + 4)
    return tighten(_pressure(img, nprng, rng.uniform(0.75, 1.0)))

"""Scan and capture effects on whole pages, kept to C-speed PIL ops and cheap numpy.

Random noise comes from a fixed per-process noise texture cropped at a random offset: generating
3.7 M gaussian samples per page would cost more than the rest of the page, and PIL's own noise
generator is not seedable (pages must be reproducible).
"""

from __future__ import annotations

import io
import random
from functools import lru_cache

import numpy as np
from PIL import Image, ImageFilter

_TILE = 1024


@lru_cache(maxsize=1)
def _noise_tile() -> np.ndarray:
    g = np.random.default_rng(1234567)
    return np.clip(g.normal(0, 1, (_TILE, _TILE)) * 40 + 128, 0, 255).astype(np.uint8)


def noise_field(w: int, h: int, rng: random.Random) -> np.ndarray:
    """An ``h x w`` uint8 noise image centred on 128 (std ~40), from the tiled texture."""
    t = _noise_tile()
    ox, oy = rng.randrange(_TILE), rng.randrange(_TILE)
    t = np.roll(t, (oy, ox), axis=(0, 1))
    if rng.random() < 0.5:
        t = t.T
    reps = (h // _TILE + 1, w // _TILE + 1)
    return np.tile(t, reps)[:h, :w]


def add_noise(img: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    """Add gaussian-like noise of std ``sigma`` (grey levels); works for L and RGB."""
    w, h = img.size
    n = noise_field(w, h, rng).astype(np.int16) - 128
    n = (n * (sigma / 40.0)).astype(np.int16)
    a = np.asarray(img, dtype=np.int16)
    if a.ndim == 3:
        n = n[:, :, None]
    return Image.fromarray(np.clip(a + n, 0, 255).astype(np.uint8), img.mode)


def levels(img: Image.Image, black: float, white: float, gamma: float) -> Image.Image:
    """Map [0,255] -> [black, white] with a gamma: low contrast, faded toner, darkening."""
    x = np.arange(256) / 255.0
    lut = black + (white - black) * np.power(x, gamma)
    lut = np.clip(lut, 0, 255).astype(np.uint8).tolist()
    return img.point(lut * (3 if img.mode == "RGB" else 1))


def binarise(img: Image.Image, rng: random.Random) -> Image.Image:
    """1-bit fax look: noisy threshold (ragged edges, dropouts), returned as L."""
    g = img.convert("L")
    g = add_noise(g, rng.uniform(10, 35), rng)
    t = rng.randint(110, 170)
    return g.point(lambda v: 255 if v > t else 0)


def speckle(img: Image.Image, rng: random.Random, nprng: np.random.Generator,
            density: float) -> Image.Image:
    """Dust and toner specks: small dark dots at random places."""
    w, h = img.size
    n = int(w * h * density)
    if n == 0:
        return img
    a = np.array(img)
    ys = nprng.integers(0, h - 1, n)
    xs = nprng.integers(0, w - 1, n)
    v = nprng.integers(0, 90, n).astype(np.uint8)
    if a.ndim == 3:
        v = v[:, None]
    a[ys, xs] = v
    big = nprng.random(n) < 0.3
    a[ys[big] + 1, xs[big]] = v[big]
    a[ys[big], xs[big] + 1] = v[big]
    return Image.fromarray(a, img.mode)


def shading(img: Image.Image, rng: random.Random, nprng: np.random.Generator,
            strength: float) -> Image.Image:
    """Low-frequency brightness variation (uneven lighting, photocopy edge darkening)."""
    w, h = img.size
    g = nprng.uniform(1 - strength, 1.0, (4, 3)).astype(np.float32)
    if rng.random() < 0.5:  # darker edges
        g[0, :] *= 1 - strength
        g[-1, :] *= 1 - strength
    f = Image.fromarray((g * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC)
    fa = np.asarray(f, dtype=np.uint16)
    a = np.asarray(img, dtype=np.uint16)
    if a.ndim == 3:
        fa = fa[:, :, None]
    return Image.fromarray((a * fa // 255).astype(np.uint8), img.mode)


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return out


def blur(img: Image.Image, radius: float) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius))


def punch_holes(img: Image.Image, rng: random.Random, fill: int) -> Image.Image:
    from PIL import ImageDraw

    w, h = img.size
    d = ImageDraw.Draw(img)
    r = w * 0.012
    x = w * rng.uniform(0.02, 0.05)
    col = (fill,) * (3 if img.mode == "RGB" else 1)
    for fy in (0.15, 0.5, 0.85) if rng.random() < 0.5 else (0.3, 0.7):
        y = h * fy
        d.ellipse([x - r, y - r, x + r, y + r], fill=col if len(col) > 1 else col[0])
    return img

"""Scan and capture effects on whole pages, kept to C-speed PIL ops and cheap numpy.

Random noise comes from a fixed per-process noise image cropped at a random offset: generating
3.7 M gaussian samples per page would cost more than the rest of the page, and PIL's own noise
generator is not seedable (pages must be reproducible).
"""

from __future__ import annotations

import io
import random
from functools import lru_cache

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

_MARGIN = 257


@lru_cache(maxsize=4)
def _noise_image(w: int, h: int) -> Image.Image:
    """Fixed gaussian noise (mean 128, std 40) slightly larger than the page, made once."""
    g = np.random.default_rng(1234567)
    a = np.clip(g.normal(0, 1, (h + _MARGIN, w + _MARGIN)) * 40 + 128, 0, 255)
    return Image.fromarray(a.astype(np.uint8))


def noise_image(w: int, h: int, sigma: float, rng: random.Random) -> Image.Image:
    """An ``L`` noise image centred on 128 with std ``sigma``: a random crop of the fixed one."""
    ox, oy = rng.randrange(_MARGIN), rng.randrange(_MARGIN)
    n = _noise_image(w, h).crop((ox, oy, ox + w, oy + h))
    k = sigma / 40.0
    lut = [int(min(255, max(0, round(128 + (v - 128) * k)))) for v in range(256)]
    return n.point(lut)


def add_noise(img: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    """Add gaussian-like noise of std ``sigma`` (grey levels); works for L and RGB."""
    n = noise_image(img.width, img.height, sigma, rng)
    if img.mode == "RGB":
        n = Image.merge("RGB", (n, n, n))
    return ImageChops.add(img, n, 1.0, -128)


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
    """Dust and toner specks: small dark dots at random places (drawn, no full-page copy)."""
    w, h = img.size
    n = int(w * h * density)
    if n == 0:
        return img
    d = ImageDraw.Draw(img)
    xs = nprng.integers(0, w - 2, n).tolist()
    ys = nprng.integers(0, h - 2, n).tolist()
    vs = nprng.integers(0, 90, n).tolist()
    big = (nprng.random(n) < 0.3).tolist()
    for x, y, v, b in zip(xs, ys, vs, big, strict=True):
        col = v if img.mode == "L" else (v, v, v)
        if b:
            d.rectangle([x, y, x + 1, y + 1], fill=col)
        else:
            d.point((x, y), fill=col)
    return img


def shading(img: Image.Image, rng: random.Random, nprng: np.random.Generator,
            strength: float) -> Image.Image:
    """Low-frequency brightness variation (uneven lighting, photocopy edge darkening)."""
    w, h = img.size
    g = nprng.uniform(1 - strength, 1.0, (3, 2)).astype(np.float32)
    if rng.random() < 0.5:  # darker top/bottom edge (photocopier lid, curled page)
        g[rng.choice((0, -1)), :] *= 1 - strength * 0.5
    # Upsample a tiny grid with bilinear interpolation: smooth gradients, no bands.
    small = Image.fromarray((g * 255).astype(np.uint8)).resize((8, 12), Image.Resampling.BILINEAR)
    f = small.resize((w, h), Image.Resampling.BILINEAR)
    if img.mode == "RGB":
        f = Image.merge("RGB", (f, f, f))
    return ImageChops.multiply(img, f)


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return out


def blur(img: Image.Image, radius: float) -> Image.Image:
    """Optical blur. A box blur (one C pass) is 2-3x cheaper than PIL's gaussian and at
    radius <= 1.2 px looks the same after JPEG."""
    return img.filter(ImageFilter.BoxBlur(radius))


def punch_holes(img: Image.Image, rng: random.Random, fill: int) -> Image.Image:
    w, h = img.size
    d = ImageDraw.Draw(img)
    r = w * 0.012
    x = w * rng.uniform(0.02, 0.05)
    col = (fill,) * (3 if img.mode == "RGB" else 1)
    for fy in (0.15, 0.5, 0.85) if rng.random() < 0.5 else (0.3, 0.7):
        y = h * fy
        d.ellipse([x - r, y - r, x + r, y + r], fill=col if len(col) > 1 else col[0])
    return img


def bleed_through(img: Image.Image, rng: random.Random) -> Image.Image:
    """Faint mirrored content of the other side of the sheet (thin paper, strong light)."""
    back = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if rng.random() < 0.5:
        back = back.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    k = rng.uniform(0.06, 0.18)
    lut = [int(255 - (255 - v) * k) for v in range(256)]
    back = back.point(lut * (3 if img.mode == "RGB" else 1))
    # Seen through paper: blurred. Down/up-sampling blurs at a fraction of a BoxBlur's cost.
    back = back.reduce(3).resize(img.size, Image.Resampling.BILINEAR)
    return ImageChops.multiply(img, back)


def fold(img: Image.Image, rng: random.Random) -> Image.Image:
    """A crease: a thin dark line across the page with a slight shade on one side."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    horizontal = rng.random() < 0.7
    pos = rng.uniform(0.3, 0.7)
    tilt = rng.uniform(-0.01, 0.01)
    v = rng.randint(120, 200)
    col = v if img.mode == "L" else (v, v, v)
    if horizontal:
        y0, y1 = h * pos, h * (pos + tilt)
        d.line([(0, y0), (w, y1)], fill=col, width=rng.choice((1, 2)))
    else:
        x0, x1 = w * pos, w * (pos + tilt)
        d.line([(x0, 0), (x1, h)], fill=col, width=rng.choice((1, 2)))
    return img


def white_point(img: Image.Image, margin: float) -> Image.Image:
    """Stretch so the paper level (90th percentile of a thumbnail) minus ``margin`` maps to 255,
    as scanner auto-levelling does; keeps dark ink where it is."""
    thumb = np.asarray(img.reduce(8).convert("L"))
    paper = float(np.percentile(thumb, 90)) - margin
    if paper >= 254 or paper < 120:
        return img
    k = 255.0 / paper
    lut = [min(255, int(v * k)) for v in range(256)]
    return img.point(lut * (3 if img.mode == "RGB" else 1))


def _soft_shadow(w: int, h: int, rng: random.Random, depth: float) -> np.ndarray:
    """``(h, w)`` light factor: 1 on one side of a random line, ``1 - depth`` on the other, with
    a wide soft edge (the shadow of a hand or phone held over the page)."""
    n = 48
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) / n
    theta = rng.uniform(0, 2 * np.pi)
    off = rng.uniform(-0.25, 0.45)
    d = (xx - 0.5) * np.cos(theta) + (yy - 0.5) * np.sin(theta) - off
    edge = rng.uniform(0.03, 0.12)
    f = 1 - depth * np.clip(0.5 + d / edge, 0, 1)
    small = Image.fromarray((f * 255).astype(np.uint8))
    return np.asarray(small.resize((w, h), Image.Resampling.BILINEAR), np.float32) / 255.0


def photo_capture(img: Image.Image, rng: random.Random, nprng: np.random.Generator) -> Image.Image:
    """Phone-camera look of an RGB page (after its perspective): uneven light, a warm or cool
    colour cast, an under-exposed grey 'white', sometimes a soft shadow across the page,
    defocus, sensor noise and JPEG. Insurance claims and field forms arrive like this."""
    img = shading(img, rng, nprng, rng.uniform(0.1, 0.35))
    arr = np.asarray(img, np.float32)
    cast = np.array([rng.uniform(0.95, 1.05), rng.uniform(0.93, 1.0), rng.uniform(0.8, 0.97)])
    if rng.random() < 0.35:  # daylight / LED: blue rather than warm
        cast = cast[::-1]
    arr = arr * cast.astype(np.float32)
    if rng.random() < 0.4:
        arr *= _soft_shadow(img.width, img.height, rng, rng.uniform(0.15, 0.4))[..., None]
    arr = arr * rng.uniform(0.75, 1.0) + rng.uniform(0, 12)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if rng.random() < 0.7:
        img = blur(img, rng.uniform(0.4, 1.3))
    img = add_noise(img, rng.uniform(3, 9), rng)
    return jpeg(img, rng.randint(45, 85))


def desk_colour(rng: random.Random) -> tuple[int, int, int]:
    """What shows around a photographed page: a dark desk, wood, a grey table, a lighter surface."""
    r = rng.random()
    if r < 0.35:
        v = rng.randint(20, 70)
        return (v, v, v + rng.randint(0, 10))
    if r < 0.65:  # wood
        v = rng.randint(80, 160)
        return (v, int(v * 0.7), int(v * 0.45))
    v = rng.randint(100, 200)
    return (v, v, v)

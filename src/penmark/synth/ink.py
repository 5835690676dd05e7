"""Handwriting and signature rendering into alpha masks.

Every handwritten thing is rendered on its own small ``L`` canvas (alpha = ink coverage) and only
then pasted onto the page, so its box comes from the ink actually drawn (after distortion) rather
than from a layout guess.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from . import text as T
from .fonts import FontBank, font
from .warp import distort

ALPHA_FLOOR = 48
"""Alpha below this is dropped, so faint anti-aliasing halos do not widen boxes invisibly."""

INK_COLOURS = {
    "blue": [(22, 38, 120), (30, 50, 150), (15, 30, 95), (40, 60, 170), (25, 25, 110)],
    "black": [(20, 20, 25), (35, 35, 40), (10, 12, 18), (45, 40, 50)],
    "grey": [(80, 80, 85), (100, 100, 105)],
    "red": [(150, 25, 30), (120, 20, 30)],
    "green": [(20, 90, 50)],
}


@dataclass
class InkItem:
    """A rendered handwritten item: alpha mask, colour and class label."""

    alpha: Image.Image  # mode L, tight to the ink
    label: str  # "handwritten" | "signature"
    colour: tuple[int, int, int]


def pick_colour(rng: random.Random, dark: bool = False) -> tuple[int, int, int]:
    """A pen colour; ``dark`` keeps to dark blue/black (survives fax binarisation)."""
    r = rng.random() * (0.85 if dark else 1.0)
    key = "blue" if r < 0.45 else "black" if r < 0.88 else "grey" if r < 0.95 else "red"
    if r > 0.985:
        key = "green"
    if dark and key == "blue":
        key = "black" if rng.random() < 0.5 else "blue"
        if key == "blue":
            return (15, 25, 90)
    base = rng.choice(INK_COLOURS[key])
    j = [max(0, min(255, c + rng.randint(-12, 12))) for c in base]
    return (j[0], j[1], j[2])


def tighten(alpha: Image.Image) -> Image.Image | None:
    """Drop faint alpha and crop to the remaining ink; None if nothing is left."""
    a = np.asarray(alpha)
    a = np.where(a >= ALPHA_FLOOR, a, 0).astype(np.uint8)
    ys = np.flatnonzero(a.any(axis=1))
    xs = np.flatnonzero(a.any(axis=0))
    if len(xs) < 2 or len(ys) < 2:
        return None
    return Image.fromarray(a[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1])


def _pressure(alpha: Image.Image, nprng: np.random.Generator, lo: float) -> Image.Image:
    """Multiply ink by a smooth random field: pen pressure and ink flow vary along a line."""
    w, h = alpha.size
    gw, gh = max(2, w // 40 + 2), max(2, h // 40 + 2)
    field = nprng.uniform(lo, 1.0, (gh, gw)).astype(np.float32)
    f = Image.fromarray((field * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BILINEAR)
    a = np.asarray(alpha, dtype=np.uint16) * np.asarray(f, dtype=np.uint16) // 255
    return Image.fromarray(a.astype(np.uint8))


@dataclass
class HandStyle:
    """One writer: font, size, slant, spacing and pen; reused for all items of that writer."""

    font_path: str
    size: int
    shear: float
    spacing: float
    jitter: float
    drift: float
    stroke: int  # -1 thin, 0 as font, 1 bold, 2 marker (see _pen_filter)
    colour: tuple[int, int, int]
    elastic: float
    caps: bool = False  # prints everything in capitals (common on forms)


def random_style(
    rng: random.Random, bank: FontBank, size: int | None = None, role: str = "hand"
) -> HandStyle:
    paths = bank.roles[role] or bank.roles["hand"]
    return HandStyle(
        font_path=rng.choice(paths),
        # A writer's natural size (font px; ink boxes come out ~0.8x): real filled-in phrases
        # are ~60-100 px tall at 200 dpi (scripts/size_stats.py); slots can only shrink it.
        # Drawn with the old call (38-70) and stretched to 56-110 so that the random stream,
        # and with it every fixed-seed hard-negative page, stays the same.
        size=size or round(56 + (rng.randint(38, 70) - 38) * 54 / 32),
        shear=math.tan(math.radians(rng.gauss(6, 8))),
        spacing=rng.uniform(0.92, 1.12),
        # Floors on jitter/drift/elastic: a hand never repeats a glyph exactly, and the same
        # faces appear as regular print on hard-negative pages; irregularity is the difference.
        jitter=rng.uniform(0.04, 0.10),
        drift=rng.uniform(0.015, 0.07),
        stroke=rng.choices((-1, 0, 1, 2), (0.08, 0.32, 0.5, 0.1))[0],
        colour=pick_colour(rng),
        elastic=rng.uniform(0.4, 1.6),
        caps=role == "hand" and rng.random() < 0.3,
    )


def render_text(
    s: str, style: HandStyle, rng: random.Random, nprng: np.random.Generator
) -> Image.Image | None:
    """Render ``s`` glyph by glyph with size/spacing/baseline jitter, then slant and warp."""
    size = style.size
    if style.caps:
        s = s.upper()
    f0 = font(style.font_path, size)
    est = int(f0.getlength(s) * 1.35 + size * 2)
    h = size * 3
    canvas = Image.new("L", (max(est, 8), h), 0)
    draw = ImageDraw.Draw(canvas)
    x = size * 0.5
    base = size * 1.9
    dy = 0.0
    for ch in s:
        if ch == " ":
            x += f0.getlength(" ") * style.spacing * rng.uniform(0.8, 1.5)
            continue
        sz = max(6, 3 * int(round(size * (1 + rng.gauss(0, style.jitter)) / 3)))
        f = font(style.font_path, sz)
        dy += rng.gauss(0, style.drift * size * 0.3)
        dy *= 0.85
        draw.text((x, base + dy + rng.gauss(0, style.jitter * size * 0.15)), ch, font=f, fill=255,
                  anchor="ls")
        x += f.getlength(ch) * style.spacing * (1 + rng.gauss(0, style.jitter * 0.5))
    bb = canvas.getbbox()
    if bb is None:
        return None
    pad = 4
    canvas = canvas.crop((max(0, bb[0] - pad), max(0, bb[1] - pad), min(canvas.width, bb[2] + pad),
                          min(h, bb[3] + pad)))
    flt = _pen_filter(style.font_path, size, style.stroke)
    if flt is not None:
        canvas = canvas.filter(flt)
    out = distort(
        canvas,
        nprng,
        shear=style.shear + rng.gauss(0, 0.03),
        angle=rng.gauss(0, 1.2),
        curve=rng.gauss(0, size * 0.08),
        elastic=style.elastic,
        cell=max(32, int(size * 1.5)),
    )
    out = _pressure(out, nprng, rng.uniform(0.7, 1.0))
    return tighten(out)


# Target pen widths in px at 200 dpi per HandStyle.stroke: fine liner, ballpoint, gel, felt.
_PEN_PX = {-1: 2.0, 0: 3.0, 1: 4.0, 2: 6.5}


@lru_cache(maxsize=256)
def font_stroke_width(path: str) -> float:
    """Typical stroke width of a font at size 100 (2 * ink area / edge length)."""
    img = Image.new("L", (900, 200), 0)
    ImageDraw.Draw(img).text((10, 150), "handwriting nm", font=font(path, 100), fill=255,
                             anchor="ls")
    on = np.asarray(img) > 127
    edge = on & ~(np.roll(on, 1, 0) & np.roll(on, -1, 0) & np.roll(on, 1, 1) & np.roll(on, -1, 1))
    return float(2 * on.sum() / max(edge.sum(), 1))


def _pen_filter(path: str, size: int, stroke: int) -> ImageFilter.Filter | None:
    """Dilate thin fonts / erode heavy ones so the stroke matches a real pen, whatever the font
    designer chose (fonts range from hairline to marker)."""
    have = font_stroke_width(path) * size / 100.0
    diff = _PEN_PX[stroke] - have
    if diff >= 3.0:
        return ImageFilter.MaxFilter(5)
    if diff >= 1.2:
        return ImageFilter.MaxFilter(3)
    if diff <= -2.5 and have > 4:
        return ImageFilter.MinFilter(3)
    return None


# --------------------------------------------------------------------------- pen trajectories


def _catmull(points: np.ndarray, per: int = 8) -> np.ndarray:
    """Catmull-Rom spline through ``points`` (n, 2)."""
    if len(points) < 3:
        return points
    p = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, per, endpoint=False)[:, None]
    t2, t3 = t * t, t * t * t
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(
            0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                   + (-p0 + 3 * p1 - 3 * p2 + p3) * t3)
        )
    out.append(p[-2:-1])
    return np.vstack(out)


def _cursive_stroke(
    rng: random.Random, nprng: np.random.Generator, n_letters: int, h: float, loopiness: float,
    capital: bool,
) -> np.ndarray:
    """A cursive-looking pen path through per-letter key points, smoothed by a spline.

    Each letter is an up-stroke to a random height (x-height, ascender or descender) and a
    down-stroke back to the baseline; when the top lies right of the next baseline point the
    spline makes a loop, as in connected handwriting (l, h, b, e). A capital is a tall oval.
    """
    pts: list[tuple[float, float]] = []
    x = 0.0
    if capital:
        ch = h * rng.uniform(2.0, 3.2)
        cw = ch * rng.uniform(0.35, 0.8)
        style = rng.randrange(3)
        if style == 0:  # oval opened at the right (C, G, O-like)
            for t in np.linspace(0.2, 2 * math.pi * rng.uniform(0.85, 1.15), 9):
                pts.append((cw / 2 + cw / 2 * math.cos(t + math.pi / 2) * -1,
                            -ch / 2 - ch / 2 * math.sin(t + math.pi / 2)))
        elif style == 1:  # tall stem with a top loop (J, L, S-like)
            pts += [(cw * 0.6, -ch), (cw * 0.2, -ch * 0.85), (cw * 0.5, -ch * 0.7),
                    (cw * 0.3, 0.0), (0.0, h * 0.5), (-cw * 0.2, 0.0)]
        else:  # two humps (M, W, H-like)
            pts += [(0.0, 0.0), (cw * 0.2, -ch), (cw * 0.4, -h * 0.3), (cw * 0.6, -ch * 0.9),
                    (cw * 0.8, 0.0)]
        x = max(p[0] for p in pts) + h * rng.uniform(0.1, 0.5)
        pts.append((x, -h * rng.uniform(0.0, 0.4)))
    for _ in range(n_letters):
        r = rng.random()
        if r < 0.22:
            top = -h * rng.uniform(1.8, 2.6)  # ascender
        elif r < 0.32:
            top = h * rng.uniform(1.2, 1.8)  # descender (goes below baseline)
        else:
            top = -h * rng.uniform(0.6, 1.1)
        adv = h * rng.uniform(0.45, 0.95)
        loop = loopiness * h * rng.uniform(0.0, 0.5)
        if top > 0:  # descender: down first, loop back up
            pts += [(x + adv * 0.5, -h * 0.8), (x + adv * 0.35, top), (x + adv * 0.2 - loop, 0.0)]
        else:
            pts += [(x + adv * 0.55 + loop, top), (x + adv * 0.4, top * 0.3), (x + adv, 0.0)]
        x += adv
    arr = np.asarray(pts, dtype=np.float64)
    arr += nprng.normal(0, h * 0.06, arr.shape)
    return _catmull(arr, per=6)


def _draw_strokes(
    strokes: list[np.ndarray], width: float, rng: random.Random, pad: int = 8, ss: int = 2
) -> Image.Image:
    """Draw pen paths with a speed-dependent width (slow = wide), supersampled for smooth edges."""
    allp = np.vstack(strokes)
    mn = allp.min(axis=0) - pad
    mx = allp.max(axis=0) + pad
    w, h = int((mx[0] - mn[0]) * ss) + 2, int((mx[1] - mn[1]) * ss) + 2
    img = Image.new("L", (max(w, 4), max(h, 4)), 0)
    d = ImageDraw.Draw(img)
    for s in strokes:
        p = (s - mn) * ss
        seg = np.diff(p, axis=0)
        speed = np.hypot(seg[:, 0], seg[:, 1])
        sp = speed / (np.median(speed) + 1e-6)
        wid = width * ss * np.clip(1.25 - 0.35 * sp, 0.45, 1.4)
        # Taper the ends: pen lands and lifts.
        n = len(wid)
        if n > 6:
            ramp = np.minimum(np.arange(n) + 1, np.arange(n)[::-1] + 1) / 3.0
            wid = wid * np.clip(ramp, 0.35, 1.0)
        for i in range(n):
            wi = max(1, int(round(wid[i])))
            d.line([tuple(p[i]), tuple(p[i + 1])], fill=255, width=wi)
            if wi > 2:
                r = wi / 2.0
                x, y = p[i + 1]
                d.ellipse([x - r, y - r, x + r, y + r], fill=255)
    return img.reduce(ss) if ss > 1 else img


def procedural_signature(
    rng: random.Random, nprng: np.random.Generator, width: int, initials: bool = False,
    max_height: float | None = None,
) -> Image.Image | None:
    """A cursive or scribbled signature of roughly ``width`` px (at most ``max_height`` tall,
    default 0.6 x width, or 1.2 x for initials), from pen-motion curves."""
    h = 20.0
    strokes = []
    x = 0.0
    parts = rng.randint(1, 2) if initials else rng.choice((1, 2, 2, 3))
    loopiness = rng.uniform(0.2, 1.6)
    scribble = rng.random() < 0.25
    for k in range(parts):
        n = rng.randint(0, 2) if initials else rng.randint(2, 8)
        s = _cursive_stroke(rng, nprng, n, h * (1.4 if scribble else 1.0), loopiness,
                            capital=initials or k == 0 or rng.random() < 0.7)
        if scribble:
            s[:, 0] *= rng.uniform(0.3, 0.6)
        s[:, 0] += x - s[:, 0].min()
        strokes.append(s)
        x = s[:, 0].max() + h * rng.uniform(0.3, 1.2)
    allp = np.vstack(strokes)
    x0, x1 = allp[:, 0].min(), allp[:, 0].max()
    y1 = allp[:, 1].max()
    if rng.random() < (0.25 if initials else 0.5):
        # Flourish / underline: a swash under the name, sometimes returning leftwards.
        yb = y1 + h * rng.uniform(0.2, 1.0)
        k = rng.randint(4, 7)
        xs = np.linspace(x1 + h * rng.uniform(-0.5, 1), x0 - h * rng.uniform(-0.5, 1.5), k)
        ys = yb + nprng.normal(0, h * 0.25, k)
        if rng.random() < 0.5:
            xs = xs[::-1]
        strokes.append(_catmull(np.stack([xs, ys], axis=1), per=8))
    if rng.random() < 0.2 and not initials:
        # A dot or a dash (an i-dot, a period after the initial).
        cx, cy = rng.uniform(x0, x1), allp[:, 1].min() - h * 0.3
        strokes.append(np.array([[cx, cy], [cx + h * 0.25, cy - h * 0.05]]))
    # Global slant + rotation.
    sh = math.tan(math.radians(rng.gauss(15, 10)))
    rot = math.radians(rng.gauss(-3, 6))
    out = []
    for s in strokes:
        s = s.copy()
        s[:, 0] = s[:, 0] - sh * s[:, 1]
        c, sn = math.cos(rot), math.sin(rot)
        s = np.stack([c * s[:, 0] - sn * s[:, 1], sn * s[:, 0] + c * s[:, 1]], axis=1)
        out.append(s)
    allp = np.vstack(out)
    cur_w = float(allp[:, 0].max() - allp[:, 0].min())
    cur_h = float(allp[:, 1].max() - allp[:, 1].min())
    max_h = max_height or width * (1.2 if initials else 0.6)
    scale = min(width / max(cur_w, 1.0), max_h / max(cur_h, 1.0))
    out = [s * scale for s in out]
    pen = max(1.5, rng.uniform(1.8, 3.8) * (max(width, 60) / 300) ** 0.25)
    img = _draw_strokes(out, pen, rng)
    img = _pressure(img, nprng, rng.uniform(0.6, 0.95))
    return tighten(img)


def font_signature(
    rng: random.Random, nprng: np.random.Generator, bank: FontBank, width: int, initials: bool
) -> Image.Image | None:
    """A name in a signature-style font, heavily slanted, optionally with an underline swash."""
    s = T.initials(rng) if initials else T.name(rng)
    if not initials and rng.random() < 0.4:
        parts = s.replace(",", "").split()
        s = parts[0][0] + ". " + parts[-1] if len(parts) > 1 else s
    style = random_style(rng, bank, size=60, role="sig")
    # Pick the font size that gives about the wanted width, so the result is not resampled
    # (upscaled fonts look blurred and bold); signature pens are not markers.
    natural = font(style.font_path, 60).getlength(s) * 1.1 + 1
    style.size = int(min(max(60 * width / natural, 16), 160))
    style.stroke = min(style.stroke, 1)
    style.shear += rng.uniform(0.0, 0.25)
    style.jitter *= 0.5
    img = render_text(s, style, rng, nprng)
    if img is None:
        return None
    if rng.random() < 0.35:
        img = add_swash(img, rng, nprng)
        if img is None:
            return None
    scale = width / max(img.width, 1)
    if 0.2 < scale < 5 and abs(scale - 1) > 0.15:
        img = img.resize((max(2, int(img.width * scale)), max(2, int(img.height * scale))),
                         Image.Resampling.BILINEAR)
    return tighten(img)


def add_swash(img: Image.Image, rng: random.Random, nprng: np.random.Generator
              ) -> Image.Image | None:
    """Add an underline / paraph stroke under a signature (one smooth fast stroke)."""
    w, h = img.size
    margin = int(h * 0.6)
    k = rng.randint(3, 5)
    xs = np.linspace(w * rng.uniform(-0.05, 0.2), w * rng.uniform(0.75, 1.1), k)
    ys = h * rng.uniform(0.8, 1.05) + nprng.normal(0, h * 0.08, k)
    if rng.random() < 0.5:
        xs = xs[::-1]
    pen = max(1.5, h * rng.uniform(0.03, 0.06))
    pts = _catmull(np.stack([xs, ys], axis=1), per=10)
    pad = int(pen) + 2
    stroke = _draw_strokes([pts], pen, rng, pad=pad)
    ox, oy = (pts.min(axis=0) - pad).astype(int)  # _draw_strokes' origin in img coordinates
    canvas = Image.new("L", (w + 2 * margin, h + 2 * margin), 0)
    canvas.paste(img, (margin, margin))
    layer = Image.new("L", canvas.size, 0)
    layer.paste(stroke, (int(ox) + margin, int(oy) + margin))
    return tighten(ImageChops.lighter(canvas, layer))


def fit_width(img: Image.Image, max_w: float, rng: random.Random) -> Image.Image | None:
    """Make a phrase fit ``max_w``: cut it at a word gap (keeps the writing size, like a person
    writing less), else shrink it (at most to 60 %), else cut hard at a gap-less column."""
    if img.width <= max_w:
        return img
    a = np.asarray(img)
    col = (a >= ALPHA_FLOOR).any(axis=0)
    gap = max(3, img.height // 5)
    # start indices of blank runs at least `gap` wide
    blank = np.concatenate([[False], ~col, [False]]).astype(np.int8)
    d = np.diff(blank)
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    cuts = [int(st) for st, en in zip(starts, ends, strict=True)
            if en - st >= gap and max_w * 0.3 <= st <= max_w]
    if cuts:
        return tighten(Image.fromarray(a[:, : rng.choice(cuts)]))
    if img.width * 0.6 <= max_w:
        sc = max_w / img.width
        return tighten(img.resize((max(2, int(img.width * sc)), max(2, int(img.height * sc)))))
    return None


def strike_out(img: Image.Image, rng: random.Random) -> Image.Image:
    """Cross out part of a handwritten phrase (the writer's own correction): one or two pen
    strokes through a stretch of it. Still one handwritten item: the box does not change much."""
    w, h = img.size
    out = img.copy()
    d = ImageDraw.Draw(out)
    x0 = rng.uniform(0, w * 0.6)
    x1 = min(w - 1, x0 + rng.uniform(0.25, 0.6) * w)
    y = h * rng.uniform(0.4, 0.65)
    pen = max(2, int(h * rng.uniform(0.04, 0.08)))
    for _ in range(rng.choice((1, 1, 2))):
        d.line([(x0, y + rng.gauss(0, h * 0.05)), (x1, y + rng.gauss(0, h * 0.08))], fill=255,
               width=pen)
        y += h * rng.uniform(0.08, 0.15)
    return out

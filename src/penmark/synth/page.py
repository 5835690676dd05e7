"""``generate_page``: template -> print -> handwriting -> scan effects -> exact boxes.

Handwritten items are pasted by multiplication (ink over print darkens, as on paper). We keep the
coordinates of every ink pixel of every item; the page skew (``geometry.shear_skew``) uses
integer shifts that map them exactly, so boxes after skew and 90/180/270 rotation are exactly
the boxes of the warped ink.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image

from ..region import Region
from . import effects as E
from . import text as T
from .canvas import Canvas, Slot
from .config import SynthConfig
from .decor import (
    barcode,
    printed_script_block,
    qr,
    redactions,
    stamp,
    typed_comb,
    typed_fill,
)
from .fonts import font_bank
from .geometry import keystone, map_points, quarter_box, shear_skew, skew_points
from .hershey import hershey_text
from .ink import (
    ALPHA_FLOOR,
    HandStyle,
    fit_width,
    font_signature,
    pick_colour,
    procedural_signature,
    random_style,
    render_text,
    strike_out,
    tighten,
)
from .realink import real_handwriting, real_signature
from .templates import TEMPLATES

LABEL_IDS = {"handwritten": 1, "signature": 2}


@dataclass
class Page:
    """One synthetic page. ``mask`` (only with ``config.return_masks``) holds per-pixel class ids
    (0 none, 1 handwritten, 2 signature) of the ink pasted, warped like the image."""

    image: Image.Image
    regions: list[Region]
    kind: str
    seed: int = 0
    mask: np.ndarray | None = None
    meta: dict = field(default_factory=dict)


@dataclass
class _Placed:
    label: str
    xs: np.ndarray  # integer page x of every ink pixel
    ys: np.ndarray


class _Composer:
    """Fills slots with handwriting on one page: keeps the working pixel array, the writers
    (1-3 hands per page, each with its own font, size, slant and pen), and the placed items."""

    def __init__(self, cv: Canvas, cfg: SynthConfig, rng: random.Random,
                 nprng: np.random.Generator) -> None:
        self.cv, self.cfg, self.rng, self.nprng = cv, cfg, rng, nprng
        self.arr = np.zeros((1, 1, 3), np.uint8)
        self.mask: np.ndarray | None = None
        self.placed: list[_Placed] = []
        self.writers = [random_style(rng, cv.bank) for _ in range(rng.choice((1, 1, 2, 3)))]
        self.fax = False
        self.cheque_scan = False  # one cheque scanned on its own: its fields are filled in

    def paste(self, alpha: Image.Image, colour: tuple[int, int, int], x: float, y: float,
              label: str, join: bool = False) -> bool:
        """Multiply ink onto the page at (x, y) (clamped inside the page) and record the
        coordinates of its ink pixels; ``join`` adds them to the previous item (one box)."""
        H, W = self.arr.shape[:2]
        if alpha.width >= W - 4 or alpha.height >= H - 4:
            sc = min((W - 8) / alpha.width, (H - 8) / alpha.height)
            alpha = alpha.resize((max(2, int(alpha.width * sc)), max(2, int(alpha.height * sc))))
        x = int(min(max(2, x), W - alpha.width - 2))
        y = int(min(max(2, y), H - alpha.height - 2))
        a = np.asarray(alpha)
        if self.fax:  # faint strokes would vanish at the 1-bit threshold: press harder
            a = np.where(a >= ALPHA_FLOOR, np.maximum(a, 150), 0).astype(np.uint8)
        if not (a >= ALPHA_FLOOR).any():
            return False
        af = a.astype(np.float32)[:, :, None] / 255.0
        col = np.asarray(colour, np.float32) / 255.0
        sub = self.arr[y : y + a.shape[0], x : x + a.shape[1]].astype(np.float32)
        sub *= 1.0 - af * (1.0 - col)
        self.arr[y : y + a.shape[0], x : x + a.shape[1]] = sub.astype(np.uint8)
        if self.mask is not None:
            m = self.mask[y : y + a.shape[0], x : x + a.shape[1]]
            m[a >= ALPHA_FLOOR] = LABEL_IDS[label]
        ys, xs = np.nonzero(a >= ALPHA_FLOOR)
        xs, ys = xs.astype(np.int64) + x, ys.astype(np.int64) + y
        if join and self.placed and self.placed[-1].label == label:
            # Same phrase written in pieces (digits in a date grid): one box.
            last = self.placed[-1]
            last.xs, last.ys = np.concatenate([last.xs, xs]), np.concatenate([last.ys, ys])
        else:
            self.placed.append(_Placed(label, xs, ys))
        return True

    # ------------------------------------------------------------------ item makers
    def hand_item(self, s: str, height: float, style: HandStyle | None = None
                  ) -> tuple[Image.Image, tuple[int, int, int]] | None:
        style = style or self.rng.choice(self.writers)
        if self.rng.random() < self.cfg.real_ink_fraction:
            real = real_handwriting(self.cfg, self.rng, height)
            if real is not None:
                if self.rng.random() < 0.5:
                    return real, style.colour
                return real, pick_colour(self.rng, dark=self.fax)
        if self.rng.random() < self.cfg.hershey_fraction:
            img = hershey_text(s, height * 0.75, self.rng, self.nprng)
            if img is not None:
                return img, style.colour
        st = replace(style, size=int(max(14, min(style.size, height))))
        img = render_text(s, st, self.rng, self.nprng)
        if img is not None and self.rng.random() < 0.04:
            img = strike_out(img, self.rng)
        return (img, st.colour) if img is not None else None

    def signature_item(self, width: int, initials: bool = False
                       ) -> tuple[Image.Image, tuple[int, int, int]] | None:
        rng = self.rng
        width = int(min(max(width, 40), 800))
        colour = pick_colour(rng, dark=self.fax) if rng.random() < 0.5 else \
            rng.choice(self.writers).colour
        r = rng.random()
        img = None
        max_h = min(width * rng.uniform(0.3, 0.6), rng.uniform(90, 240) * self.cv.s)
        if initials:
            max_h = min(width * 1.2, rng.uniform(50, 140) * self.cv.s)
            # Many real initials are two or three capitals in the writer's everyday hand ("LB",
            # "JAK" on GSA footers): legible, yet a signature. Drawn only when the option is on,
            # so that fixed-seed benchmark sets stay byte-identical.
            if self.cfg.legible_initials_fraction and rng.random() < (
                self.cfg.legible_initials_fraction
            ):
                img = self.legible_initials(width, max_h)
                if img is not None:
                    return img, colour
        if r < self.cfg.real_signature_fraction:
            img = real_signature(self.cfg, rng, width, max_h * 1.3)
        if img is None and r < 0.7:
            # Real signatures at 200 dpi are ~60-220 px tall whatever their width.
            img = procedural_signature(rng, self.nprng, width, initials=initials,
                                       max_height=max_h)
        if img is None and r < 0.85 and not initials:
            # Many real signatures are the name written legibly in the signer's everyday hand
            # (GSA witness lines): on a signature line that is a signature, whatever it reads.
            img = self.legible_name(width, max_h)
        if img is None:
            img = font_signature(rng, self.nprng, self.cv.bank, width, initials)
        return (img, colour) if img is not None else None

    def legible_initials(self, width: int, max_h: float) -> Image.Image | None:
        """Initials in one of the page's handwriting styles (capitals, sometimes with dots),
        fitted to ``width`` x ``max_h``."""
        return self._in_writers_hand(T.initials, width, int(min(max(max_h * 0.7, 22), 80)))

    def legible_name(self, width: int, max_h: float) -> Image.Image | None:
        """A name in one of the page's handwriting styles, fitted to ``width`` x ``max_h``."""
        return self._in_writers_hand(lambda rng: T.name(rng).replace(",", ""), width,
                                     int(min(max(max_h * 0.6, 24), 90)))

    def _in_writers_hand(
        self, text: Callable[[random.Random], str], width: int, size: int
    ) -> Image.Image | None:
        """``text(rng)`` written at ``size`` in one of the page writers' styles (picked first,
        then the text drawn), fitted to ``width``."""
        st = replace(self.rng.choice(self.writers), caps=False, size=size)
        img = render_text(text(self.rng), st, self.rng, self.nprng)
        return fit_width(img, width, self.rng) if img is not None else None

    def annotate(self) -> None:
        """Free annotations not tied to a field: notes in the top/bottom/side margins (often
        over print, like the routing notes on Tobacco800 letters) and initials beside changes."""
        rng, cv = self.rng, self.cv
        W, H = cv.w, cv.h
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            where = rng.choice(("top", "top", "bottom", "side", "body"))
            size = rng.uniform(40, 100) * cv.s
            lines = rng.choice((1, 1, 1, 2, 3))
            if where == "side":
                lines = 1
                size = min(size, 50 * cv.s)
            cands = [self._spot(where) for _ in range(4)]
            if rng.random() < 0.75:  # usually written where there is room; sometimes over print
                ew, eh = int(min(600 * cv.s, W * 0.45)), int(size * lines * 1.3)
                cands.sort(key=lambda p: self._busy(p[0], p[1], ew, eh))
            x, y = cands[0]
            style = rng.choice(self.writers)
            for _ in range(lines):
                s = T.short_phrase(rng) if rng.random() < 0.6 else T.sentence(rng, 2, 5)[:-1]
                item = self.hand_item(s, size, style)
                if item is None:
                    break
                img, col = item
                if where == "side" and rng.random() < 0.4:  # written along the margin
                    img = img.rotate(rng.choice((90, -90)) + rng.gauss(0, 3), expand=True,
                                     resample=Image.Resampling.BILINEAR)
                    img = tighten(img)
                    if img is None:
                        break
                    y = min(y, H - img.height - 4)
                img = fit_width(img, W * 0.95 - x, rng)
                if img is None:
                    break
                self.paste(img, col, x + rng.gauss(0, 6), y, "handwritten")
                y += max(img.height, size) * rng.uniform(1.1, 1.4)
        if rng.random() < 0.12:
            item = self.signature_item(int(rng.uniform(60, 170) * cv.s), initials=True)
            if item:
                img, col = item
                self.paste(img, col, rng.choice((0.02, 0.88)) * W, rng.uniform(0.2, 0.85) * H,
                           "signature")

    def grid_digits(self, slot: Slot) -> None:
        """One character per cell of a date grid or a comb field (block capitals, digits); all
        characters form one handwritten box, cells after the value stay empty."""
        rng = self.rng
        x0, y0, x1, y1 = slot.box
        n, label = _grid_hint(slot)
        cw = (x1 - x0) / n
        value = _comb_value(rng, label, n)
        style = replace(rng.choice(self.writers), caps=True)
        first = True
        for i, ch in enumerate(value[:n]):
            if ch == " ":
                continue
            item = self.cell_char(ch, (y1 - y0) * rng.uniform(0.55, 0.85), style)
            if item is None:
                continue
            img, col = item
            img = fit_width(img, cw * 1.1, rng)
            if img is None:
                continue
            self.paste(img, col, x0 + i * cw + (cw - img.width) / 2 + rng.gauss(0, 2),
                       y0 + (y1 - y0 - img.height) / 2 + rng.gauss(0, 2), "handwritten",
                       join=not first)
            first = False

    def cell_char(self, ch: str, height: float, style: HandStyle
                  ) -> tuple[Image.Image, tuple[int, int, int]] | None:
        """One hand-printed character (a real crop is a whole word, so never one here)."""
        if self.rng.random() < self.cfg.hershey_fraction:
            img = hershey_text(ch, height * 0.75, self.rng, self.nprng)
            if img is not None:
                return img, style.colour
        st = replace(style, size=int(max(14, height)))
        img = render_text(ch, st, self.rng, self.nprng)
        return (img, st.colour) if img is not None else None

    def _spot(self, where: str) -> tuple[float, float]:
        rng, W, H = self.rng, self.cv.w, self.cv.h
        if where == "top":
            return rng.uniform(0.05, 0.7) * W, rng.uniform(0.01, 0.08) * H
        if where == "bottom":
            return rng.uniform(0.05, 0.6) * W, rng.uniform(0.8, 0.92) * H
        if where == "side":
            return rng.choice((0.01, 0.8)) * W, rng.uniform(0.1, 0.8) * H
        return rng.uniform(0.05, 0.7) * W, rng.uniform(0.15, 0.8) * H

    def _busy(self, x: float, y: float, w: int, h: int) -> float:
        """Share of dark pixels (print or ink) in a region, sampled every 4th pixel."""
        sub = self.arr[int(y) : int(y) + h : 4, int(x) : int(x) + w : 4, 0]
        return float((sub < 140).mean()) if sub.size else 1.0

    def tick(self, box: tuple[int, int, int, int]) -> None:
        from .ink import _draw_strokes

        x0, y0, x1, y1 = box
        sz = (x1 - x0) * self.rng.uniform(0.9, 1.6)
        if self.rng.random() < 0.6:
            pts = np.array([[0, 0.55], [0.35, 1.0], [1.1, -0.3]]) * sz
            strokes = [pts + self.nprng.normal(0, sz * 0.05, pts.shape)]
        else:
            strokes = [np.array([[0, 0], [1, 1]]) * sz, np.array([[1, 0], [0, 1]]) * sz]
        img = tighten(_draw_strokes(strokes, max(1.5, sz * 0.08), self.rng))
        if img is not None:
            colour = self.rng.choice(self.writers).colour
            self.paste(img, colour, x0 - sz * 0.1, y0 - sz * 0.3, "handwritten")

    # ------------------------------------------------------------------ slot filling
    def plan(self, slot: Slot, hard_negative: bool) -> bool:
        """Decide a slot's fate; typed fill-ins are drawn now. True = handwriting later."""
        rng, cv = self.rng, self.cv
        p_fill = {"sig": 0.85, "initials": 0.5, "line": 0.6, "box": 0.55, "check": 0.35,
                  "note": 0.45, "margin": 0.2, "grid": 0.7}.get(slot.kind, 0.5)
        if slot.kind == "note" and (slot.hint == "page" or slot.hint.startswith("ruled:")):
            p_fill = 0.9
        if self.cheque_scan and slot.kind in ("line", "box", "grid", "sig"):
            p_fill = 0.9  # cheques are presented filled in
        if rng.random() > p_fill:
            return False
        if hard_negative or rng.random() < 0.12:
            if slot.kind in ("line", "box"):
                typed_fill(cv, rng, slot.box, T.fill_value(rng, slot.hint),
                           "script" if rng.random() < 0.25 else "type")
            elif slot.kind == "grid" and rng.random() < 0.5:
                n, label = _grid_hint(slot)
                typed_comb(cv, rng, slot.box, _comb_value(rng, label, n), n)
            elif slot.kind == "sig" and rng.random() < 0.6:
                who = T.name(rng)
                typed_fill(cv, rng, slot.box, who if rng.random() < 0.7 else f"/s/ {who}",
                           "script")
            return False
        return True

    def begin(self) -> None:
        """Freeze the print: copy the canvas into the working array that ink is multiplied on."""
        self.arr = np.array(self.cv.img)
        if self.cfg.return_masks:
            self.mask = np.zeros(self.arr.shape[:2], np.uint8)

    def fill(self, slot: Slot) -> None:
        rng, cv = self.rng, self.cv
        x0, y0, x1, y1 = slot.box
        w, h = x1 - x0, y1 - y0
        if slot.kind in ("line", "box"):
            s = T.fill_value(rng, slot.hint)
            if self.cfg.wide_gap_fraction and " " in s and rng.random() < \
                    self.cfg.wide_gap_fraction:
                s = " ".join(word + " " * rng.randint(1, 4) for word in s.split()).rstrip()
            # Sizes follow the real train sets (scripts/size_stats.py): filled-in phrases on
            # GSA leases are ~60-100 px tall at 200 dpi, more than forms' line spacing suggests.
            height = min(h * rng.uniform(0.7, 1.25), 130 * cv.s) if slot.kind == "box" else \
                rng.uniform(70, 150) * cv.s
            item = self.hand_item(s, height)
            if item is None:
                return
            img, col = item
            img = fit_width(img, w * rng.uniform(0.9, 1.15), rng)
            if img is None:
                return
            x = x0 + rng.uniform(0, max(1, w - img.width)) * rng.uniform(0, 0.6)
            if slot.kind == "box":
                y = y0 + max(0, h - img.height) * rng.uniform(0.2, 0.9)
            else:
                y = y1 - img.height * rng.uniform(0.75, 1.08)
            self.paste(img, col, x, y, "handwritten")
        elif slot.kind == "sig":
            item = self.signature_item(int(w * rng.uniform(0.5, 1.05)))
            if item is None:
                return
            img, col = item
            x = x0 + rng.uniform(-0.05, 0.6) * max(1, w - img.width)
            y = y1 - img.height * rng.uniform(0.55, 1.05)
            self.paste(img, col, x, y, "signature")
            if rng.random() < 0.3:  # date next to the signature
                item = self.hand_item(T.date(rng), rng.uniform(40, 80) * cv.s)
                if item:
                    d, c = item
                    # often written right after the name ("Jan Conlon 6/5/98" on Tobacco800):
                    # a separate phrase, so a separate box even when nearly touching
                    gap = rng.uniform(6, 30) if rng.random() < 0.4 else rng.uniform(30, 120)
                    self.paste(d, c, x + img.width + gap * cv.s,
                               y1 - d.height * rng.uniform(0.8, 1.05), "handwritten")
        elif slot.kind == "initials":
            item = self.signature_item(int(rng.uniform(70, 200) * cv.s), initials=True)
            if item:
                img, col = item
                self.paste(img, col, x0 + rng.uniform(0, max(1, w - img.width)),
                           y1 - img.height * rng.uniform(0.6, 1.0), "signature")
        elif slot.kind == "check":
            self.tick(slot.box)
        elif slot.kind == "grid":
            self.grid_digits(slot)
        elif slot.kind in ("note", "margin"):
            style = rng.choice(self.writers)
            lines = rng.randint(1, 4) if slot.kind == "note" else rng.randint(1, 2)
            size = rng.uniform(55, 110) * cv.s
            x = x0 + rng.uniform(0, 0.4) * w
            y = y0 + rng.uniform(0, 0.5) * max(1, h - lines * size * 1.6)
            ruled = slot.hint.startswith("ruled:")
            if slot.hint == "page" or ruled:  # a handwritten page: many lines, one box each
                lines = rng.randint(3, 16)
                x = x0 + rng.uniform(0, 0.1) * w
                y = y0 + rng.uniform(0, 0.2) * h
            if ruled:
                gap = float(slot.hint[6:])
                size = gap * rng.uniform(0.45, 0.7)
                y = y0 + gap * rng.randint(0, 2)
            long_lines = slot.hint == "page" or ruled
            for _ in range(lines):
                if long_lines:  # handwritten letter: full lines of running text
                    s = T.sentence(rng, 3, 10).rstrip(".;,")
                elif rng.random() < 0.6:
                    s = T.sentence(rng, 2, 6).rstrip(".;,")
                else:
                    s = T.short_phrase(rng)
                item = self.hand_item(s, size, style)
                if item is None:
                    continue
                img, col = item
                img = fit_width(img, x1 - x, rng)
                if img is None:
                    continue
                if ruled:  # sit on the rule (descenders may cross it)
                    self.paste(img, col, x + rng.gauss(0, 8),
                               y - img.height * rng.uniform(0.75, 0.95), "handwritten")
                    y += gap
                else:
                    self.paste(img, col, x + rng.gauss(0, 8), y, "handwritten")
                    y += max(img.height, size) * rng.uniform(1.15, 1.5)
                if y > y1:
                    break


def _grid_hint(slot: Slot) -> tuple[int, str]:
    """A ``grid`` slot's cell count and lower-cased label: hint ``cells|label`` (comb fields) or
    ``cells`` (cheque date grids, no label)."""
    cells, _, label = slot.hint.partition("|")
    return int(cells or 8), label.lower()


def _comb_value(rng: random.Random, label: str, n: int) -> str:
    """What a person prints into an ``n``-cell comb labelled ``label``: dates as DDMMYYYY,
    numbers as digits, names and places in capitals with a blank cell between words."""
    if not label or "date" in label or "birth" in label:
        y, m, d = rng.randint(1930, 2025), rng.randint(1, 12), rng.randint(1, 28)
        return f"{d:02d}{m:02d}{y:04d}"[:n]
    if any(k in label for k in ("no.", "number", "telephone", "account", "amount", "total")):
        return "".join(rng.choice("0123456789") for _ in range(rng.randint(min(4, n), n)))
    if "name" in label or "contact" in label or "physician" in label or "employer" in label:
        v = T.name(rng).replace(",", "").replace(".", "")
    elif "address" in label or "city" in label:
        v = T.address_lines(rng)[0].replace(",", "")
    else:
        v = T.short_phrase(rng)
    return v.upper()[: rng.randint(min(3, n), n)].rstrip()


def _paper(rng: random.Random) -> tuple[int, int, int]:
    r = rng.random()
    if r < 0.65:
        v = rng.randint(246, 255)
        return (v, v, v)
    if r < 0.75:  # cream / aged
        v = rng.randint(236, 252)
        return (v, v - rng.randint(1, 6), v - rng.randint(4, 16))
    if r < 0.9:  # grey recycled / copy
        v = rng.randint(210, 240)
        return (v, v, v)
    return (rng.randint(228, 250), rng.randint(232, 252), rng.randint(228, 252))  # tinted form


def _box(p: _Placed, w: int, h: int, angle: float, quarter: int,
         persp: np.ndarray | None = None) -> tuple[int, int, int, int] | None:
    """Box of an item's ink after the page skew, perspective and quarter rotation (None if
    gone). Exact for skew and rotation; within 1 px for the perspective."""
    xs, ys = skew_points(p.xs, p.ys, w, h, angle)
    if persp is not None:
        # Ink pushed off the sheet by the skew is gone; it must not come back inwards.
        keep = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
        xs, ys = map_points(xs[keep], ys[keep], persp)
    keep = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    if keep.sum() < 2:
        return None
    xs, ys = xs[keep], ys[keep]
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    if box[2] - box[0] < 2 or box[3] - box[1] < 2:
        return None
    return quarter_box(box, w, h, quarter)


def _shows(crop: Image.Image, contrast: float = 40.0) -> bool:
    """Whether any mark in ``crop`` stands out from its paper (median) by ``contrast`` levels."""
    g = np.asarray(crop.convert("L"), np.float32)
    return g.size > 0 and float(np.median(g) - g.min()) >= contrast


_QUARTER_OPS = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180,
                3: Image.Transpose.ROTATE_270}


def _is_cheque_scan(seed: int, kind: str, cfg: SynthConfig) -> bool:
    """Whether this cheque page is drawn as one cheque scanned on its own (a share
    ``cfg.cheque_scan_fraction``). Own random stream, so every other page keeps its draws."""
    return (kind == "cheque" and cfg.cheque_scan_fraction > 0
            and random.Random(seed * 104729 + 31).random() < cfg.cheque_scan_fraction)


def _cheque_scan_size(seed: int) -> tuple[int, int]:
    """A cheque scanner's image: 1100-1700 px wide at 2.0-2.5:1 (the cheque template fills a
    landscape page)."""
    r = random.Random(seed * 104729 + 37)
    w = r.randint(1100, 1700)
    return w, int(w / r.uniform(2.0, 2.5))


def generate_page(seed: int, config: SynthConfig | None = None) -> Page:
    """Render one synthetic page for ``seed``; identical seeds give pixel-identical pages."""
    cfg = config or SynthConfig()
    t0 = time.perf_counter()
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    bank = font_bank(tuple(str(d) for d in cfg.font_dirs), cfg.system_fonts)
    hard_negative = rng.random() < cfg.hard_negative_fraction
    # Own stream: pages that are not photos keep exactly the draws (and pixels) they had before
    # photo capture existed, so fixed-seed sets stay comparable across generator versions.
    photo = random.Random(seed * 7919 + 17).random() < cfg.photo_fraction
    kinds = list(cfg.kinds)
    kind = rng.choices(kinds, weights=[cfg.kinds[k] for k in kinds])[0]
    paper = _paper(rng)
    cheque_scan = _is_cheque_scan(seed, kind, cfg)
    cv = Canvas(_cheque_scan_size(seed) if cheque_scan else cfg.size, paper, rng, bank)
    TEMPLATES[kind](cv, rng)
    if rng.random() < 0.12:
        redactions(cv, rng)
    n_stamps = rng.choices((0, 1, 2), (0.6, 0.3, 0.1))[0] + (1 if hard_negative else 0)
    for _ in range(n_stamps):
        stamp(cv, rng, nprng)
    if rng.random() < (0.4 if hard_negative else 0.12):
        barcode(cv, rng)
    if rng.random() < (0.25 if hard_negative else 0.06):
        qr(cv, rng, nprng)
    if rng.random() < (0.5 if hard_negative else 0.08):
        printed_script_block(cv, rng)
    grey = rng.random() < cfg.grey_fraction and not photo  # a phone camera sees colour
    fax = rng.random() < cfg.fax_fraction and not photo
    comp = _Composer(cv, cfg, rng, nprng)
    if fax:  # a 1-bit scan keeps only dark ink: make all writers use dark pens
        for wr in comp.writers:
            wr.colour = pick_colour(rng, dark=True)
    comp.fax = fax
    comp.cheque_scan = cheque_scan
    slots = list(cv.slots)
    # Typed fill-ins first (they draw on the canvas), then handwriting on top.
    hand = [slot for slot in slots if comp.plan(slot, hard_negative)]
    t1 = time.perf_counter()
    comp.begin()
    for slot in hand:
        comp.fill(slot)
    p_note = {"letter": 0.7, "cheque": 0.1, "note": 0.5}.get(kind, 0.35)
    if not hard_negative and rng.random() < p_note:
        comp.annotate()
    mask = comp.mask
    t2 = time.perf_counter()

    # ----------------------------------------------------------------- scan effects
    H, W = comp.arr.shape[:2]
    img = Image.fromarray(comp.arr)
    if grey or fax:
        img = img.convert("L")
    if rng.random() < 0.25:
        img = E.shading(img, rng, nprng, rng.uniform(0.05, 0.25))
    angle = rng.uniform(-cfg.skew_degrees, cfg.skew_degrees) if rng.random() < 0.75 else 0.0
    if abs(angle) < 0.05:
        angle = 0.0
    if angle:
        # Per-channel L shears: contiguous single-byte bands are ~10x faster than RGB ones.
        chans = []
        for ch in img.split():
            a = np.asarray(ch)
            chans.append(Image.fromarray(shear_skew(a, angle, int(a[2, 2]))))
        img = chans[0] if len(chans) == 1 else Image.merge(img.mode, chans)
        if mask is not None:
            mask = shear_skew(mask, angle, 0)
    persp = None
    if photo:  # held at an angle: strong keystone, the desk shows around the page
        persp, coeffs = keystone(W, H, rng, rng.uniform(0.02, 0.07))
        fillv = E.desk_colour(rng)
    elif rng.random() < cfg.perspective_fraction:
        persp, coeffs = keystone(W, H, rng, rng.uniform(0.005, 0.02))
        fillv = img.getpixel((2, 2))
    if persp is not None:
        # Bilinear (not nearest): the warp shrinks the page slightly and nearest sampling would
        # drop 1-px strokes (the end of a box) from the image but not from the box.
        img = img.transform(img.size, Image.Transform.PERSPECTIVE, coeffs,
                            Image.Resampling.BILINEAR, fillcolor=fillv)
        if mask is not None:
            warped = np.zeros_like(mask)
            for cid in (1, 2):
                m = Image.fromarray(((mask == cid) * 255).astype(np.uint8)).transform(
                    img.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR)
                warped[np.asarray(m) > 0] = cid
            mask = warped
    if photo:
        img = E.photo_capture(img, rng, nprng)
    else:
        if rng.random() < 0.05:
            img = E.punch_holes(img, rng, rng.randint(20, 80))
        if rng.random() < 0.06:
            img = E.bleed_through(img, rng)
        if rng.random() < 0.08:
            img = E.fold(img, rng)
        if fax:
            if rng.random() < 0.5:
                img = E.blur(img, rng.uniform(0.4, 0.9))
            img = E.binarise(img, rng)
        else:
            if rng.random() < (0.35 if img.mode == "L" else 0.2):
                img = E.blur(img, rng.uniform(0.3, 1.1))
            if rng.random() < 0.5:
                # Contrast: mostly mild; sometimes faded toner (high black) or a dark photocopy.
                r = rng.random()
                if r < 0.6:
                    img = E.levels(img, rng.uniform(0, 30), rng.uniform(235, 255),
                                   rng.uniform(0.8, 1.2))
                elif r < 0.8:
                    img = E.levels(img, rng.uniform(40, 90), rng.uniform(230, 255),
                                   rng.uniform(0.6, 0.9))
                else:
                    img = E.levels(img, 0, rng.uniform(190, 235), rng.uniform(1.2, 1.8))
            if rng.random() < 0.6:
                img = E.add_noise(img, rng.uniform(2, 12), rng)
            if rng.random() < 0.7:
                # Scanners auto-level: the paper becomes pure white, its noise clipped away.
                img = E.white_point(img, rng.uniform(0.0, 8.0))
        if rng.random() < 0.35:
            img = E.speckle(img, rng, nprng, rng.uniform(1e-5, 2e-4))
        if rng.random() < cfg.jpeg_fraction:
            img = E.jpeg(img, rng.randint(25, 85))
    quarter = 0
    if rng.random() < cfg.rotate_fraction:
        quarter = rng.choice((1, 2, 3))
        img = img.transpose(_QUARTER_OPS[quarter])
        if mask is not None:
            mask = np.asarray(Image.fromarray(mask).transpose(_QUARTER_OPS[quarter]))
    if img.mode != "RGB":
        img = img.convert("RGB")

    regions = []
    for p in comp.placed:
        box = _box(p, W, H, angle, quarter, persp)
        if box is not None:
            regions.append(Region(p.label, 1.0, tuple(float(v) for v in box), 0))
    distractors = []
    for what, (x0, y0, x1, y1) in cv.distractors:  # corners moved like the ink
        corners = _Placed(what, np.array([x0, x1, x0, x1]), np.array([y0, y0, y1, y1]))
        box = _box(corners, W, H, angle, quarter, persp)
        # faint print can vanish in the scan (a fax's 1-bit threshold): report only what shows
        if box is not None and _shows(img.crop(box)):
            distractors.append({"kind": what, "box": [float(v) for v in box]})
    t3 = time.perf_counter()
    return Page(img, regions, "hard_negative" if hard_negative else kind, seed, mask,
                {"template": kind, "angle": angle, "quarter": quarter, "grey": grey,
                 "perspective": persp is not None, "photo": photo, "distractors": distractors,
                 "distractors_drawn": len(cv.distractors),
                 "fax": fax, "seconds": {"print": t1 - t0, "ink": t2 - t1, "scan": t3 - t2}})

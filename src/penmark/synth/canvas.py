"""Printed-page drawing helpers and the slots that handwriting can later fill.

Templates (``templates.py``) draw print through a :class:`Canvas` and register *slots*: field
lines, signature lines, footer initials, free areas for notes. The composer decides afterwards
whether each slot gets handwriting (labelled), a typewritten fill-in (unlabelled print) or stays
blank, so the same layouts produce both positives and hard negatives.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from .fonts import FontBank, font

_WORD_LEN: dict[tuple[str, int, str], float] = {}


def word_length(f: ImageFont.FreeTypeFont, w: str) -> float:
    """Cached advance width of a word in a font (text pools are small, so hits are frequent)."""
    key = (str(f.path), int(f.size), w)
    v = _WORD_LEN.get(key)
    if v is None:
        if len(_WORD_LEN) > 200_000:
            _WORD_LEN.clear()
        v = _WORD_LEN[key] = f.getlength(w)
    return v


_WORD_MASK: OrderedDict[tuple[str, int, str], tuple[Image.Image | None, int, int]] = \
    OrderedDict()


def word_mask(f: ImageFont.FreeTypeFont, w: str) -> tuple[Image.Image | None, int, int]:
    """Cached anti-aliased mask of a word and its offset from the left-ascender anchor (LRU,
    at most 12k entries, ~30 MB)."""
    key = (str(f.path), int(f.size), w)
    hit = _WORD_MASK.get(key)
    if hit is not None:
        _WORD_MASK.move_to_end(key)
        return hit
    x0, y0, x1, y1 = f.getbbox(w)
    if x1 <= x0 or y1 <= y0:
        val: tuple[Image.Image | None, int, int] = (None, 0, 0)
    else:
        m = Image.new("L", (x1 - x0, y1 - y0), 0)
        ImageDraw.Draw(m).text((-x0, -y0), w, font=f, fill=255)
        val = (m, x0, y0)
    _WORD_MASK[key] = val
    if len(_WORD_MASK) > 12000:
        _WORD_MASK.popitem(last=False)
    return val


@dataclass
class Slot:
    """A place for handwriting. ``kind``: line, sig, initials, box, check, note, margin."""

    kind: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1; for lines y1 is the line (baseline) y
    hint: str = ""  # printed label next to it, used to choose plausible content


class Canvas:
    """A page image plus text helpers that keep a consistent font family per page."""

    def __init__(
        self, size: tuple[int, int], paper: tuple[int, int, int], rng: random.Random,
        bank: FontBank,
    ) -> None:
        self.w, self.h = size
        self.paper = paper
        self.img = Image.new("RGB", size, paper)
        self.draw = ImageDraw.Draw(self.img)
        self.rng = rng
        self.bank = bank
        # Layout scale relative to 200 dpi letter, varied so that print and handwriting appear
        # at several physical sizes (scans come at 150-300 dpi and are resized by users).
        self.s = self.w / 1700.0 * rng.uniform(0.85, 1.15)
        self.family = rng.choice(("serif", "serif", "serif", "sans", "sans", "mono", "type"))
        self.ink = tuple([rng.randint(0, 45)] * 3)
        self.slots: list[Slot] = []
        # Print that imitates writing (typed and script fill-ins, script letterheads and blocks,
        # stamps, logos): (kind, box) in page pixels. Never labelled; reported in Page.meta so
        # that training can aim crops at them and evaluation can say what fooled the model.
        self.distractors: list[tuple[str, tuple[int, int, int, int]]] = []
        self._faces: dict[tuple[str, str], str] = {}
        self.margin = int(rng.uniform(120, 230) * self.s)
        self.body = 2 * int(rng.uniform(22, 34) * self.s / 2)

    def free_spot(self, w: float, h: float, rng: random.Random, tries: int = 40
                  ) -> tuple[int, int] | None:
        """Top-left of a blank ``w`` x ``h`` area inside the margins that holds no print yet and
        no handwriting slot, or None. Print is laid out in empty space; only writing goes over
        other ink, so distractors placed here never teach that ink over print is print."""
        w, h = int(w), int(h)
        pad = int(10 * self.s)
        x_hi, y_hi = self.w - self.margin * 0.5 - w, self.h - self.margin * 0.7 - h
        if x_hi <= self.margin * 0.5 or y_hi <= self.margin * 0.7:
            return None
        floor = min(self.paper) - 30
        for _ in range(tries):
            x = int(rng.uniform(self.margin * 0.5, x_hi))
            y = int(rng.uniform(self.margin * 0.7, y_hi))
            if any(x < sl.box[2] + pad and sl.box[0] - pad < x + w
                   and y < sl.box[3] + pad and sl.box[1] - pad < y + h for sl in self.slots):
                continue
            area = self.img.crop((x - pad, y - pad, x + w + pad, y + h + pad)).convert("L")
            if area.getextrema()[0] >= floor:
                return x, y
        return None

    # ------------------------------------------------------------------ fonts and text
    def f(self, size: float | None = None, style: str = "r", family: str | None = None
          ) -> ImageFont.FreeTypeFont:
        size = 2 * int((size or self.body) / 2)  # even sizes only: fewer FreeType faces
        key = (family or self.family, style)
        path = self._faces.get(key)
        if path is None:  # one face per family/style per page, as in a real document
            path = self._faces[key] = self.bank.print_font(key[0], style, self.rng)
        return font(path, size)

    def text(self, xy: tuple[float, float], s: str, f: ImageFont.FreeTypeFont,
             fill: tuple[int, ...] | None = None, anchor: str = "la") -> tuple[int, int, int, int]:
        self.draw.text(xy, s, font=f, fill=fill or self.ink, anchor=anchor)
        return tuple(int(v) for v in self.draw.textbbox(xy, s, font=f, anchor=anchor))

    def wrap(self, s: str, f: ImageFont.FreeTypeFont, width: float) -> list[str]:
        """Greedy word wrap from cached word widths (measuring the growing line with
        ``getlength`` each time was quadratic and cost ~30 ms per page)."""
        space = word_length(f, " ")
        lines: list[str] = []
        cur: list[str] = []
        cur_w = 0.0
        for w in s.split():
            wl = word_length(f, w)
            if cur and cur_w + space + wl > width:
                lines.append(" ".join(cur))
                cur, cur_w = [w], wl
            else:
                cur_w += (space if cur else 0.0) + wl
                cur.append(w)
        if cur:
            lines.append(" ".join(cur))
        return lines

    def paragraph(self, x: float, y: float, width: float, s: str,
                  f: ImageFont.FreeTypeFont | None = None, leading: float = 1.25,
                  indent: float = 0.0) -> float:
        """Draw wrapped text; returns the y below it."""
        f = f or self.f()
        size = f.size
        for i, line in enumerate(self.wrap(s, f, width - indent)):
            if y + size > self.h - self.margin * 0.6:
                break
            self.line_of_words(x + (indent if i == 0 else 0), y, line.split(), f)
            y += size * leading
        return y

    def line_of_words(self, x: float, y: float, words: list[str], f: ImageFont.FreeTypeFont,
                      gap: float | None = None) -> None:
        """Draw words from cached word bitmaps (FreeType rasterises ~6 us per glyph and body
        text repeats a small vocabulary, so pasting cached words is ~3x faster)."""
        gap = word_length(f, " ") if gap is None else gap
        for w in words:
            mask, ox, oy = word_mask(f, w)
            if mask is not None:
                self.img.paste(self.ink, (int(x + ox), int(y + oy)), mask)
            x += word_length(f, w) + gap

    # ------------------------------------------------------------------ fields and slots
    def hline(self, x0: float, x1: float, y: float, width: int = 2) -> None:
        self.draw.line([(x0, y), (x1, y)], fill=self.ink, width=max(1, int(width * self.s)))

    def field(self, x: float, y: float, label: str, length: float,
              f: ImageFont.FreeTypeFont | None = None, below: bool = False,
              kind: str = "line") -> float:
        """``label ______`` (or the label under the line); registers a slot; returns x after."""
        f = f or self.f()
        if below:
            self.hline(x, x + length, y)
            self.text((x, y + 6 * self.s), label, self.f(f.size * 0.8))
            self.slots.append(Slot(kind, (int(x), int(y - f.size * 2.2), int(x + length), int(y)),
                                   label))
            return x + length
        bb = self.text((x, y), label, f, anchor="ls")
        lx0 = bb[2] + int(8 * self.s)
        self.hline(lx0, lx0 + length, y + 3 * self.s)
        self.slots.append(Slot(kind, (lx0, int(y - f.size * 2.0), int(lx0 + length),
                                      int(y + 3 * self.s)), label))
        return lx0 + length

    def comb_field(self, x: float, y: float, label: str, cells: int, cell: float,
                   f: ImageFont.FreeTypeFont | None = None, full: bool = True) -> float:
        """``label [ | | | ]``: one character per cell (block capitals on government and
        clinical forms); registers a ``grid`` slot whose hint is ``cells|label``."""
        f = f or self.f()
        bb = self.text((x, y + cell * 0.7), label, f, anchor="ls")
        gx = bb[2] + int(10 * self.s)
        w = max(1, int(2 * self.s))
        self.draw.rectangle([gx, y, gx + cells * cell, y + cell], outline=self.ink, width=w)
        for i in range(1, cells):  # combs: full dividers or short ticks from the bottom line
            top = y if full else y + cell * 0.6
            self.draw.line([gx + i * cell, top, gx + i * cell, y + cell], fill=self.ink, width=w)
        self.slots.append(Slot("grid", (int(gx), int(y), int(gx + cells * cell), int(y + cell)),
                               f"{cells}|{label}"))
        return gx + cells * cell

    def boxed_field(self, x0: float, y0: float, x1: float, y1: float, label: str,
                    f: ImageFont.FreeTypeFont | None = None, kind: str = "box") -> None:
        """A form cell with a small label in its top-left corner."""
        f = f or self.f(self.body * 0.7)
        self.draw.rectangle([x0, y0, x1, y1], outline=self.ink, width=max(1, int(2 * self.s)))
        bb = self.text((x0 + 6 * self.s, y0 + 4 * self.s), label, f)
        self.slots.append(Slot(kind, (int(x0 + 8 * self.s), int(bb[3] + 2), int(x1 - 6 * self.s),
                                      int(y1 - 4 * self.s)), label))

    def justified(self, x: float, y: float, width: float, s: str,
                  f: ImageFont.FreeTypeFont | None = None, leading: float = 1.2) -> float:
        """Fully justified paragraph (legal documents), word by word; returns the y below."""
        f = f or self.f()
        lines = self.wrap(s, f, width)
        space = f.getlength(" ")
        for i, line in enumerate(lines):
            if y + f.size > self.h - self.margin * 0.6:
                break
            words = line.split()
            if i == len(lines) - 1 or len(words) < 2:
                self.line_of_words(x, y, words, f)
            else:
                lens = [word_length(f, w) for w in words]
                gap = (width - sum(lens)) / (len(words) - 1)
                if gap > space * 3:
                    gap = space
                self.line_of_words(x, y, words, f, gap)
            y += f.size * leading
        return y

    def section(self, y: float, title: str) -> float:
        """A GSA-style section header: rule, bold caps title centred, rule."""
        f = self.f(self.body * 0.95, "b")
        self.hline(self.margin * 0.8, self.w - self.margin * 0.8, y, 2)
        self.text((self.w / 2, y + 4 * self.s), title, f, anchor="ma")
        y += f.size * 1.5
        self.hline(self.margin * 0.8, self.w - self.margin * 0.8, y, 1)
        return y + self.body * 0.5

    def checkbox(self, x: float, y: float, label: str, f: ImageFont.FreeTypeFont | None = None
                 ) -> float:
        f = f or self.f(self.body * 0.8)
        sz = int(f.size * 0.9)
        self.draw.rectangle([x, y, x + sz, y + sz], outline=self.ink, width=max(1, int(2 * self.s)))
        self.slots.append(Slot("check", (int(x), int(y), int(x + sz), int(y + sz)), label))
        bb = self.text((x + sz + 8 * self.s, y), label, f)
        return bb[2]

    def sig_line(self, x: float, y: float, length: float, caption: str = "(Signature)",
                 printed_name: str | None = None) -> None:
        """A signature line with caption and optional printed name under it."""
        self.hline(x, x + length, y)
        fc = self.f(self.body * 0.75)
        yy = y + 6 * self.s
        if printed_name:
            self.text((x, yy), printed_name, self.f(self.body * 0.9, "b"))
            yy += self.body * 1.1
        if caption:
            self.text((x, yy), caption, fc)
        self.slots.append(Slot("sig", (int(x), int(y - 120 * self.s), int(x + length), int(y)),
                               caption))

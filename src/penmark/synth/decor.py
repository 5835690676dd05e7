"""Print-only decorations: stamps, seals, logos, barcodes, QR-like codes, typed fill-ins.

These are the hard negatives: dense, curvy or coloured marks that are *not* handwriting, so the
detector learns not to fire on them.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw

from . import text as T
from .canvas import Canvas, Slot
from .fonts import font

STAMP_COLOURS = [(180, 30, 40), (40, 60, 170), (110, 40, 130), (30, 110, 60), (60, 60, 60)]


def stamp(cv: Canvas, rng: random.Random, nprng: np.random.Generator) -> None:
    """A rubber stamp (round seal or rectangle), rotated, blotchy, partly over text."""
    s = cv.s
    size = int(rng.uniform(180, 380) * s)
    img = Image.new("L", (size * 2, size * 2), 0)
    d = ImageDraw.Draw(img)
    c = size
    fpath = cv.bank.print_font(rng.choice(("sans", "serif")), "b", rng)
    word = rng.choice(("RECEIVED", "APPROVED", "PAID", "COPY", "FILED", "CONFIDENTIAL",
                       "ENTERED", "VOID", "ORIGINAL", "POSTED", "CERTIFIED"))
    lw = max(2, int(size * 0.025))
    if rng.random() < 0.5:
        r = size * 0.48
        d.ellipse([c - r, c - r, c + r, c + r], outline=255, width=lw)
        r2 = r * 0.72
        d.ellipse([c - r2, c - r2, c + r2, c + r2], outline=255, width=max(1, lw // 2))
        ring = T.company(rng).upper() + " * "
        f = font(fpath, int(r * 0.17))
        n = len(ring)
        for i, ch in enumerate(ring):
            a = -math.pi / 2 + 2 * math.pi * i / n
            rr = (r + r2) / 2
            g = Image.new("L", (int(r * 0.3), int(r * 0.3)), 0)
            ImageDraw.Draw(g).text((g.width / 2, g.height / 2), ch, font=f, fill=255, anchor="mm")
            g = g.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BILINEAR)
            img.paste(255, (int(c + rr * math.cos(a) - g.width / 2),
                            int(c + rr * math.sin(a) - g.height / 2)), g)
        d.text((c, c), word[:8], font=font(fpath, int(r2 * 0.32)), fill=255, anchor="mm")
    else:
        f = font(fpath, int(size * 0.16))
        tw = f.getlength(word)
        w2 = tw / 2 + size * 0.08
        h2 = size * 0.2
        d.rectangle([c - w2, c - h2, c + w2, c + h2 + size * 0.16], outline=255, width=lw)
        d.text((c, c - h2 * 0.3), word, font=f, fill=255, anchor="mm")
        d.text((c, c + h2 * 0.75), T.date(rng).upper(), font=font(fpath, int(size * 0.09)),
               fill=255, anchor="mm")
    img = img.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BILINEAR)
    a = np.asarray(img, dtype=np.float32)
    blot = nprng.uniform(0.35, 1.0, (a.shape[0] // 16 + 1, a.shape[1] // 16 + 1))
    blot = np.kron(blot, np.ones((16, 16)))[: a.shape[0], : a.shape[1]]
    a = (a * blot * rng.uniform(0.6, 0.95)).astype(np.uint8)
    col = rng.choice(STAMP_COLOURS)
    x = rng.randint(0, max(1, cv.w - img.width))
    y = rng.randint(0, max(1, cv.h - img.height))
    cv.img.paste(col, (x, y), Image.fromarray(a))
    ys, xs = np.nonzero(a > 40)
    if len(xs):
        cv.distractors.append(
            ("stamp", (x + int(xs.min()), y + int(ys.min()), x + int(xs.max()) + 1,
                       y + int(ys.max()) + 1))
        )
    if rng.random() < 0.35:  # date / initials written into the stamp by the clerk
        cx, cy = x + img.width / 2, y + img.height / 2
        cv.slots.append(Slot("line", (int(cx - size * 0.45), int(cy - size * 0.15),
                                      int(cx + size * 0.45), int(cy + size * 0.3)), "date"))


def logo(cv: Canvas, rng: random.Random, x: float | None = None, y: float | None = None
         ) -> float:
    """A simple geometric logo with a bold company name (a letterhead); returns its bottom y."""
    s = cv.s
    if x is None or y is None:
        x, y = cv.margin * rng.uniform(0.3, 1.0), cv.margin * rng.uniform(0.2, 0.5)
    sz = int(rng.uniform(60, 130) * s)
    col = rng.choice([(0, 0, 0), (20, 50, 120), (140, 20, 30), (30, 90, 60)])
    shape = rng.randrange(4)
    d = cv.draw
    if shape == 0:
        d.ellipse([x, y, x + sz, y + sz], fill=col)
        d.ellipse([x + sz * 0.25, y + sz * 0.25, x + sz * 0.75, y + sz * 0.75], fill=(255,) * 3)
    elif shape == 1:
        d.polygon([(x, y + sz), (x + sz / 2, y), (x + sz, y + sz)], fill=col)
    elif shape == 2:
        for k in range(4):
            d.rectangle([x + k * sz / 4, y + sz * (1 - (k + 1) / 4), x + (k + 0.8) * sz / 4,
                         y + sz], fill=col)
    else:
        d.regular_polygon((x + sz / 2, y + sz / 2, sz / 2), rng.randint(5, 8), fill=col)
    name = rng.choice(T.COMPANY_A).upper()
    fpath = cv.bank.print_font(rng.choice(("sans", "serif")), "b", rng)
    text_box = cv.text((x + sz * 1.2, y + sz / 2), name, font(fpath, int(sz * 0.55)), col, "lm")
    cv.distractors.append(("logo", (int(x), int(y), int(x + sz) + 1, int(y + sz) + 1)))
    cv.distractors.append(("logo_text", text_box))
    return y + sz


def redactions(cv: Canvas, rng: random.Random) -> None:
    """Black redaction bars over text lines (released government documents have many)."""
    for _ in range(rng.randint(1, 4)):
        w = rng.uniform(120, 700) * cv.s
        h = rng.uniform(22, 60) * cv.s
        x = rng.uniform(cv.margin, max(cv.margin + 1, cv.w - cv.margin - w))
        y = rng.uniform(cv.margin, cv.h - cv.margin)
        cv.draw.rectangle([x, y, x + w, y + h], fill=(0, 0, 0))


def barcode(cv: Canvas, rng: random.Random) -> None:
    s = cv.s
    h = int(rng.uniform(50, 120) * s)
    # Barcodes live in the margins: top/bottom band or a corner.
    x = rng.uniform(cv.margin * 0.3, cv.w * 0.6)
    y = rng.choice((rng.uniform(cv.margin * 0.1, cv.margin * 0.5),
                    rng.uniform(cv.h - cv.margin * 0.9, cv.h - cv.margin * 0.3 - h)))
    unit = max(2, int(rng.uniform(2, 4) * s))
    for _ in range(rng.randint(30, 70)):
        wbar = unit * rng.choice((1, 1, 2, 3))
        cv.draw.rectangle([x, y, x + wbar - 1, y + h], fill=(0, 0, 0))
        x += wbar + unit * rng.choice((1, 1, 2, 3))
    if x > cv.w:
        return


def qr(cv: Canvas, rng: random.Random, nprng: np.random.Generator) -> None:
    s = cv.s
    n = rng.choice((21, 25, 29))
    mod = max(3, int(rng.uniform(4, 8) * s))
    grid = nprng.random((n, n)) < 0.5
    for ox, oy in ((0, 0), (n - 7, 0), (0, n - 7)):
        grid[oy : oy + 7, ox : ox + 7] = True
        grid[oy + 1 : oy + 6, ox + 1 : ox + 6] = False
        grid[oy + 2 : oy + 5, ox + 2 : ox + 5] = True
    img = Image.fromarray((~grid * 255).astype(np.uint8)).resize((n * mod, n * mod),
                                                                    Image.Resampling.NEAREST)
    x = rng.randint(0, max(1, cv.w - img.width))
    y = rng.randint(0, max(1, cv.h - img.height))
    cv.img.paste(img.convert("RGB"), (x, y))


def typed_fill(cv: Canvas, rng: random.Random, box: tuple[int, int, int, int], s: str,
               role: str = "type") -> None:
    """Typewritten or printed-script fill-in on a field line: print, so never labelled."""
    paths = cv.bank.roles.get(role) or cv.bank.roles["type"] or cv.bank.roles["script"]
    if not paths:
        return
    x0, y0, x1, y1 = box
    size = int(min((y1 - y0) * 0.45, rng.uniform(26, 40) * cv.s))
    if role == "script":
        size = int(size * 1.3)
    f = font(rng.choice(paths), max(10, size))
    while f.getlength(s) > (x1 - x0) and len(s) > 3:
        s = s[: max(3, len(s) * 3 // 4)]
    xy = (x0 + rng.uniform(0, 20) * cv.s, y1 - 6 * cv.s)
    box = cv.text(xy, s, f, tuple([rng.randint(0, 60)] * 3), "ls")
    cv.distractors.append((f"typed_{role}", box))


def typed_comb(cv: Canvas, rng: random.Random, box: tuple[int, int, int, int], s: str,
               cells: int) -> None:
    """A comb field filled by a printer, one character per cell: print, so never labelled."""
    paths = cv.bank.roles.get("type") or cv.bank.roles["script"]
    if not paths or not s:
        return
    x0, y0, x1, y1 = box
    n = min(len(s), cells)
    cw = (x1 - x0) / max(cells, 1)
    f = font(rng.choice(paths), max(10, int((y1 - y0) * rng.uniform(0.5, 0.7))))
    colour = tuple([rng.randint(0, 60)] * 3)
    for i, ch in enumerate(s[:n]):
        cv.text((x0 + (i + 0.5) * cw, (y0 + y1) / 2), ch, f, colour, "mm")
    cv.distractors.append(("typed_type", (int(x0), int(y0), int(x0 + n * cw), int(y1))))


def printed_script_block(cv: Canvas, rng: random.Random) -> None:
    """A few perfectly regular lines in a script or handwriting face: invitations, slogans,
    'Thank you!' notes, printed signatures. Print, so never labelled."""
    roles = cv.bank.roles
    pool = roles["script"] + roles["hand"] if rng.random() < 0.5 else roles["script"]
    if not pool:
        return
    size = int(rng.uniform(30, 70) * cv.s)
    f = font(rng.choice(pool), size)
    ink = tuple([rng.randint(0, 50)] * 3) if rng.random() < 0.8 else rng.choice(STAMP_COLOURS)
    lines = []
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.3:
            lines.append(rng.choice(("Thank you!", "With compliments", "Best wishes",
                                     "Season's Greetings", "Welcome", "Congratulations")))
        else:
            lines.append(T.sentence(rng, 2, 7))
    width = min(max(f.getlength(s) for s in lines), cv.w - cv.margin * 1.5)
    spot = None
    while lines and (spot := cv.free_spot(width, size * 1.3 * len(lines), rng)) is None:
        lines.pop()  # a shorter block fits more blank spaces
    if spot is None:
        return
    x, y = spot
    for s in lines:
        while f.getlength(s) > width and " " in s:
            s = s.rsplit(" ", 1)[0]
        cv.distractors.append(("script_block", cv.text((x, y), s, f, ink)))
        y += size * 1.3

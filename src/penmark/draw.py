"""Annotated copies of pages: small composable annotators (boxes, labels, fills) and crops.

Used by ``penmark detect --draw/--crop``, the HTTP server and the Spark stage, so the options
mirror Visual NLP's ``ImageDrawRegions``: a colour per label, ``label:score`` text, line width,
font size, outline or filled. Every function returns a new image; the input is never modified.

>>> from penmark.draw import draw_regions
>>> annotated = draw_regions(page, regions, line_width=4, filled=False)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from PIL import Image, ImageColor, ImageDraw, ImageFont

from penmark.region import Region

Color = tuple[int, int, int]

DEFAULT_COLORS: dict[str, Color] = {
    "handwritten": (230, 57, 70),  # red
    "signature": (29, 78, 216),  # blue
}
FALLBACK_COLOR: Color = (16, 160, 16)


def parse_color(value: str | Sequence[int]) -> Color:
    """``"#ff0000"``, ``"red"``, ``"255,0,0"`` or a tuple -> ``(r, g, b)``; ValueError if bad."""
    if not isinstance(value, str):
        rgb = tuple(int(v) for v in value)[:3]
        if len(rgb) != 3 or not all(0 <= v <= 255 for v in rgb):
            raise ValueError(f"bad colour {value!r}")
        return rgb  # type: ignore[return-value]
    text = value.strip()
    if re.fullmatch(r"\d{1,3},\d{1,3},\d{1,3}", text):
        return parse_color([int(v) for v in text.split(",")])
    try:
        return ImageColor.getrgb(text)[:3]  # type: ignore[return-value]
    except ValueError:
        raise ValueError(f"bad colour {value!r} (use a name, #rrggbb or r,g,b)") from None


def parse_colors(spec: str | Mapping[str, str | Sequence[int]] | None) -> dict[str, Color]:
    """``"handwritten=#ff0000,signature=blue"`` (or a dict) -> ``{label: (r, g, b)}`` merged over
    :data:`DEFAULT_COLORS`. Use ``;`` between pairs when a colour itself has commas."""
    colors = dict(DEFAULT_COLORS)
    if not spec:
        return colors
    if isinstance(spec, str):
        sep = ";" if ";" in spec else ","
        pairs = [p for p in spec.split(sep) if p.strip()]
        items = []
        for pair in pairs:
            if "=" not in pair:
                raise ValueError(f"bad colour mapping {pair!r} (use label=colour)")
            k, v = pair.split("=", 1)
            items.append((k.strip(), v))
    else:
        items = list(spec.items())
    for k, v in items:
        colors[k] = parse_color(v)
    return colors


def color_for(label: str, colors: Mapping[str, Color] | None = None) -> Color:
    table = DEFAULT_COLORS if colors is None else colors
    return tuple(table.get(label, DEFAULT_COLORS.get(label, FALLBACK_COLOR)))  # type: ignore


@lru_cache(maxsize=16)
def get_font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's bundled scalable font at ``size`` px (bitmap fallback without FreeType)."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, ValueError, OSError):  # pragma: no cover - Pillow without FreeType
        return ImageFont.load_default()


def default_line_width(image: Image.Image) -> int:
    """~3 px on a 200-dpi letter page, scaled with the page so boxes stay visible."""
    return max(1, round(max(image.size) / 700))


def default_font_size(image: Image.Image) -> int:
    return max(10, round(max(image.size) / 90))


def _rgb(image: Image.Image) -> Image.Image:
    return image.convert("RGB") if image.mode != "RGB" else image.copy()


def _box(region: Region | Sequence[float]) -> tuple[float, float, float, float]:
    return tuple(region.box if isinstance(region, Region) else region)  # type: ignore


def fill_boxes(
    image: Image.Image,
    regions: Sequence[Region],
    colors: Mapping[str, Color] | None = None,
    alpha: float = 0.35,
) -> Image.Image:
    """Fill each box with its label colour; ``alpha`` 1.0 paints it solid."""
    out = _rgb(image)
    if not regions:
        return out
    if alpha >= 1.0:
        draw = ImageDraw.Draw(out)
        for r in regions:
            draw.rectangle(_pixel_box(_box(r)), fill=color_for(r.label, colors))
        return out
    overlay = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    a = max(0, min(255, round(alpha * 255)))
    for r in regions:
        draw.rectangle(_pixel_box(_box(r)), fill=(*color_for(r.label, colors), a))
    return Image.alpha_composite(out.convert("RGBA"), overlay).convert("RGB")


def _pixel_box(box: Sequence[float]) -> tuple[int, int, int, int]:
    """Float ``(x0, y0, x1, y1)`` with exclusive ``x1/y1`` -> inclusive integer pixel corners."""
    x0, y0, x1, y1 = box
    return (int(x0), int(y0), max(int(x0), int(round(x1)) - 1), max(int(y0), int(round(y1)) - 1))


def outline_boxes(
    image: Image.Image,
    regions: Sequence[Region],
    colors: Mapping[str, Color] | None = None,
    line_width: int | None = None,
) -> Image.Image:
    """Draw each box outline (inside the box, so it never covers pixels outside)."""
    out = _rgb(image)
    width = line_width or default_line_width(out)
    draw = ImageDraw.Draw(out)
    for r in regions:
        draw.rectangle(_pixel_box(_box(r)), outline=color_for(r.label, colors), width=width)
    return out


def label_text(region: Region, show_score: bool = True) -> str:
    return f"{region.label}:{region.score:.2f}" if show_score else region.label


def draw_labels(
    image: Image.Image,
    regions: Sequence[Region],
    colors: Mapping[str, Color] | None = None,
    font_size: int | None = None,
    show_score: bool = True,
) -> Image.Image:
    """Write ``label:score`` on a coloured tab above each box (inside it at the page top)."""
    out = _rgb(image)
    font = get_font(font_size or default_font_size(out))
    draw = ImageDraw.Draw(out)
    for r in regions:
        text = label_text(r, show_score)
        x0, y0, _, _ = _pixel_box(r.box)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        tw, th = right - left, bottom - top
        pad = max(1, th // 5)
        ty = y0 - th - 2 * pad if y0 - th - 2 * pad >= 0 else y0
        tx = min(x0, max(0, out.width - tw - 2 * pad))
        color = color_for(r.label, colors)
        draw.rectangle((tx, ty, tx + tw + 2 * pad, ty + th + 2 * pad), fill=color)
        luma = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]
        text_color = (0, 0, 0) if luma > 140 else (255, 255, 255)  # readable on any tab
        draw.text((tx + pad - left, ty + pad - top), text, fill=text_color, font=font)
    return out


def draw_regions(
    image: Image.Image,
    regions: Sequence[Region],
    colors: Mapping[str, Color | str] | str | None = None,
    line_width: int | None = None,
    font_size: int | None = None,
    filled: bool = False,
    fill_alpha: float = 0.35,
    show_labels: bool = True,
    show_scores: bool = True,
) -> Image.Image:
    """One call for the usual annotated copy: (fill) + outline + ``label:score`` tabs.

    ``colors``: ``{label: colour}`` or ``"handwritten=red,signature=#0000ff"``; unknown labels keep
    :data:`DEFAULT_COLORS`. ``line_width``/``font_size`` default to values scaled to the page.
    ``filled`` paints boxes with ``fill_alpha`` opacity (1.0 = solid, like ImageDrawRegions'
    ``filled``). Returns a new RGB image.
    """
    table = parse_colors(colors) if not _is_color_table(colors) else dict(colors)  # type: ignore
    out = _rgb(image)
    if filled:
        out = fill_boxes(out, regions, table, fill_alpha)
    out = outline_boxes(out, regions, table, line_width)
    if show_labels:
        out = draw_labels(out, regions, table, font_size, show_scores)
    return out


def _is_color_table(colors: object) -> bool:
    return isinstance(colors, Mapping) and all(
        isinstance(v, tuple) and len(v) == 3 for v in colors.values()
    )


# --- crops ------------------------------------------------------------------------------------


def crop_region(
    image: Image.Image, region: Region, pad: int = 0, rotate: int = 0
) -> Image.Image:
    """The pixels of one region (plus ``pad`` px, clipped to the page).

    ``rotate`` (0/90/180/270, counter-clockwise like :meth:`PIL.Image.Image.rotate`) turns the crop
    upright when the page itself was sideways, so signature verification gets upright ink.
    """
    x0, y0, x1, y1 = region.box
    box = (
        max(0, int(x0) - pad),
        max(0, int(y0) - pad),
        min(image.width, int(round(x1)) + pad),
        min(image.height, int(round(y1)) + pad),
    )
    crop = image.crop(box)
    if rotate % 360:
        crop = crop.rotate(rotate % 360, expand=True)
    return crop


def crop_name(stem: str, page: int, index: int, region: Region, ext: str = "png") -> str:
    """File name that traces a crop back to its source, page (1-based) and box, e.g.
    ``contract.p0002.r01.signature.120_880_610_1010.png``."""
    x0, y0, x1, y1 = (int(round(v)) for v in region.box)
    return f"{stem}.p{page + 1:04d}.r{index:02d}.{region.label}.{x0}_{y0}_{x1}_{y1}.{ext}"

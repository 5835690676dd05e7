"""penmark.draw: annotated copies (ImageDrawRegions options) and traceable crops."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from penmark.draw import (
    DEFAULT_COLORS,
    crop_name,
    crop_region,
    draw_regions,
    parse_color,
    parse_colors,
)
from penmark.region import Region

SIG = Region("signature", 0.87, (100, 120, 220, 180))
HW = Region("handwritten", 0.55, (20, 300, 260, 340))


def _page():
    return Image.new("RGB", (400, 500), "white")


def test_outline_uses_label_colours_and_leaves_inside_clear():
    out = np.asarray(draw_regions(_page(), [SIG, HW], line_width=3, show_labels=False))
    assert tuple(out[150, 100]) == DEFAULT_COLORS["signature"]  # left edge
    assert tuple(out[150, 219]) == DEFAULT_COLORS["signature"]  # right edge, inside the box
    assert tuple(out[320, 20]) == DEFAULT_COLORS["handwritten"]
    assert tuple(out[150, 160]) == (255, 255, 255)  # outline only
    assert tuple(out[150, 221]) == (255, 255, 255)  # nothing drawn outside the box


def test_line_width_is_respected():
    out = np.asarray(draw_regions(_page(), [SIG], line_width=6, show_labels=False))
    row = out[150, 95:115]
    painted = [tuple(p) == DEFAULT_COLORS["signature"] for p in row]
    assert sum(painted) == 6


def test_filled_solid_and_translucent():
    solid = np.asarray(draw_regions(_page(), [SIG], filled=True, fill_alpha=1.0, show_labels=False))
    assert tuple(solid[150, 160]) == DEFAULT_COLORS["signature"]
    soft = np.asarray(draw_regions(_page(), [SIG], filled=True, fill_alpha=0.4, show_labels=False))
    px = soft[150, 160].astype(int)
    assert px.min() < 255 and tuple(px) != DEFAULT_COLORS["signature"]


def test_custom_colours_and_label_text():
    colors = parse_colors("signature=#00ff00;handwritten=255,0,255")
    assert colors["signature"] == (0, 255, 0) and colors["handwritten"] == (255, 0, 255)
    plain = np.asarray(draw_regions(_page(), [SIG], colors="signature=lime", show_labels=False))
    labelled = np.asarray(draw_regions(_page(), [SIG], colors="signature=lime", font_size=14))
    assert tuple(plain[150, 100]) == (0, 255, 0)
    tab = labelled[95:120, 100:200]  # the label:score tab sits just above the box
    assert (tab == (0, 255, 0)).all(axis=-1).mean() > 0.3
    assert (tab.sum(axis=-1) < 100).any(), "dark text on the light tab"
    bigger = np.asarray(draw_regions(_page(), [SIG], colors="signature=lime", font_size=28))
    assert (bigger[:120] == (0, 255, 0)).all(axis=-1).sum() > (tab == (0, 255, 0)).all(-1).sum()


def test_bad_colour_is_a_clear_error():
    with pytest.raises(ValueError, match="bad colour"):
        parse_color("not-a-colour")
    with pytest.raises(ValueError, match="label=colour"):
        parse_colors("red")


def test_input_image_is_not_modified():
    page = _page()
    draw_regions(page, [SIG], filled=True)
    assert page.getextrema() == ((255, 255), (255, 255), (255, 255))


def test_crop_region_pad_and_upright_rotation():
    page = _page()
    page.paste((0, 0, 0), (100, 120, 130, 180))  # ink on the left part of the box
    crop = crop_region(page, SIG)
    assert crop.size == (120, 60)
    assert crop_region(page, SIG, pad=5).size == (130, 70)
    turned = crop_region(page, SIG, rotate=90)
    assert turned.size == (60, 120)
    assert np.asarray(turned.convert("L"))[-10:, :].mean() < 10  # left ink now at the bottom


def test_crop_name_traces_source_page_box():
    assert crop_name("contract", 1, 3, SIG) == "contract.p0002.r03.signature.100_120_220_180.png"

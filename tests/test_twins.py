"""The print check: connected components, twin glyphs, and score demotion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from penmark.region import Region
from penmark.runtime.twins import PrintCheck, connected_components, count_twins, otsu_threshold
from penmark.synth.fonts import ASSET_FONTS, font

HAND_FONT = str(ASSET_FONTS / "caveat.woff2")
INK = Path(__file__).resolve().parents[2] / "shared" / "ink"


def _printed(text: str, size: int = 48) -> np.ndarray:
    """A grey crop of ``text`` set in a handwriting face, as a printer would draw it."""
    f = font(HAND_FONT, size)
    w = int(f.getlength(text)) + 40
    img = Image.new("L", (w, size * 2), 255)
    ImageDraw.Draw(img).text((20, size * 1.5), text, font=f, fill=20, anchor="ls")
    return np.asarray(img)


def test_connected_components_counts_8_connected_blobs() -> None:
    mask = np.zeros((10, 12), bool)
    mask[1:3, 1:3] = True  # square
    mask[3, 3] = True  # touches the square diagonally: same component
    mask[6:9, 6] = True  # a bar
    mask[1, 9:11] = True  # a dash
    comps = connected_components(mask)
    sizes = sorted(int(c.mask.sum()) for c in comps)
    assert sizes == [2, 3, 5]
    square = next(c for c in comps if c.mask.sum() == 5)
    assert (square.y0, square.x0, square.mask.shape) == (1, 1, (3, 3))


def test_otsu_splits_ink_from_paper() -> None:
    g = np.full((20, 20), 230, np.uint8)
    g[5:10, 5:10] = 30
    assert 30 <= otsu_threshold(g) < 230


def test_printed_handwriting_face_has_twins() -> None:
    assert count_twins(_printed("assess esses dense")) >= 1


def test_real_handwriting_rarely_has_twins() -> None:
    """Real handwritten lines (the CC BY 4.0 crops in ../shared/ink): a hand never repeats a glyph
    pixel for pixel, so at most a few small chance matches (0.4 % of 1,208 crops when measured)."""
    crops = sorted(INK.rglob("*.jpg"))[::20]
    if len(crops) < 100:
        pytest.skip("../shared/ink is not beside the repository")
    with_twins = sum(count_twins(np.asarray(Image.open(p).convert("L"))) > 0 for p in crops)
    assert with_twins <= 0.02 * len(crops)


def test_print_check_demotes_only_handwritten_regions_with_twins() -> None:
    page = np.full((300, 900), 245, np.uint8)
    printed = _printed("assess esses dense")
    hand = Image.new("L", (600, 100), 255)  # one long scribble: no glyph to repeat
    ImageDraw.Draw(hand).line([(10 + 20 * i, 50 + 30 * (-1) ** i) for i in range(29)], 20, 4)
    hand = np.asarray(hand)
    page[10 : 10 + printed.shape[0], 10 : 10 + printed.shape[1]] = printed
    page[150 : 150 + min(hand.shape[0], 150), 10 : 10 + min(hand.shape[1], 880)] = hand[:150, :880]
    pbox = (10, 10, 10 + printed.shape[1], 10 + printed.shape[0])
    hbox = (10, 150, 10 + min(hand.shape[1], 880), 150 + min(hand.shape[0], 150))
    regions = [
        Region("handwritten", 0.6, pbox),
        Region("handwritten", 0.6, hbox),
        Region("signature", 0.6, pbox),  # signatures are not checked
        Region("handwritten", 0.3, pbox),  # below the threshold: left as it is
    ]
    out = PrintCheck().apply(Image.fromarray(page), regions, threshold=0.4)
    assert [r.score for r in out] == pytest.approx([0.3, 0.6, 0.6, 0.3])
    assert [r.box for r in out] == [r.box for r in regions]

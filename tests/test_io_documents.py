"""penmark.io: every input format users feed in comes out as RGB pages in display orientation."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from docgen import PdfBuilder, many_pages_pdf, text_pdf
from penmark.io import (
    InputError,
    expand_inputs,
    iter_pages,
    load_image,
    page_count,
    parse_page_ranges,
    sniff,
)


def _marked(w=300, h=200, mode="RGB") -> Image.Image:
    """White page with a black square in the top-left quadrant (to check orientation)."""
    img = Image.new("RGB", (w, h), "white")
    img.paste((0, 0, 0), (20, 20, 70, 60))
    return img.convert(mode) if mode != "RGB" else img


def _only_page(data, **kw):
    pages = list(iter_pages(data, **kw))
    assert len(pages) == 1
    assert pages[0].image.mode == "RGB"
    return pages[0]


@pytest.mark.parametrize(
    ("fmt", "params", "mode"),
    [
        ("JPEG", {"quality": 95}, "RGB"),
        ("JPEG", {"quality": 95}, "CMYK"),
        ("PNG", {}, "RGB"),
        ("PNG", {}, "L"),
        ("PNG", {}, "RGBA"),
        ("BMP", {}, "RGB"),
        ("WEBP", {"lossless": True}, "RGB"),
        ("GIF", {}, "P"),
        ("TIFF", {"compression": "tiff_lzw"}, "RGB"),
        ("TIFF", {"compression": "jpeg"}, "RGB"),
        ("TIFF", {"compression": "group4"}, "1"),
        ("TIFF", {"compression": "tiff_ccitt"}, "1"),
        ("TIFF", {}, "CMYK"),
        ("TIFF", {}, "I;16"),
    ],
)
def test_image_formats_decode_to_rgb(fmt, params, mode):
    src = _marked(mode="L") if mode in ("1", "I;16") else _marked()
    if mode == "I;16":
        arr = np.asarray(src, dtype=np.uint16) * 257  # 0..65535
        img = Image.frombytes("I;16", src.size, arr.astype("<u2").tobytes())
    else:
        img = src.convert(mode)
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    page = _only_page(buf.getvalue())
    arr = np.asarray(page.image).astype(int)
    assert page.image.size == (300, 200)
    assert arr[40, 45].max() < 60, "the black mark must stay dark"
    assert arr[150, 250].min() > 190, "the white page must stay light"


def test_multipage_tiff_pages_and_selection():
    frames = [Image.new("L", (120, 90), v) for v in (0, 80, 160, 240)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    data = buf.getvalue()
    assert page_count(data) == 4
    got = [(p.index, p.image.getpixel((5, 5))[0], p.kind, p.count) for p in iter_pages(data)]
    assert got == [(0, 0, "tiff", 4), (1, 80, "tiff", 4), (2, 160, "tiff", 4), (3, 240, "tiff", 4)]
    sel = [p.index for p in iter_pages(data, pages=parse_page_ranges("2,4-9"))]
    assert sel == [1, 3]


def test_animated_gif_gives_first_frame_only():
    frames = [Image.new("L", (40, 30), v).convert("P") for v in (10, 200)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    pages = list(iter_pages(buf.getvalue()))
    assert len(pages) == 1 and pages[0].image.getpixel((1, 1))[0] < 50


@pytest.mark.parametrize(("orientation", "size"), [(1, (300, 200)), (3, (300, 200)),
                                                   (6, (200, 300)), (8, (200, 300))])
def test_exif_orientation_is_applied(orientation, size):
    """A camera stores pixels sideways plus an EXIF tag; boxes must be on the displayed page."""
    stored = _marked()
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, "JPEG", exif=exif, quality=95)
    page = _only_page(buf.getvalue())
    assert page.image.size == size
    expected = Image.open(io.BytesIO(buf.getvalue()))
    from PIL import ImageOps

    shown = np.asarray(ImageOps.exif_transpose(expected).convert("L")) < 100
    got = np.asarray(page.image.convert("L")) < 100
    assert (shown == got).mean() > 0.99
    if orientation == 6:  # rotated 90 CW for display: mark moves to the top-right
        ys, xs = np.nonzero(got)
        assert xs.mean() > size[0] / 2 and ys.mean() < size[1] / 2


def test_load_image_still_works_for_the_detector(tmp_path):
    p = tmp_path / "a.png"
    _marked().save(p)
    assert load_image(p).size == (300, 200)
    assert load_image(p.read_bytes()).mode == "RGB"


def test_pdf_pages_dpi_selection_and_points():
    data = many_pages_pdf(5, size=(144, 72))
    assert page_count(data) == 5
    pages = list(iter_pages(data, dpi=100, pages=parse_page_ranges("1-2,5")))
    assert [p.index for p in pages] == [0, 1, 4]
    p = pages[0]
    assert p.kind == "pdf" and p.count == 5
    assert p.image.size == (200, 100)  # 2 x 1 inch at 100 dpi
    assert p.points_per_pixel == pytest.approx(0.72, rel=1e-3)
    # the black square drawn at x 20..80 pt, y 20..80 pt (bottom-left origin) of a 72 pt page
    box_px = (20 / 0.72, (72 - 80) / 0.72, 80 / 0.72, (72 - 20) / 0.72)
    assert p.to_pdf_user_space(box_px) == pytest.approx([20, 20, 80, 80], abs=0.05)
    assert p.to_points(box_px) == pytest.approx([20, -8, 80, 52], abs=0.05)
    assert p.size_pt == pytest.approx((144, 72))


def test_pdf_rotate_and_cropbox_map_back_to_user_space():
    """/Rotate 90 and a CropBox offset: boxes are on the page as displayed (landscape), and
    box_pdf still points at the drawn rectangle in the file's own coordinates."""
    b = PdfBuilder()
    b.page(b"0 0 0 rg 150 250 100 50 re f", (400, 600),
           extra=b"/Rotate 90 /CropBox [50 100 350 500]")
    page = next(iter_pages(b.bytes(), dpi=72))
    assert page.image.size == (400, 300)  # 300 x 400 pt crop box, turned sideways
    ink = np.asarray(page.image.convert("L")) < 100
    ys, xs = np.nonzero(ink)
    box = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    assert page.to_pdf_user_space(box) == pytest.approx([150, 250, 250, 300], abs=1.01)


def test_pdf_text_renders(tmp_path):
    path = tmp_path / "t.pdf"
    path.write_bytes(text_pdf([(72, 700, "Hello")]))
    page = next(iter_pages(path, dpi=72))
    assert (np.asarray(page.image.convert("L")) < 128).sum() > 50


def test_stdin_dash(monkeypatch):
    buf = io.BytesIO()
    _marked().save(buf, "PNG")

    class FakeStdin:
        buffer = io.BytesIO(buf.getvalue())

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    page = _only_page("-")
    assert page.source == "<stdin>" and page.image.size == (300, 200)


def test_parse_page_ranges():
    assert parse_page_ranges("1-3,7") == [0, 1, 2, 6]
    assert parse_page_ranges(" 2 , 2,1") == [0, 1]
    assert parse_page_ranges(None) is None and parse_page_ranges("all") is None
    for bad in ("0", "3-1", "a", "1-x", "-2"):
        with pytest.raises(ValueError):
            parse_page_ranges(bad)


def test_sniff_by_content_not_name():
    assert sniff(b"%PDF-1.7\n") == "pdf"
    assert sniff(b"II*\x00....") == "tiff"
    assert sniff(b"\xff\xd8\xff\xe0") == "image"
    assert sniff(b"hello") is None


def test_expand_inputs_folders_globs_and_missing(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for rel in ("a/x.jpg", "a/b/y.PDF", "a/notes.txt", "a/.hidden.png", "z.tif"):
        (tmp_path / rel).write_bytes(b"x")
    sources, warnings = expand_inputs([tmp_path / "a"])
    assert [s.name for s in sources] == ["x.jpg", str(Path("b/y.PDF"))]
    sources, _ = expand_inputs([str(tmp_path / "**" / "*.tif")])
    assert [Path(s.path).name for s in sources] == ["z.tif"]
    sources, warnings = expand_inputs([str(tmp_path / "nothing*.png"), tmp_path / "missing.jpg"])
    assert [s.name for s in sources] == ["missing.jpg"]  # kept: the reader reports "no such file"
    assert warnings and "no files match" in warnings[0]


def test_errors_name_file_and_reason(tmp_path):
    with pytest.raises(InputError) as exc:
        list(iter_pages(tmp_path / "nope.png"))
    assert exc.value.source.endswith("nope.png") and exc.value.reason == "no such file"
    pages = list(iter_pages(tmp_path / "nope.png", errors="yield"))
    assert pages[0].image is None and pages[0].error == "no such file"


def test_expand_inputs_output_names_never_collide(tmp_path):
    for rel in ("a/x.png", "b/x.png", "c/x.png"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    sources, _ = expand_inputs([tmp_path / "a" / "x.png", tmp_path / "b" / "x.png", tmp_path])
    names = [s.name for s in sources]
    assert names == ["x.png", str(Path("b/x.png")), str(Path("c/x.png"))]  # a, b: not again


def test_max_side_reads_cheaper_copies_but_reports_the_full_page():
    big = Image.new("RGB", (1600, 1200), "white")
    big.paste((0, 0, 0), (400, 300, 800, 600))
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed turned 90 degrees: 1200 x 1600
    buf = io.BytesIO()
    big.save(buf, "JPEG", exif=exif, quality=95)
    page = next(iter_pages(buf.getvalue(), max_side=500))
    assert (page.width, page.height) == (1200, 1600) and page.reduced
    assert max(page.image.size) >= 500 and page.image.size == (600, 800)  # DCT 1/2 scale
    full = next(iter_pages(buf.getvalue()))
    assert full.image.size == (1200, 1600) and not full.reduced
    png = io.BytesIO()
    big.save(png, "PNG")
    assert not next(iter_pages(png.getvalue(), max_side=500)).reduced  # only JPEG/PDF shrink


def test_max_side_pdf_render_keeps_full_page_geometry():
    data = many_pages_pdf(1, size=(144, 72))
    full = next(iter_pages(data, dpi=200))
    small = next(iter_pages(data, dpi=200, max_side=100))
    assert small.image.size == (100, 50) and (small.width, small.height) == full.image.size
    assert small.pdf_matrix == full.pdf_matrix and small.dpi == full.dpi
    box = (0, 0, full.width, full.height)
    assert small.to_points(box) == full.to_points(box) == pytest.approx([0, 0, 144, 72])

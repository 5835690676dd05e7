"""Redaction: painted pixels for images; for PDFs a rebuilt image-only PDF. The PDF test pulls the
text and every image back out of the result to prove nothing of the original survives."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from docgen import image_and_text_pdf, many_pages_pdf
from penmark.io import InputError, iter_pages
from penmark.redact import ImagePdfWriter, redact_image, redact_pdf, save_clean
from penmark.region import Region


def test_redact_image_paints_chosen_labels_only():
    page = Image.new("RGB", (200, 100), "white")
    regions = [Region("signature", 0.9, (10.4, 10.6, 50.2, 40.5)),
               Region("handwritten", 0.9, (100, 10, 150, 40))]
    out = np.asarray(redact_image(page, regions, labels=["signature"], pad=0))
    assert (out[11:40, 11:50] == 0).all()
    assert (out[10, 10] == 0).all() and (out[40, 50] == 0).all()  # edges rounded outwards
    assert (out[20, 120] == 255).all()  # handwritten untouched
    everything = np.asarray(redact_image(page, regions, color=(255, 0, 0)))
    assert tuple(everything[20, 120]) == (255, 0, 0)
    assert np.asarray(page).min() == 255  # input untouched


def test_saved_copies_carry_no_exif(tmp_path):
    img = Image.new("RGB", (50, 40), "white")
    path = tmp_path / "r.jpg"
    save_clean(img, path)
    with Image.open(path) as back:
        assert not back.getexif()


SECRET = "TOPSECRETNAME"


def _pdf_text(doc) -> str:
    out = []
    for page in doc:
        tp = page.get_textpage()
        out.append(tp.get_text_range())
        tp.close()
    return "".join(out)


def _pdf_images(doc) -> list[Image.Image]:
    imgs = []
    for page in doc:
        for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]):
            imgs.append(obj.get_bitmap().to_pil().convert("RGB"))
    return imgs


def test_redacted_pdf_has_no_original_text_or_ink(tmp_path):
    src = image_and_text_pdf(SECRET, ink_rgb=(200, 0, 0))
    original = pdfium.PdfDocument(src)
    assert SECRET in _pdf_text(original)  # the text layer is really there to begin with
    dpi = 72
    # cover the embedded image (100..172 pt x, 600..672 pt y, bottom-left) and the text on it
    top = 792 - 672
    box = Region("signature", 0.9, (95, top - 5, 400, top + 80))
    dst = tmp_path / "out.pdf"
    painted = redact_pdf(src, dst, regions={0: [box]}, dpi=dpi)
    assert painted == [[box]]

    raw = dst.read_bytes()
    assert SECRET.encode() not in raw and b"/Font" not in raw
    doc = pdfium.PdfDocument(str(dst))
    assert len(doc) == 1 and doc[0].get_size() == pytest.approx((612, 792), abs=0.01)
    assert _pdf_text(doc).strip() == ""
    (img,) = _pdf_images(doc)
    arr = np.asarray(img).astype(int)
    assert img.size == (612, 792)
    region = arr[top - 5 + 2 : top + 78, 97:398]
    assert region.max() < 30, "everything under the box is painted black"
    red = (arr[..., 0] > 150) & (arr[..., 1] < 80)
    assert not red.any(), "no pixel of the original red image survives"


def test_redact_pdf_with_detector_and_labels(tmp_path):
    class Det:
        def detect(self, image, page=0, **kw):
            return [Region("handwritten", 0.5, (0, 0, 10, 10), page),
                    Region("signature", 0.9, (20, 20, 40, 40), page)]

    dst = tmp_path / "o.pdf"
    painted = redact_pdf(many_pages_pdf(3), dst, detector=Det(), labels=["signature"], dpi=36)
    assert [[r.label for r in p] for p in painted] == [["signature"]] * 3
    assert len(pdfium.PdfDocument(str(dst))) == 3


def test_redact_pdf_refuses_bad_input_without_leaving_a_file(tmp_path):
    dst = tmp_path / "o.pdf"
    with pytest.raises(InputError):
        redact_pdf(b"%PDF-1.4 broken", dst, regions={})
    assert not dst.exists() and not list(tmp_path.iterdir())


def test_image_pdf_writer_streams_pages():
    buf = io.BytesIO()
    w = ImagePdfWriter(buf)
    for v in (0, 128, 255):
        w.add_page(Image.new("RGB", (30, 20), (v, v, v)), 90, 60)
    w.close()
    pages = list(iter_pages(buf.getvalue(), dpi=72))
    assert [p.image.size for p in pages] == [(90, 60)] * 3
    assert [p.image.getpixel((45, 30))[0] // 10 for p in pages] == [0, 12, 25]

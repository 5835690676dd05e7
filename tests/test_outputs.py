"""Outputs with known regions (fake detector): PDF point boxes, summaries, COCO ids, crops, draw
and redaction files written by the batch pipeline."""

from __future__ import annotations

import json

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from docgen import encrypted_pdf, image_and_text_pdf, many_pages_pdf
from penmark.formats import (
    coco_dataset,
    coco_results_from_pages,
    document_summaries,
    page_from_dict,
    page_to_dict,
    summary,
)
from penmark.io.sources import Source
from penmark.pipeline import Options
from penmark.region import PageResult, Region
from penmark.runtime.batch import BatchRunner, plan, run_batch


class FixedDetector:
    """Returns the given regions on every page (in the page's own pixels)."""

    def __init__(self, *regions: Region):
        self.regions = regions

    def detect(self, image, threshold=None, labels=None, page=0):
        return [Region(r.label, r.score, r.box, page) for r in self.regions]


SIG = Region("signature", 0.9, (20, 30, 60, 50))
HW = Region("handwritten", 0.6, (5, 5, 15, 10))


def test_pdf_regions_carry_points_and_user_space_boxes(tmp_path):
    pdf = tmp_path / "d.pdf"
    pdf.write_bytes(many_pages_pdf(1, size=(144, 72)))
    opts = Options(orientation="none", dpi=144)  # 2 px per point
    (res,) = run_batch([Source(str(pdf), "d.pdf")], opts, detector=FixedDetector(SIG))
    d = page_to_dict(res)
    (r,) = d["regions"]
    assert r["box"] == [20, 30, 60, 50]
    assert r["box_pt"] == pytest.approx([10, 15, 30, 25])
    assert r["box_pdf"] == pytest.approx([10, 72 - 25, 30, 72 - 15])  # bottom-left origin
    back = page_from_dict(json.loads(json.dumps(d)))
    assert back.regions[0].box == SIG.box and back.extra["pdf"]["dpi"] == 144


def test_image_regions_have_no_pdf_keys():
    res = PageResult("a.png", 0, 100, 80, [SIG])
    assert "box_pt" not in page_to_dict(res)["regions"][0]


def test_document_and_page_summaries():
    pages = [
        PageResult("a.pdf", 0, 10, 10, [HW]),
        PageResult("a.pdf", 1, 10, 10, [SIG, HW]),
        PageResult("a.pdf", 2, error="page 3: cannot render"),
        PageResult("b.png", 0, 10, 10, []),
    ]
    docs = document_summaries(pages)
    assert docs[0] == {
        "source": "a.pdf", "pages": 3, "pages_failed": 1, "signed": True, "signed_pages": [1],
        "handwritten": 2, "signature": 1,
        "errors": [{"page": 2, "error": "page 3: cannot render"}],
    }
    assert docs[1]["signed"] is False and docs[1]["pages"] == 1
    s = summary(pages)
    assert s["totals"] == {"documents": 2, "documents_signed": 1, "pages": 4, "pages_failed": 1,
                           "handwritten": 2, "signature": 1}
    assert s["pages"][1] == {"source": "a.pdf", "page": 1, "signed": True,
                             "handwritten": 1, "signature": 1}


def test_coco_results_image_ids_match_the_dataset():
    pages = [PageResult("x", 0, error="bad"), PageResult("a", 0, 50, 60, [SIG]),
             PageResult("b", 0, 50, 60, [HW])]
    ds = coco_dataset(pages)
    res = coco_results_from_pages(pages)
    ids = {im["file_name"]: im["id"] for im in ds["images"]}
    assert [(r["image_id"], r["category_id"]) for r in res] == [(ids["a"], 2), (ids["b"], 1)]
    from pycocotools.coco import COCO

    gt = COCO()
    gt.dataset = ds
    gt.createIndex()
    dt = gt.loadRes(res)  # results open against the dataset in the COCO tools
    assert len(dt.getAnnIds()) == 2


def test_batch_writes_draw_crops_and_redactions(tmp_path):
    img = Image.new("RGB", (100, 80), "white")
    img.paste((0, 0, 0), (20, 30, 60, 50))
    (tmp_path / "in").mkdir()
    img.save(tmp_path / "in" / "scan.png")
    opts = Options(
        orientation="none",
        draw_dir=str(tmp_path / "draw"),
        crop_dir=str(tmp_path / "crops"),
        redact_dir=str(tmp_path / "red"),
        redact_labels=("signature",),
        redact_color=(255, 0, 0),
        line_width=2,
    )
    src = [Source(str(tmp_path / "in" / "scan.png"), "scan.png")]
    outs = [o for _, o in BatchRunner(opts, detector=FixedDetector(SIG, HW)).run(plan(src, opts))]
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                   if p.is_file() and "in/" not in p.relative_to(tmp_path).as_posix())
    assert files == [
        "crops/scan.p0001.r00.signature.20_30_60_50.png",
        "crops/scan.p0001.r01.handwritten.5_5_15_10.png",
        "draw/scan.png",
        "red/scan.png",
    ]
    assert sorted(outs[0].files) == sorted(str(tmp_path / f) for f in files)
    crop = Image.open(tmp_path / files[0])
    assert crop.size == (40, 20) and np.asarray(crop).max() == 0  # exactly the black ink
    red = np.asarray(Image.open(tmp_path / "red" / "scan.png"))
    assert tuple(red[40, 40]) == (255, 0, 0) and tuple(red[7, 10]) == (255, 255, 255)
    drawn = np.asarray(Image.open(tmp_path / "draw" / "scan.png"))
    assert tuple(drawn[40, 20]) != (0, 0, 0)  # the box outline is drawn over the left edge


def test_batch_redacted_pdf_keeps_nothing_under_the_box(tmp_path):
    secret = "CONFIDENTIALNAME"
    pdf = tmp_path / "contract.pdf"
    pdf.write_bytes(image_and_text_pdf(secret))
    box = Region("signature", 0.9, (95, 110, 420, 200))  # at 72 dpi: over image and text
    opts = Options(orientation="none", dpi=72, redact_dir=str(tmp_path / "red"))
    list(run_batch([Source(str(pdf), "contract.pdf")], opts, detector=FixedDetector(box)))
    out = tmp_path / "red" / "contract.pdf"
    assert out.exists() and not (tmp_path / "red" / ".penmark-parts").exists()
    assert secret.encode() not in out.read_bytes()
    doc = pdfium.PdfDocument(str(out))
    tp = doc[0].get_textpage()
    assert tp.get_text_range().strip() == ""
    (obj,) = list(doc[0].get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))
    arr = np.asarray(obj.get_bitmap().to_pil().convert("RGB")).astype(int)
    assert arr[112:198, 97:418].max() < 40
    assert not ((arr[..., 0] > 150) & (arr[..., 1] < 80)).any()  # no red ink of the original


def test_redacted_pdf_finishes_after_resume(tmp_path):
    """Pages of an interrupted run wait in .penmark-parts; the resumed run completes the PDF."""
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(many_pages_pdf(6, size=(72, 72)))
    opts = Options(orientation="none", dpi=36, redact_dir=str(tmp_path / "red"))
    src = [Source(str(pdf), "long.pdf")]
    tasks = plan(src, opts)
    runner = BatchRunner(opts, detector=FixedDetector(SIG))
    first = [o.result.page for t, o in runner.run(tasks[:2])]  # "killed" after two tasks
    assert first == [0, 1, 2, 3]
    assert not (tmp_path / "red" / "long.pdf").exists()
    done = {(str(pdf), p) for p in first}
    rest = [o.result.page for _, o in runner.run(plan(src, opts, done))]
    assert rest == [4, 5]
    assert len(pdfium.PdfDocument(str(tmp_path / "red" / "long.pdf"))) == 6


def test_password_pdf_is_planned_in_pages_and_redacted(tmp_path):
    pdf = tmp_path / "locked.pdf"
    pdf.write_bytes(encrypted_pdf("pw"))
    opts = Options(orientation="none", dpi=36, password="pw", redact_dir=str(tmp_path / "red"))
    src = [Source(str(pdf), "locked.pdf")]
    tasks = plan(src, opts)
    assert [t.pages for t in tasks] == [(0,)]
    results = list(run_batch(src, opts, detector=FixedDetector(SIG)))
    assert [r.error for r in results] == [None]
    assert (tmp_path / "red" / "locked.pdf").exists()


def test_saved_pages_make_the_coco_dataset_self_contained(tmp_path):
    pdf = tmp_path / "d.pdf"
    pdf.write_bytes(many_pages_pdf(2, size=(72, 144)))
    opts = Options(orientation="none", dpi=100, pages_dir=str(tmp_path / "pages"))
    results = list(run_batch([Source(str(pdf), "d.pdf")], opts, detector=FixedDetector(SIG)))
    ds = coco_dataset(results)
    names = [im["file_name"] for im in ds["images"]]
    assert names == [str(tmp_path / "pages" / f"d.p000{i}.png") for i in (1, 2)]
    for im in ds["images"]:
        with Image.open(im["file_name"]) as page:
            assert page.size == (im["width"], im["height"]) == (100, 200)
    assert page_to_dict(results[0])["image_file"] == names[0]


class MarkerAtInputSize:
    """Finds the black mark, and (like the real Detector) declares its input size."""

    input_size = 256

    def detect(self, image, threshold=None, labels=None, page=0):
        arr = np.asarray(image.convert("L"))
        ys, xs = np.nonzero(arr < 60)
        box = (float(xs.min()), float(ys.min()), xs.max() + 1.0, ys.max() + 1.0)
        return [Region("signature", 0.9, box, page)]


def test_detections_do_not_depend_on_the_outputs_asked_for(tmp_path):
    img = Image.new("RGB", (1600, 1200), "white")
    img.paste((0, 0, 0), (400, 300, 800, 600))
    img.save(tmp_path / "p.jpg", quality=95)
    src = [Source(str(tmp_path / "p.jpg"), "p.jpg")]
    plain = Options(orientation="none")
    drawn = Options(orientation="none", draw_dir=str(tmp_path / "d"), crop_dir=str(tmp_path / "c"))
    (a,) = run_batch(src, plain, detector=MarkerAtInputSize())
    (b,) = run_batch(src, drawn, detector=MarkerAtInputSize())
    assert a.regions == b.regions and (a.width, a.height) == (b.width, b.height) == (1600, 1200)
    assert a.regions[0].box == pytest.approx((400, 300, 800, 600), abs=8)
    with Image.open(tmp_path / "d" / "p.jpg") as out:
        assert out.size == (1600, 1200)  # annotated copies are full resolution
    (crop,) = (tmp_path / "c").iterdir()
    with Image.open(crop) as c:
        assert abs(c.width - 400) <= 8 and abs(c.height - 300) <= 8

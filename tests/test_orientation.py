"""Pages scanned sideways or upside down: the orientation is found and boxes land on the page as
displayed. Logic is tested with a fake detector that finds a marker, so it holds for any model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from docgen import text_page
from penmark.io.documents import Page
from penmark.pipeline import Options, PageProcessor, Task
from penmark.region import Region
from penmark.runtime.orientation import detect_orientation, rotate_box, unrotate_regions


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_rotate_box_inverts_pil_rotation(angle):
    w, h = 300, 200
    img = Image.new("L", (w, h), 0)
    img.paste(255, (40, 30, 90, 60))  # box (40, 30, 90, 60) on the original
    rotated = img.rotate(angle, expand=True)
    ys, xs = np.nonzero(np.asarray(rotated) > 127)
    rbox = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    assert rotate_box(rbox, angle, w, h) == pytest.approx((40, 30, 90, 60))


def test_unrotate_regions_keeps_label_score_page():
    r = Region("signature", 0.8, (0, 0, 10, 20), page=3)
    (back,) = unrotate_regions([r], 90, 100, 50)
    assert (back.label, back.score, back.page) == ("signature", 0.8, 3)
    assert back.box == (80, 0, 100, 10)


@pytest.mark.parametrize(("seed", "skew"), [(0, 0.0), (1, 4.5), (2, -5.0)])
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_detects_orientation_of_text_pages(seed, skew, turn):
    page = text_page(seed, size=(18, 26, 22)[seed])
    if skew:
        page = page.rotate(skew, fillcolor="white", resample=Image.BILINEAR)
    shown = page.rotate(turn, expand=True)  # how the scan arrives
    found = detect_orientation(shown)
    assert found.angle == (-turn) % 360, found


def test_blank_and_noise_pages_stay_as_they_are():
    assert detect_orientation(Image.new("RGB", (800, 1000), "white")).angle == 0
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 255, (600, 500, 3), dtype=np.uint8))
    assert detect_orientation(noise).confidence < 0.5


class MarkerDetector:
    """Finds a black square only when it is upright in the top-left quadrant (as a model trained
    on upright pages would), so a wrong orientation gives no box."""

    def __init__(self):
        self.seen_sizes = []

    def detect(self, image, threshold=None, labels=None, page=0):
        self.seen_sizes.append(image.size)
        arr = np.asarray(image.convert("L"))
        h, w = arr.shape
        ys, xs = np.nonzero(arr[: h // 16, : w // 2] < 30)
        if len(xs) == 0:
            return []
        box = (xs.min(), ys.min(), xs.max() + 1.0, ys.max() + 1.0)
        return [Region("signature", 0.9, box, page)]


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_boxes_are_mapped_back_to_the_displayed_page(turn):
    upright = text_page(3, size=22)
    upright.paste((0, 0, 0), (60, 20, 140, 60))  # the "signature", above the text
    shown = upright.rotate(turn, expand=True)
    det = MarkerDetector()
    proc = PageProcessor(Options(orientation="auto"), detector=det)
    out = proc.process(Page("x.png", 0, shown), Task("x.png", "x.png", "x.png", None))
    assert out.result.extra["orientation"] == (-turn) % 360
    assert det.seen_sizes == [upright.size]  # the model saw the page upright
    (region,) = out.result.regions
    ink = np.asarray(shown.convert("L")) < 30
    x0, y0, x1, y1 = (round(v) for v in region.box)
    assert ink[y0:y1, x0:x1].mean() > 0.95  # the box sits on the marker in the displayed page
    assert (x1 - x0) * (y1 - y0) == 80 * 40


def test_orientation_none_trusts_the_page():
    shown = text_page(0).rotate(180, expand=True)
    det = MarkerDetector()
    proc = PageProcessor(Options(orientation="none"), detector=det)
    out = proc.process(Page("x.png", 0, shown), Task("x.png", "x.png", "x.png", None))
    assert "orientation" not in out.result.extra
    assert det.seen_sizes == [shown.size]


def _wrongly_turned(monkeypatch, angle=180):
    """Make both checks turn every page by ``angle`` (as they do to a few upright scans)."""
    import penmark.runtime.orientation as orientation

    monkeypatch.setattr(
        orientation, "detect_orientation", lambda image: orientation.Orientation(angle, 0.9)
    )
    monkeypatch.setattr(
        orientation.OrientationClassifier, "__call__",
        lambda self, image: orientation.Orientation(angle, 0.9),
    )


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_auto_undoes_a_turn_that_leaves_the_detector_nothing(monkeypatch, angle):
    _wrongly_turned(monkeypatch, angle)
    upright = text_page(3, size=22)
    upright.paste((0, 0, 0), (60, 20, 140, 60))
    task = Task("x.png", "x.png", "x.png", None)
    det = MarkerDetector()
    out = PageProcessor(Options(orientation="auto"), detector=det).process(
        Page("x.png", 0, upright), task
    )
    assert out.result.extra["orientation"] == 0
    assert [r.box for r in out.result.regions] == [(60, 20, 140, 60)]
    assert len(det.seen_sizes) == 2  # the turned page, then the page as displayed
    # either check alone keeps its wrong turn and loses the region
    for mode in ("heuristic", "learned"):
        out = PageProcessor(Options(orientation=mode), detector=MarkerDetector()).process(
            Page("x.png", 0, upright), task
        )
        assert out.result.extra["orientation"] == angle
        assert out.result.regions == []


def test_auto_keeps_the_turn_when_neither_way_finds_anything(monkeypatch):
    _wrongly_turned(monkeypatch, 90)
    det = MarkerDetector()
    out = PageProcessor(Options(orientation="auto"), detector=det).process(
        Page("x.png", 0, text_page(1)), Task("x.png", "x.png", "x.png", None)
    )
    assert out.result.extra["orientation"] == 90  # nothing to go on: the check's answer
    assert out.result.regions == []
    assert len(det.seen_sizes) == 2


class SmallInputDetector(MarkerDetector):
    """Like the real Detector, declares the long side it works at; finds the marker anywhere."""

    input_size = 400

    def detect(self, image, threshold=None, labels=None, page=0):
        self.seen_sizes.append(image.size)
        arr = np.asarray(image.convert("L"))
        ys, xs = np.nonzero(arr < 30)
        box = (xs.min(), ys.min(), xs.max() + 1.0, ys.max() + 1.0)
        return [Region("signature", 0.9, box, page)]


@pytest.mark.parametrize("turn", [0, 90])
def test_shared_resize_maps_boxes_to_full_resolution(turn):
    upright = Image.new("RGB", (1000, 1300), "white")
    upright.paste((0, 0, 0), (200, 100, 600, 300))
    shown = upright.rotate(turn, expand=True)
    det = SmallInputDetector()
    proc = PageProcessor(Options(orientation="auto"), detector=det)
    out = proc.process(Page("x.png", 0, shown), Task("x.png", "x.png", "x.png", None))
    assert max(det.seen_sizes[0]) == 400  # the detector got the shrunk copy
    (region,) = out.result.regions
    want = (200, 100, 600, 300) if turn == 0 else (100, 400, 300, 800)
    assert region.box == pytest.approx(want, abs=4)


SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "gsa_leases" / "val"


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared real scans not available")
def test_real_lease_scans_in_every_orientation():
    """Real 200-dpi scans (GSA leases, val split): every page, every turn, as the pipeline sees
    it (the 1024-px copy)."""
    wrong = []
    for f in sorted(SHARED.glob("*.jpg"))[:6]:
        with Image.open(f) as im:
            page = im.convert("RGB")
        page = page.resize((792, 1024), Image.BILINEAR, reducing_gap=2.0)
        for turn in (0, 90, 180, 270):
            found = detect_orientation(page.rotate(turn, expand=True))
            if found.angle != (-turn) % 360:
                wrong.append((f.name, turn, found.angle))
    assert wrong == []


VAL = Path(__file__).resolve().parents[2] / "shared" / "datasets"


@pytest.mark.skipif(not VAL.is_dir(), reason="shared real scans not available")
@pytest.mark.parametrize("kind", ["gsa_leases", "cheques", "tobacco800_signatures"])
def test_classifier_on_real_val_scans_in_every_orientation(kind):
    """The shipped classifier on real val pages it was not trained on (leases, landscape cheque
    photos with little text, fax-like letters), every turn, as the pipeline sees them."""
    from penmark.runtime.orientation import OrientationClassifier, gray_copy

    clf = OrientationClassifier()
    wrong = []
    for f in sorted((VAL / kind / "val").glob("*"))[:5]:
        with Image.open(f) as im:
            page = Image.fromarray(gray_copy(im.convert("RGB")))
        for turn in (0, 90, 180, 270):
            found = clf(page.rotate(turn, expand=True))
            if found.angle != (-turn) % 360:
                wrong.append((f.name, turn, found.angle))
    assert wrong == []


def test_classifier_modes_use_the_shipped_weights_unless_given_others(tmp_path):
    proc = PageProcessor(Options(orientation="learned"), detector=MarkerDetector())
    shown = text_page(2, size=22).rotate(90, expand=True)
    assert proc.check_orientation(shown).angle == 270
    missing = PageProcessor(
        Options(orientation="learned", orientation_weights=str(tmp_path / "nope.onnx")),
        detector=MarkerDetector(),
    )
    with pytest.raises(FileNotFoundError, match="nope.onnx"):
        missing.check_orientation(shown)
    from penmark.runtime.orientation import DEFAULT_CLASSIFIER, OrientationClassifier

    named = OrientationClassifier(DEFAULT_CLASSIFIER)  # shipped weights by name
    assert named.weights == OrientationClassifier().weights
    assert named.weights.name == f"{DEFAULT_CLASSIFIER}.onnx" and named.weights.is_file()


def test_pages_without_orientation_cues_stay_as_they_are():
    """Ruled lines read the same either way up: a turn must be confirmed by the turned page
    reading as upright, so such a page is not turned (v2 alone says 180 at 0.75 here)."""
    from penmark.runtime.orientation import OrientationClassifier

    ruled = Image.new("RGB", (400, 520), "white")
    draw = ImageDraw.Draw(ruled)
    for y in range(40, 480, 30):
        draw.line([(30, y), (370, y)], fill=(80, 80, 80), width=2)
    assert OrientationClassifier()(ruled).angle == 0
    assert OrientationClassifier()(Image.new("RGB", (800, 1000), "white")).angle == 0
    # a real turned page still passes the confirmation
    page = text_page(1, size=22)
    assert OrientationClassifier()(page.rotate(180, expand=True)).angle == 180

"""Runtime: box mapping back to page pixels, threshold and label filters, NMS."""

import numpy as np
import pytest
from PIL import Image

from penmark import Detector
from penmark.runtime.postprocess import nms
from penmark.runtime.preprocess import prepare


class _Fake:
    """Replaces the ONNX call: one peak per class at known cells, with known distances."""

    def __init__(self, peaks):
        self.peaks = peaks  # list of (class, gy, gx, score, (l, t, r, b))

    def __call__(self, tensor):
        _, _, h, w = tensor.shape
        heat = np.zeros((1, 2, h // 8, w // 8), np.float32)
        ltrb = np.zeros((1, 4, h // 8, w // 8), np.float32)
        for c, gy, gx, s, d in self.peaks:
            heat[0, c, gy, gx] = s
            ltrb[0, :, gy, gx] = d
        return heat, ltrb


@pytest.fixture(scope="module")
def detector():
    # these tests feed made-up network outputs on blank pages: the detector's own pre- and
    # post-processing is under test, not the verifier (tests/test_verify.py), which would
    # rightly veto "handwriting" on white paper
    return Detector.pretrained(verifier=False)


@pytest.mark.parametrize("size", [(1237, 1751), (1751, 1237), (333, 97), (2000, 2000)])
def test_boxes_map_back_to_original_pixels(detector, size, monkeypatch):
    w, h = size
    tensor, lb = prepare(Image.new("RGB", size, "white"), detector.input_size)
    assert tensor.shape[2] % 32 == 0 and tensor.shape[3] % 32 == 0
    assert max(round(w * lb.scale_x), round(h * lb.scale_y)) == detector.input_size
    # a box of 40x16 network pixels centred on cell (2, 3): centre (28, 20)
    monkeypatch.setattr(detector, "predict_raw", _Fake([(1, 2, 3, 0.9, (20, 8, 20, 8))]))
    regions = detector.detect(Image.new("RGB", size, "white"))
    assert len(regions) == 1
    x0, y0, x1, y1 = regions[0].box
    sx, sy = lb.scale_x, lb.scale_y
    assert x0 == pytest.approx(max(0, 8 / sx), abs=1e-3)
    assert y0 == pytest.approx(max(0, 12 / sy), abs=1e-3)
    assert x1 == pytest.approx(min(w, 48 / sx), abs=1e-3)
    assert y1 == pytest.approx(min(h, 28 / sy), abs=1e-3)
    assert regions[0].label == "signature"


def test_threshold_and_label_filters(detector, monkeypatch):
    from penmark.runtime.detector import DEFAULT_THRESHOLD

    weak = DEFAULT_THRESHOLD + 0.05  # just above the default threshold, below 0.5
    fake = _Fake([(0, 10, 10, weak, (30, 8, 30, 8)), (1, 40, 40, 0.8, (50, 20, 50, 20))])
    monkeypatch.setattr(detector, "predict_raw", fake)
    img = Image.new("RGB", (800, 1000), "white")
    assert {r.label for r in detector.detect(img)} == {"handwritten", "signature"}
    assert [r.label for r in detector.detect(img, threshold=weak + 0.01)] == ["signature"]
    assert [r.label for r in detector.detect(img, threshold=0.5)] == ["signature"]
    assert [r.label for r in detector.detect(img, labels=["handwritten"])] == ["handwritten"]
    with pytest.raises(ValueError, match="unknown labels"):
        detector.detect(img, labels=["stamp"])


def test_nms_drops_overlaps_and_contained_fragments():
    boxes = np.array(
        [[0, 0, 100, 20], [2, 0, 101, 21], [60, 2, 90, 18], [200, 0, 260, 20]], np.float32
    )
    scores = np.array([0.9, 0.8, 0.7, 0.6], np.float32)
    assert sorted(nms(boxes, scores, 0.5).tolist()) == [0, 3]


def test_unknown_model_name_is_a_clear_error():
    with pytest.raises(ValueError, match="available"):
        Detector.pretrained("nope")


def test_detect_accepts_path_bytes_pil_and_array(detector, tmp_path):
    img = Image.new("RGB", (300, 400), "white")
    p = tmp_path / "x.png"
    img.save(p)
    outs = [detector.detect(x) for x in (p, str(p), p.read_bytes(), img, np.asarray(img))]
    assert all(o == outs[0] for o in outs)


def test_cross_class_suppression_keeps_the_stronger_label():
    from penmark.runtime.postprocess import to_regions

    boxes = np.array([[10, 10, 200, 60], [12, 8, 205, 62], [300, 10, 400, 60]], np.float32)
    scores = np.array([0.4, 0.8, 0.5], np.float32)
    classes = np.array([0, 1, 0])
    labels = ("handwritten", "signature")
    regions = to_regions(
        boxes, scores, classes, labels, (1.0, 1.0), 1000, 1000, cross_class_iou=0.7
    )
    assert [(r.label, r.score) for r in regions] == [
        ("signature", pytest.approx(0.8)),
        ("handwritten", pytest.approx(0.5)),
    ]
    both = to_regions(boxes, scores, classes, labels, (1.0, 1.0), 1000, 1000)
    assert len(both) == 3


def test_detector_cross_class_option(monkeypatch):
    det = Detector.pretrained(cross_class_iou=0.5, verifier=False)
    weak = det.threshold + 0.05  # kept on its own, dropped beside the stronger signature
    fake = _Fake([(0, 10, 10, weak, (30, 8, 30, 8)), (1, 10, 10, 0.8, (30, 8, 30, 8))])
    monkeypatch.setattr(det, "predict_raw", fake)
    img = Image.new("RGB", (800, 1000), "white")
    assert [r.label for r in det.detect(img)] == ["signature"]
    det.cross_class_iou = None
    assert sorted(r.label for r in det.detect(img)) == ["handwritten", "signature"]

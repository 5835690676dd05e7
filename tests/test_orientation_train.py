"""Orientation classifier training pieces: labels match the turn, sampling balances the sets,
ONNX export matches torch and runs on pages of any size."""

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

from docgen import text_page  # noqa: E402
from penmark.model.orientation import OrientationNet, export_orientation  # noqa: E402
from penmark.runtime.orientation import OrientationClassifier, gray_copy  # noqa: E402
from penmark.train.orientation import (  # noqa: E402
    PageSet,
    make_batch,
    sample_crop,
    source_weights,
    train_orientation,
)


def test_batch_label_is_the_turn_that_makes_the_crop_upright():
    # a page whose only ink is an "L" in the crop's top-left corner: turning the crop by the
    # label (CCW quarters) must bring the mark back to the top-left
    page = np.full((196, 196), 255, np.uint8)  # <= 256 px at every training scale
    page[10:60, 10:20] = 0
    page[50:60, 10:40] = 0
    data = PageSet([page], ["synth"])
    rng = np.random.default_rng(0)
    for _ in range(8):
        x, y = make_batch(data, np.ones(1), 4, 256, rng)
        for crop, k in zip(x[:, 0], y, strict=True):
            upright = np.rot90(crop, k)
            h, w = upright.shape
            ys, xs = np.nonzero(upright > 0.3)
            assert ys.mean() < h / 2 and xs.mean() < w / 2


def test_sample_crop_pads_small_pages_and_finds_ink():
    page = np.full((100, 300), 255, np.uint8)
    page[40:60, 200:280] = 0
    crop = sample_crop(page, 256, np.random.default_rng(0))
    assert crop.shape == (256, 256)
    assert (crop < 128).any()


def test_real_sets_share_the_real_half_evenly():
    source = ["tobacco"] * 90 + ["gsa"] * 10 + ["synth"] * 100
    w = source_weights(source, 0.5)
    assert w.sum() == pytest.approx(1)
    assert w[:90].sum() == pytest.approx(0.25) and w[90:100].sum() == pytest.approx(0.25)
    assert w[100:].sum() == pytest.approx(0.5)


def test_export_matches_torch_on_pages_of_any_size(tmp_path):
    torch.manual_seed(0)
    net = OrientationNet((8, 8, 8, 8, 8)).eval()
    path = export_orientation(net, tmp_path / "o.onnx")
    clf = OrientationClassifier(path)
    gray = gray_copy(text_page(0, size=20))
    probs = clf.probabilities(gray[:301, :517])  # not multiples of 32: padded with paper
    assert probs.shape == (4,) and probs.sum() == pytest.approx(1, abs=1e-5)
    x = np.pad(1 - gray[:301, :517].astype(np.float32) / 255, ((0, 19), (0, 27)))
    with torch.no_grad():
        want = torch.softmax(net(torch.from_numpy(x)[None, None]), 1)[0].numpy()
    assert probs == pytest.approx(want, abs=1e-4)


def test_short_training_run_writes_a_usable_classifier(tmp_path):
    pages = PageSet([gray_copy(text_page(i, size=20)) for i in range(2)], ["synth", "real"])
    onnx_path = train_orientation(pages, tmp_path, steps=3, batch=4, size=128,
                                  widths=(8, 8, 8, 8, 8))
    assert (tmp_path / "last.pt").is_file() and (tmp_path / "log.jsonl").is_file()
    turned = text_page(0).rotate(90, expand=True)
    found = OrientationClassifier(onnx_path)(turned)
    assert found.angle in (0, 90, 180, 270) and 0 <= found.confidence <= 1
    # a page is only turned when the network is sure enough: never, if it cannot be
    assert OrientationClassifier(onnx_path, min_confidence=1.01)(turned).angle == 0
    pages.save(tmp_path / "p.npz")
    back = PageSet.load(tmp_path / "p.npz")
    assert back.source == pages.source
    assert all((a == b).all() for a, b in zip(back.pages, pages.pages, strict=True))


def test_classifier_reports_missing_weights(tmp_path):
    with pytest.raises(FileNotFoundError, match="orientation weights"):
        OrientationClassifier(tmp_path / "missing.onnx")


def test_gray_copy_keeps_small_pages_and_shrinks_big_ones():
    assert gray_copy(Image.new("RGB", (500, 400), "white")).shape == (400, 500)
    assert gray_copy(Image.new("RGB", (2048, 1000), "white")).shape == (500, 1024)

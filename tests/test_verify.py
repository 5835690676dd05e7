"""The region verifier: crop pre-processing, score combination, labelling of training crops,
and a tiny trained verifier wired into the Detector."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from penmark.runtime.verify import CHANNELS, CROP_H, CROP_W, combine_scores, verifier_crop


def _page(ink=(20, 20, 20), paper=(235, 230, 215)) -> Image.Image:
    im = Image.new("RGB", (800, 600), paper)
    d = ImageDraw.Draw(im)
    d.line([(100, 300), (200, 260), (300, 320), (400, 280)], fill=ink, width=4)
    return im


def test_crop_is_fixed_size_and_normalised_for_paper_tint():
    box = (90, 250, 410, 330)
    a = verifier_crop(_page(), box)
    b = verifier_crop(_page(paper=(255, 255, 255)), box)
    assert a.shape == b.shape == (CHANNELS, CROP_H, CROP_W)
    assert 0.0 <= a.min() and a.max() <= 1.0
    # tinted and white paper give (nearly) the same ink channel: levels come from the crop
    assert np.abs(a[0] - b[0]).mean() < 0.02
    assert a[0].max() > 0.9  # the stroke is there, at full darkness
    # black ink has no colour; blue ink does
    assert a[1].max() < 0.1
    assert verifier_crop(_page(ink=(20, 40, 200)), box)[1].max() > 0.5


def test_crop_keeps_aspect_and_survives_degenerate_boxes():
    im = _page()
    wide = verifier_crop(im, (0, 280, 800, 300))  # 40:1 line -> blank rows above and below
    assert wide[0, 0].max() == 0.0 and wide[0, CROP_H // 2].max() > 0.5
    assert verifier_crop(im, (790, 590, 900, 700)).shape == (CHANNELS, CROP_H, CROP_W)
    assert not verifier_crop(im, (900, 700, 950, 750)).any()  # fully outside: blank, no error


def test_combined_score_needs_both_to_agree():
    det = np.array([0.9, 0.9, 0.2, 0.5], np.float32)
    prob = np.array([0.9, 0.1, 0.9, 0.5], np.float32)
    s = combine_scores(det, prob)
    assert s[0] > 0.85 and s[1] < 0.31 and s[2] < 0.43
    assert s[3] == pytest.approx(0.5, abs=1e-6)
    assert np.all(combine_scores(det, prob, weight=0.0) == pytest.approx(det))
    # veto rule: a verifier at or above veto_at leaves the detector score alone, doubt lowers it
    veto = combine_scores(det, prob, weight=1.0, veto_at=0.5)
    assert veto.tolist() == pytest.approx([0.9, 0.18, 0.2, 0.5])
    assert np.all(veto <= det + 1e-6)


def test_verifier_weights_per_label():
    from penmark.runtime.verify import parse_weights

    assert parse_weights(0.35) == {"handwritten": 0.35, "signature": 0.35}
    assert parse_weights("0.5") == {"handwritten": 0.5, "signature": 0.5}
    assert parse_weights("handwritten=0.5") == {"handwritten": 0.5, "signature": 0.0}
    assert parse_weights({"signature": 0.2}) == {"handwritten": 0.0, "signature": 0.2}
    with pytest.raises(ValueError, match="unknown labels"):
        parse_weights("stamp=0.5")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        parse_weights("handwritten=1.5")
    from penmark.runtime.verify import parse_veto

    assert parse_veto(0.5) == {"handwritten": 0.5, "signature": 0.5}
    assert parse_veto("signature=0.2") == {"handwritten": 0.5, "signature": 0.2}
    with pytest.raises(ValueError, match="veto bars"):
        parse_veto("signature=0")


def test_training_targets_ignore_unlabelled_classes_and_ambiguous_overlaps():
    pytest.importorskip("torch")
    from penmark.train.verifier import roc_auc, targets_for

    gt = np.array([[100, 100, 300, 150]], np.float32)
    cls = np.array([1])  # a signature
    boxes = np.array([[100, 100, 300, 150],   # the signature
                      [110, 100, 290, 150],   # IoU 0.9: still it
                      [100, 100, 200, 150],   # IoU 0.5: it (AP50's rule)
                      [100, 100, 170, 150],   # IoU 0.35: ambiguous
                      [500, 500, 600, 550]],  # elsewhere
                     np.float32)
    t = targets_for(boxes, gt, cls, labeled=np.array([0, 1]))  # handwriting not labelled
    assert t[:, 0].tolist() == [-1] * 5
    assert t[:, 1].tolist() == [1, 1, 1, -1, 0]
    t = targets_for(boxes, gt, cls, labeled=np.array([1, 1]))
    assert t[:, 0].tolist() == [0] * 5  # no handwriting on a fully labelled page
    assert roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert roc_auc(np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.8, 0.9])) == 0.75


def test_sampling_splits_real_and_generated_then_weights_named_sources():
    pytest.importorskip("torch")
    from penmark.train.verifier import sampling_weights

    src = ["synth"] * 6 + ["tobacco800_signatures"] * 3 + ["gsa_leases"]
    w = sampling_weights(src, real_share=0.4)
    assert w[:6].sum() == pytest.approx(0.6) and w[6:].sum() == pytest.approx(0.4)
    assert w[9] == pytest.approx(w[6])  # uniform within the real crops by default
    w = sampling_weights(src, real_share=0.4, source_weights={"gsa_leases": 3.0})
    assert w[6:].sum() == pytest.approx(0.4)  # the real share is kept...
    assert w[9] == pytest.approx(3 * w[6])  # ...and redistributed towards the named source
    assert w[9] == pytest.approx(0.4 * 3 / 6)
    with pytest.raises(ValueError, match="gsa_lease"):
        sampling_weights(src, source_weights={"gsa_lease": 2.0})  # a typo is an error


def _constant_verifier(path, logit: float):
    """An exported verifier that says the same for every crop: p = sigmoid(logit) per label
    (+8: sure of everything, -8: rejects everything, easy to see when it is in use)."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from penmark.model.verifier import VerifierNet, export_verifier

    net = VerifierNet().eval()
    with torch.no_grad():
        net.head.weight.zero_()
        net.head.bias.fill_(logit)
    return export_verifier(net, path)


def test_detector_with_a_verifier_rescores_and_proposes_lower(tmp_path):
    from penmark.runtime import Detector
    from penmark.runtime.verify import PROPOSAL_FLOOR, Verifier

    verifier = Verifier(_constant_verifier(tmp_path / "v.onnx", 8.0))
    assert verifier.labels == ("handwritten", "signature") and verifier.weight == 0.5
    page = "examples/sample_page.jpg"
    plain = Detector.pretrained(threshold=0.3, verifier=False)
    checked = Detector.pretrained(threshold=0.3, verifier=verifier)
    assert checked._proposal_threshold(0.3) == pytest.approx(0.09)
    assert checked._proposal_threshold(0.1) == PROPOSAL_FLOOR
    before = plain.detect(page)
    after = checked.detect(page)
    # p ~ 1 lifts each score to sqrt(score): every region found before is still found, higher
    assert len(after) >= len(before) > 0
    for r in before:
        match = [a for a in after if a.box == r.box and a.label == r.label]
        assert match and match[0].score == pytest.approx(np.sqrt(r.score), rel=1e-3)
    assert [r.score for r in after] == sorted((r.score for r in after), reverse=True)
    rejecting = Verifier(_constant_verifier(tmp_path / "n.onnx", -8.0))
    assert Detector.pretrained(threshold=0.3, verifier=rejecting).detect(page) == []
    # verifying handwriting only: signatures keep their detector scores, handwriting is gone
    rejecting.label_weights = {"handwritten": 0.5, "signature": 0.0}
    hw_only = Detector.pretrained(threshold=0.3, verifier=rejecting).detect(page)
    assert hw_only == [r for r in before if r.label == "signature"]


def test_a_weights_file_carries_its_verifier(tmp_path):
    v = _constant_verifier(tmp_path / "v.onnx", -8.0)
    import onnx

    from penmark.model.bundle import embed_verifier, extract_verifier
    from penmark.runtime import Detector
    from penmark.runtime.detector import DEFAULT_MODEL, _weights_path

    bundled = embed_verifier(
        _weights_path(DEFAULT_MODEL), v, tmp_path / "b.onnx", weight=0.35, name="b"
    )
    det = Detector(bundled, threshold=0.3)
    assert det.verifier is not None and det.metadata["name"] == "b"
    assert det.verifier.weight == 0.35
    assert "verifier_onnx" not in det.metadata  # the bytes are not shown as metadata
    carried = onnx.load_from_string(extract_verifier(bundled))
    weights = json.loads({p.key: p.value for p in carried.metadata_props}["score_weight"])
    assert weights == {"handwritten": 0.35, "signature": 0.35}
    assert carried.graph == onnx.load(str(v)).graph
    with pytest.raises(ValueError, match="holds no embedded verifier"):
        extract_verifier(_weights_path("penmark-hw-sig-v1"))
    assert det.detect("examples/sample_page.jpg") == []
    alone = Detector(bundled, threshold=0.3, verifier=False)
    assert alone.verifier is None and len(alone.detect("examples/sample_page.jpg")) > 0
    with pytest.raises(ValueError, match="no embedded verifier"):
        Detector(_weights_path("penmark-hw-sig-v1"), verifier=True)


def test_cli_uses_the_embedded_verifier_unless_told_not_to(tmp_path):
    v = _constant_verifier(tmp_path / "v.onnx", -8.0)
    from typer.testing import CliRunner

    from penmark.cli import app
    from penmark.model.bundle import embed_verifier
    from penmark.runtime.detector import _weights_path

    bundled = embed_verifier(_weights_path("penmark-hw-sig-v5"), v, tmp_path / "b.onnx")
    runner = CliRunner()
    args = ["detect", "examples/sample_page.jpg", "--weights", str(bundled), "--threshold", "0.3"]
    verified = runner.invoke(app, args)
    alone = runner.invoke(app, [*args, "--no-verify"])
    assert verified.exit_code == alone.exit_code == 0
    assert json.loads(verified.stdout)["regions"] == []
    assert len(json.loads(alone.stdout)["regions"]) > 0


def test_shipped_default_only_ever_lowers_scores():
    from penmark.runtime import Detector

    det = Detector.pretrained()
    assert det.verifier is not None
    assert det.verifier.label_weights == {"handwritten": 1.0, "signature": 1.0}
    # handwriting must look handwritten to the verifier; signatures need only not look like print
    assert det.verifier.veto_at == {"handwritten": 0.5, "signature": 0.2}
    page = "examples/sample_page.jpg"
    alone = Detector.pretrained(verifier=False).detect(page)
    verified = det.detect(page)
    # the veto only lowers scores: nothing new appears, no score rises, boxes stay
    before = {(r.label, r.box): r.score for r in alone}
    assert all(
        (r.label, r.box) in before and r.score <= before[(r.label, r.box)] + 1e-6
        for r in verified
    )
    # the filled-in fields and the three signatures of the sample lease survive
    assert sum(r.label == "signature" for r in verified) == 3
    assert sum(r.label == "handwritten" for r in verified) >= 3

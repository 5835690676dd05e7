"""Evaluation correctness on hand-made cases."""

import math
from pathlib import Path

import pytest

from penmark.evaluate import cached_predictions, evaluate_predictions
from penmark.region import Region

GT = {
    "images": [
        {"id": 1, "file_name": "a.png", "width": 500, "height": 500, "labeled_categories": [1, 2]},
        {"id": 2, "file_name": "b.png", "width": 500, "height": 500, "labeled_categories": [2]},
        {"id": 3, "file_name": "c.png", "width": 500, "height": 500, "labeled_categories": [1, 2]},
    ],
    "annotations": [
        {
            "id": 1,
            "image_id": 1,
            "category_id": 2,
            "bbox": [10, 10, 100, 40],
            "area": 4000,
            "iscrowd": 0,
        },
        {
            "id": 2,
            "image_id": 1,
            "category_id": 1,
            "bbox": [10, 100, 200, 30],
            "area": 6000,
            "iscrowd": 0,
        },
        {
            "id": 3,
            "image_id": 2,
            "category_id": 2,
            "bbox": [50, 50, 120, 60],
            "area": 7200,
            "iscrowd": 0,
        },
        {
            "id": 4,
            "image_id": 3,
            "category_id": 1,
            "bbox": [300, 300, 100, 20],
            "area": 2000,
            "iscrowd": 0,
        },
    ],
    "categories": [{"id": 1, "name": "handwritten"}, {"id": 2, "name": "signature"}],
}


def _perfect():
    preds = {}
    for a in GT["annotations"]:
        x, y, w, h = a["bbox"]
        label = "handwritten" if a["category_id"] == 1 else "signature"
        preds.setdefault(a["image_id"], []).append(Region(label, 0.9, (x, y, x + w, y + h)))
    return preds


def test_perfect_predictions_give_ap_one():
    res = evaluate_predictions(GT, _perfect())
    for name in ("handwritten", "signature"):
        m = res.per_class[name]
        assert math.isclose(m.ap50, 1.0) and math.isclose(m.ap, 1.0)
        assert m.precision == 1.0 and m.recall == 1.0
    assert res.signed_accuracy == 1.0 and res.signed_pages == 3


def test_missing_box_lowers_recall_and_ap():
    preds = _perfect()
    preds[3] = []
    res = evaluate_predictions(GT, preds)
    assert res.per_class["handwritten"].recall == 0.5
    assert res.per_class["handwritten"].ap50 < 1.0


def test_unlabelled_class_is_ignored():
    preds = _perfect()
    # handwriting predicted on image 2, where handwriting is not labelled: not a false alarm
    preds[2].append(Region("handwritten", 0.99, (0, 400, 100, 430)))
    res = evaluate_predictions(GT, preds)
    assert res.per_class["handwritten"].precision == 1.0
    assert math.isclose(res.per_class["handwritten"].ap50, 1.0)
    # the same prediction on a page where handwriting is labelled is a false alarm
    preds[3].append(Region("handwritten", 0.99, (0, 400, 100, 430)))
    res = evaluate_predictions(GT, preds)
    assert res.per_class["handwritten"].precision < 1.0


def test_signed_accuracy_counts_false_signature():
    preds = _perfect()
    preds[3].append(Region("signature", 0.9, (0, 0, 50, 20)))
    res = evaluate_predictions(GT, preds)
    assert math.isclose(res.signed_accuracy, 2 / 3)


def test_false_alarms_per_page():
    preds = _perfect()
    assert evaluate_predictions(GT, preds).false_alarms_per_page == 0.0
    preds[1].append(Region("signature", 0.9, (400, 400, 450, 420)))
    preds[3].append(Region("signature", 0.1, (400, 400, 450, 420)))  # below the threshold
    assert evaluate_predictions(GT, preds).false_alarms_per_page == 1 / 3


def test_cached_predictions_run_the_detector_once_per_file(tmp_path):
    calls: list[str] = []

    def detect(name: str) -> list[Region]:
        calls.append(name)
        return [Region("signature", 0.5 if name == "a.png" else 0.25, (1, 2, 30, 40))]

    cache = tmp_path / "preds.json"
    first = cached_predictions(detect, ["a.png", "b.png"], cache)
    again = cached_predictions(detect, ["b.png", "a.png", "c.png"], cache)
    assert calls == ["a.png", "b.png", "c.png"]  # a and b came from the cache the second time
    assert again["a.png"] == first["a.png"]
    assert [r.score for r in again["b.png"]] == [0.25]
    assert again["a.png"][0].box == (1, 2, 30, 40)


def test_pick_threshold_follows_the_release_rule() -> None:
    from penmark.evaluate import pick_threshold

    # the releases' sweeps (MODEL_CARD.md): v6 0.40, v5 0.40, v4 0.40 (0.35 is 0.006 below),
    # v3 0.35 (tie)
    assert pick_threshold({0.35: 0.867, 0.4: 0.888, 0.45: 0.881, 0.5: 0.847}) == 0.4
    assert pick_threshold({0.3: 0.848, 0.35: 0.858, 0.4: 0.878, 0.45: 0.871}) == 0.4
    assert pick_threshold({0.3: 0.825, 0.35: 0.866, 0.4: 0.872, 0.45: 0.858}) == 0.4
    assert pick_threshold({0.3: 0.840, 0.35: 0.858, 0.4: 0.860, 0.45: 0.854}) == 0.35
    assert pick_threshold({0.3: float("nan"), 0.5: 0.7}) == 0.5
    with pytest.raises(ValueError):
        pick_threshold({0.3: float("nan")})


def test_cli_evaluate_without_the_verifier_is_the_bare_detector(tmp_path) -> None:
    """v6 is v5's detector plus a verifier: `--no-verify` on v6 must score exactly as v5."""
    import json

    from typer.testing import CliRunner

    from penmark.cli import app

    page = str(Path("examples/sample_page.jpg").resolve())
    coco = {
        "images": [{"id": 1, "file_name": page, "width": 1738, "height": 2227,
                    "labeled_categories": [1, 2]}],
        # two of the sample's signatures and one filled-in date, boxed by hand
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 2, "bbox": [272, 1696, 440, 104],
             "area": 45760, "iscrowd": 0},
            {"id": 2, "image_id": 1, "category_id": 2, "bbox": [386, 1365, 185, 116],
             "area": 21460, "iscrowd": 0},
            {"id": 3, "image_id": 1, "category_id": 1, "bbox": [1008, 275, 376, 96],
             "area": 36096, "iscrowd": 0},
        ],
        "categories": [{"id": 1, "name": "handwritten"}, {"id": 2, "name": "signature"}],
    }
    data = tmp_path / "gt.json"
    data.write_text(json.dumps(coco))
    runner = CliRunner()

    def run(*args):
        out = tmp_path / "m.json"
        res = runner.invoke(app, ["evaluate", "--data", str(data), "--json", str(out), *args])
        assert res.exit_code == 0, res.output
        return json.loads(out.read_text())

    bare = run("--model", "penmark-hw-sig-v6", "--no-verify")
    assert bare == run("--model", "penmark-hw-sig-v5")
    verified = run("--model", "penmark-hw-sig-v6")
    assert set(verified) == set(bare)  # same rows; the numbers may differ


def _random_case(seed: int, pages: int = 25):
    """Pages with 0-4 boxes per class and noisy, partly wrong predictions."""
    import numpy as np

    rng = np.random.default_rng(seed)
    gt = {"images": [], "annotations": [],
          "categories": [{"id": 1, "name": "handwritten"}, {"id": 2, "name": "signature"}]}
    preds: dict[int, list[Region]] = {}
    for i in range(1, pages + 1):
        gt["images"].append({"id": i, "file_name": f"{i}.png", "width": 1000, "height": 1000,
                             "labeled_categories": [1, 2] if i % 5 else [2]})
        for cid, label in ((1, "handwritten"), (2, "signature")):
            for _ in range(rng.integers(0, 5)):
                x, y = rng.uniform(0, 800, 2)
                w, h = rng.uniform(40, 200), rng.uniform(15, 60)
                gt["annotations"].append({"id": len(gt["annotations"]) + 1, "image_id": i,
                                          "category_id": cid, "bbox": [x, y, w, h],
                                          "area": w * h, "iscrowd": 0})
                if rng.random() < 0.8:  # found, with some box error (some below IoU 0.5)
                    dx, dy = rng.normal(0, 0.25 * w), rng.normal(0, 0.25 * h)
                    box = (x + dx, y + dy, x + dx + w, y + dy + h)
                    preds.setdefault(i, []).append(Region(label, float(rng.uniform(0.05, 1)), box))
            for _ in range(rng.integers(0, 3)):  # false alarms
                x, y = rng.uniform(0, 900, 2)
                preds.setdefault(i, []).append(Region(label, float(rng.uniform(0.01, 0.9)),
                                                      (x, y, x + 80, y + 30)))
    return gt, preds


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ap50_from_page_matches_equals_pycocotools(seed):
    from penmark.evaluate import ap50_from_matches, page_matches

    gt, preds = _random_case(seed)
    res = evaluate_predictions(gt, preds)
    for label in ("handwritten", "signature"):
        ours = ap50_from_matches(page_matches(gt, preds, label))
        assert ours == pytest.approx(res.per_class[label].ap50, abs=1e-9), label


def test_paired_bootstrap_brackets_the_difference():
    from penmark.evaluate import paired_bootstrap

    gt, preds = _random_case(3, pages=40)
    same = paired_bootstrap(gt, preds, preds, rounds=200)
    assert all(r["diff"] == 0 and r["low"] == r["high"] == 0 and r["b_not_worse"] == 1
               for r in same.values())
    perfect = {}
    for a in gt["annotations"]:
        x, y, w, h = a["bbox"]
        label = "handwritten" if a["category_id"] == 1 else "signature"
        perfect.setdefault(a["image_id"], []).append(Region(label, 0.9, (x, y, x + w, y + h)))
    better = paired_bootstrap(gt, preds, perfect, rounds=200)
    for r in better.values():
        assert r["ap50_b"] == pytest.approx(1.0) and r["diff"] > 0
        assert 0 < r["low"] <= r["diff"] <= r["high"] and r["b_not_worse"] == 1


def test_evaluate_with_orientation_scores_a_turned_page_like_an_upright_one(tmp_path):
    """`--orientation auto` scores what `penmark detect` gives: a page scanned upside down is
    turned back before detection, so it scores like the upright page; without it, it does not."""
    import json

    from PIL import Image
    from typer.testing import CliRunner

    from penmark.cli import app

    page = Image.open("examples/sample_page.jpg").convert("RGB")
    w, h = page.size
    turned = tmp_path / "turned.jpg"
    page.rotate(180).save(turned, quality=95)
    boxes = [(2, [272, 1696, 440, 104]), (2, [386, 1365, 185, 116]), (1, [1008, 275, 376, 96])]

    def coco(file, flip):
        anns = []
        for i, (cid, (x, y, bw, bh)) in enumerate(boxes, start=1):
            if flip:
                x, y = w - x - bw, h - y - bh
            anns.append({"id": i, "image_id": 1, "category_id": cid, "bbox": [x, y, bw, bh],
                         "area": bw * bh, "iscrowd": 0})
        return {"images": [{"id": 1, "file_name": str(file), "width": w, "height": h,
                            "labeled_categories": [1, 2]}],
                "annotations": anns,
                "categories": [{"id": 1, "name": "handwritten"}, {"id": 2, "name": "signature"}]}

    runner = CliRunner()

    def ap50(file, flip, *args):
        data, out = tmp_path / "gt.json", tmp_path / "m.json"
        data.write_text(json.dumps(coco(file, flip)))
        res = runner.invoke(app, ["evaluate", "--data", str(data), "--json", str(out), *args])
        assert res.exit_code == 0, res.output
        (row,) = json.loads(out.read_text()).values()
        return [row["per_class"][k]["ap50"] for k in ("handwritten", "signature")]

    upright = ap50(Path("examples/sample_page.jpg").resolve(), False)
    assert min(upright) > 0.7
    assert max(ap50(turned, True)) < 0.5  # the model alone, upside down
    assert ap50(turned, True, "--orientation", "auto") == pytest.approx(upright, abs=0.05)
    res = runner.invoke(app, ["evaluate", "--data", "x.json", "--orientation", "sideways"])
    assert res.exit_code == 2 and "--orientation must be one of" in res.output

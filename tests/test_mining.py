"""Hard-negative mining: only labelled classes are mined, and focus boxes steer the crops."""

from __future__ import annotations

import json
import random

import numpy as np
from PIL import Image

from penmark.region import Region
from penmark.train.data import CropDataset, SourceSpec, load_coco
from penmark.train.mining import attach_focus, false_positives, load_mined, mine, missed


def _page(tiny_coco, labelled_both: bool):
    recs = load_coco(tiny_coco)
    return next(r for r in recs if bool(r.labeled[0]) == labelled_both)


def test_false_positives_skip_matches_and_unlabelled_classes(tiny_coco):
    both = _page(tiny_coco, True)  # handwritten (80,200,300,230) and signature labelled
    boxes = np.array(
        [
            [300, 600, 560, 680],  # the signature itself: not a false alarm
            [80, 200, 300, 230],  # the handwriting, but called signature: a false alarm
            [400, 50, 600, 100],  # nothing there: a false alarm
            [410, 60, 590, 90],  # handwritten where nothing is: a false alarm (labelled)
        ],
        np.float32,
    )
    labels = ["signature", "signature", "signature", "handwritten"]
    fp = false_positives(both, boxes, labels)
    assert fp.tolist() == boxes[1:].tolist()
    sig_only = _page(tiny_coco, False)  # handwritten not labelled: no handwritten alarms
    fp = false_positives(sig_only, boxes, labels)
    assert fp.tolist() == boxes[1:3].tolist()


def test_missed_keeps_labelled_boxes_no_same_class_prediction_covers(tiny_coco):
    both = _page(tiny_coco, True)  # handwritten (80,200,300,230) and signature labelled
    labelled = {tuple(b) for b in both.boxes.tolist()}
    boxes = np.array([[300, 600, 560, 680], [400, 50, 600, 100]], np.float32)
    # the signature is found, the handwriting is not (nothing near it)
    got = missed(both, boxes, ["signature", "signature"])
    assert [tuple(b) for b in got.tolist()] == [(80, 200, 300, 230)]
    # a box on the signature called handwritten does not count: both are missed
    got = missed(both, boxes[:1], ["handwritten"])
    assert {tuple(b) for b in got.tolist()} == labelled
    assert missed(both, np.zeros((0, 4), np.float32), []).shape == (len(labelled), 4)


def test_mine_keys_by_resolved_path_and_focus_is_attached(tiny_coco, tmp_path):
    recs = load_coco(tiny_coco)

    def detect(path):
        return [
            Region("signature", 0.9, (300, 600, 560, 680)),
            Region("signature", 0.5, (400, 50, 600, 100)),
            Region("signature", 0.1, (20, 700, 200, 760)),  # below the threshold
        ]

    found = mine(recs, detect, threshold=0.2)
    assert len(found) == len(recs)
    assert all(v == [[400.0, 50.0, 600.0, 100.0]] for v in found.values())
    (tmp_path / "mined.json").write_text(json.dumps(found))
    fresh = load_coco(tiny_coco)
    assert attach_focus(fresh, json.loads((tmp_path / "mined.json").read_text())) == len(fresh)
    assert fresh[0].focus.shape == (1, 4)


def test_mining_rounds_merge_and_focus_extends(tiny_coco, tmp_path):
    key = str(load_coco(tiny_coco)[0].path.resolve())
    (tmp_path / "r1.json").write_text(json.dumps({key: [[1, 2, 3, 4]], "other": [[5, 5, 9, 9]]}))
    (tmp_path / "r2.json").write_text(json.dumps({key: [[1, 2, 3, 4], [10, 20, 30, 40]]}))
    merged = load_mined(tmp_path / "r1.json", tmp_path / "r2.json")
    assert merged[key] == [[1, 2, 3, 4], [10, 20, 30, 40]]  # the repeat once, the new box added
    assert merged["other"] == [[5, 5, 9, 9]]
    rec = load_coco(tiny_coco)[0]
    rec.focus = np.array([[7, 7, 8, 8]], np.float32)  # e.g. a generated page's distractor
    attach_focus([rec], merged)
    assert rec.focus.tolist() == [[7, 7, 8, 8], [1, 2, 3, 4], [10, 20, 30, 40]]


def test_crops_centre_on_focus_boxes(tiny_coco):
    recs = load_coco(tiny_coco)
    for r in recs:
        r.focus = np.array([[40, 720, 200, 760]], np.float32)
    ds = CropDataset(
        [SourceSpec(tiny_coco, 1.0, records=recs)],
        crop=256,
        input_size=800,
        focus_bias=1.0,
        scale_jitter=(1.0, 1.0),
    )
    for i in range(8):
        rec = recs[i % len(recs)]
        sample = ds.sample(Image.open(rec.path), rec, random.Random(i))
        # the focus box holds only ruled lines, so no object is in the crop: an all-zero target
        assert sample["heat"].max() == 0.0
    ds.focus_bias = 0.0
    ds.object_bias = 1.0
    hits = 0
    for i in range(8):
        rec = recs[i % len(recs)]
        sample = ds.sample(Image.open(rec.path), rec, random.Random(i))
        hits += sample["heat"].max() > 0.5
    assert hits == 8  # without focus, every crop is centred on a labelled object

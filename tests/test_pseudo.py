"""Pseudo-labels: a teacher's confident regions fill an unlabelled class, its unsure ones become
ignore areas that the training crops carry into the loss mask, and labelled ink stays negative."""

from __future__ import annotations

import json
import random

import numpy as np

from penmark.region import Region
from penmark.train.data import CropDataset, SourceSpec, load_coco
from penmark.train.pseudo import pseudo_label


def _page(tmp_path):
    data = {
        "images": [
            {"id": 1, "file_name": "a.png", "width": 512, "height": 512, "labeled_categories": [2]},
            {
                "id": 2,
                "file_name": "b.png",
                "width": 512,
                "height": 512,
                "labeled_categories": [1, 2],
            },
        ],
        "annotations": [
            {"id": 7, "image_id": 1, "category_id": 2, "bbox": [200, 200, 150, 60], "iscrowd": 0}
        ],
        "categories": [{"id": 1, "name": "handwritten"}, {"id": 2, "name": "signature"}],
    }
    path = tmp_path / "set.json"
    a, b = str((tmp_path / "a.png").resolve()), str((tmp_path / "b.png").resolve())
    regions = {
        a: [
            Region("handwritten", 0.9, (20, 20, 120, 40)),  # confident: a box
            Region("signature", 0.2, (30, 22, 110, 38)),  # unsure, but on the positive's ink
            Region("handwritten", 0.3, (20, 100, 100, 120)),  # unsure: ignore, padded
            Region("handwritten", 0.8, (210, 205, 340, 250)),  # on the labelled signature
            Region("signature", 0.95, (205, 200, 345, 258)),  # the signature itself
            Region("handwritten", 0.01, (20, 150, 60, 170)),  # below the ignore bar: negative
        ],
        b: [Region("handwritten", 0.9, (0, 0, 10, 10))],
    }
    return data, path, regions


def test_pseudo_label_fills_only_unlabelled_pages(tmp_path):
    data, path, regions = _page(tmp_path)
    out, counts = pseudo_label(data, path, regions, "handwritten", positive=0.6, ignore=0.02)
    assert counts == {"pages": 1, "positive": 1, "ignore": 1, "dropped_on_other_class": 2}
    a, b = out["images"]
    assert a["labeled_categories"] == [1, 2] and b["labeled_categories"] == [1, 2]
    assert a["file_name"] == str((tmp_path / "a.png").resolve())
    new = [x for x in out["annotations"] if x["id"] != 7]
    pos = [x for x in new if not x["iscrowd"]]
    ign = [x for x in new if x["iscrowd"]]
    assert [x["bbox"] for x in pos] == [[20, 20, 100, 20]] and pos[0]["pseudo"]
    assert [x["bbox"] for x in ign] == [[10.0, 90.0, 100.0, 40.0]]  # padded by half the height
    assert all(x["image_id"] == 1 and x["category_id"] == 1 for x in new)
    assert data["images"][0]["labeled_categories"] == [2]  # the input is not changed


def test_iscrowd_boxes_become_ignore_areas_of_their_class(tmp_path):
    from PIL import Image

    data, path, regions = _page(tmp_path)
    out, _ = pseudo_label(data, path, regions, "handwritten", positive=0.6, ignore=0.02)
    for name in ("a.png", "b.png"):
        Image.new("RGB", (512, 512), "white").save(tmp_path / name)
    (tmp_path / "pseudo.json").write_text(json.dumps(out))
    rec = load_coco(tmp_path / "pseudo.json")[0]
    assert len(rec.boxes) == 2 and sorted(rec.classes.tolist()) == [0, 1]
    assert rec.ignore_boxes.tolist() == [[10, 90, 110, 130]] and rec.ignore_classes.tolist() == [0]
    # a crop of the whole page at scale 1: the ignore area is masked for handwriting only
    ds = CropDataset(
        [SourceSpec(path, records=[rec])], crop=512, input_size=512, scale_jitter=(1, 1)
    )
    s = ds.sample(Image.open(rec.path), rec, random.Random(0))
    ign = s["ignore"]
    assert ign[0, 12:16, 2:13].all() and not ign[1].any()
    assert ign[0].sum() == ign[0, 11:17, 1:14].sum()  # nothing outside the padded box
    assert s["heat"][0].max() == 1.0 and np.array_equal(s["class_mask"], [1.0, 1.0])

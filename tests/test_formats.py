import json

import pytest

from penmark.formats import (
    coco_dataset,
    csv_rows,
    page_from_dict,
    page_to_dict,
    page_to_jsonl,
    spark_region_structs,
)
from penmark.region import PageResult, Region


def _page() -> PageResult:
    return PageResult(
        "a.jpg",
        0,
        100,
        200,
        [
            Region("signature", 0.91234, (10, 20, 50.55, 60)),
            Region("handwritten", 0.5, (1, 2, 3, 4)),
        ],
    )


def test_jsonl_schema_is_the_public_contract():
    d = json.loads(page_to_jsonl(_page()))
    assert set(d) == {"source", "page", "width", "height", "regions"}
    assert d["regions"][0]["label"] == "signature" and d["regions"][0]["score"] == 0.9123
    assert d["regions"][0]["box"] == [10.0, 20.0, round(50.55, 1), 60.0]
    assert (d["width"], d["height"], d["page"]) == (100, 200, 0)
    assert page_from_dict(d).regions[1].label == "handwritten"


def test_error_line_names_source_and_reason():
    d = page_to_dict(PageResult("bad.png", error="cannot read image: truncated"))
    assert d == {"source": "bad.png", "error": "cannot read image: truncated"}


def test_region_validates_label_and_box():
    with pytest.raises(ValueError):
        Region("stamp", 1.0, (0, 0, 1, 1))
    with pytest.raises(ValueError):
        Region("signature", 1.0, (5, 0, 1, 1))


def test_coco_csv_and_spark_views_agree():
    page = _page()
    coco = coco_dataset([page])
    assert coco["images"][0]["width"] == 100
    assert [a["category_id"] for a in coco["annotations"]] == [2, 1]
    assert coco["annotations"][0]["bbox"] == [10.0, 20.0, 40.55, 40.0]
    rows = csv_rows(page)
    assert rows[0]["x1"] == round(50.55, 1) and rows[1]["label"] == "handwritten"
    structs = spark_region_structs(page)
    assert structs[0] == {
        "index": 0,
        "page": 0,
        "x": 10,
        "y": 20,
        "width": 41,
        "height": 40,
        "score": 0.91234,
        "label": "signature",
    }

import json
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def _scribble(draw: ImageDraw.ImageDraw, box, rng: random.Random, width: int = 3) -> None:
    x0, y0, x1, y1 = box
    pts = [(x0 + (x1 - x0) * i / 20, rng.uniform(y0 + 2, y1 - 2)) for i in range(21)]
    draw.line(pts, fill=(20, 30, 140), width=width)


@pytest.fixture(scope="session")
def tiny_coco(tmp_path_factory) -> Path:
    """A few drawn pages with scribbles as signatures and handwriting; COCO, partial labels."""
    root = tmp_path_factory.mktemp("tiny_coco")
    rng = random.Random(0)
    images, anns = [], []
    for i in range(4):
        img = Image.new("RGB", (640, 800), "white")
        d = ImageDraw.Draw(img)
        for y in range(60, 760, 40):
            d.line([(40, y), (600, y)], fill=(90, 90, 90), width=2)
        boxes = [((300, 600, 560, 680), 2), ((80, 200, 300, 230), 1)]
        for box, cat in boxes:
            _scribble(d, box, rng)
            anns.append(
                {
                    "id": len(anns) + 1,
                    "image_id": i + 1,
                    "category_id": cat,
                    "bbox": [box[0], box[1], box[2] - box[0], box[3] - box[1]],
                    "area": (box[2] - box[0]) * (box[3] - box[1]),
                    "iscrowd": 0,
                }
            )
        name = f"p{i}.png"
        img.save(root / name)
        images.append(
            {
                "id": i + 1,
                "file_name": name,
                "width": 640,
                "height": 800,
                "labeled_categories": [1, 2] if i % 2 == 0 else [2],
            }
        )
    coco = {
        "images": images,
        "annotations": anns,
        "categories": [{"id": 1, "name": "handwritten"}, {"id": 2, "name": "signature"}],
    }
    (root / "annotations.json").write_text(json.dumps(coco))
    return root / "annotations.json"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)

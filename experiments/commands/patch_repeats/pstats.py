"""Session 14: patch-repeat values (patches.py) of cached handwritten detections >= 0.40.

    python pstats.py CACHE.json OUT_ROWS.json DATA.json [DATA.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[3] / "scripts"))
from patches import patch_repeats  # noqa: E402
from twin_stats import matches_ground_truth  # noqa: E402

from penmark.runtime.twins import box_crop  # noqa: E402
from penmark.train.data import load_coco  # noqa: E402


def main() -> None:
    cache = json.loads(Path(sys.argv[1]).read_text())
    rows = []
    for data in map(Path, sys.argv[3:]):
        for page in load_coco(data):
            regs = [r for r in cache.get(str(page.path.resolve()), [])
                    if r["score"] >= 0.4 and r["label"] == "handwritten"]
            if not regs:
                continue
            gray = np.asarray(Image.open(page.path).convert("L"))
            for r in regs:
                tp = matches_ground_truth(page, r["label"], r["box"])
                reps = patch_repeats(box_crop(gray, r["box"]))
                rows.append({"path": str(page.path), "box": r["box"], "score": r["score"],
                             "tp": tp, "reps": reps})
    Path(sys.argv[2]).write_text(json.dumps(rows))
    print(f"{len(rows)} regions -> {sys.argv[2]}")


if __name__ == "__main__":
    main()

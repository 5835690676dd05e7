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
from patches import patch_repeats  # noqa: E402

from penmark.region import LABELS  # noqa: E402
from penmark.runtime.postprocess import iou_matrix  # noqa: E402
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
            cid = LABELS.index("handwritten")
            for r in regs:
                tp = None
                if page.labeled[cid]:
                    gt = np.array([b for b, c in zip(page.boxes, page.classes, strict=True)
                                   if c == cid], np.float32).reshape(-1, 4)
                    tp = bool(len(gt) and iou_matrix(np.array([r["box"]], np.float32), gt).max()
                              >= 0.5)
                x0, y0, x1, y1 = (int(round(v)) for v in r["box"])
                reps = patch_repeats(gray[max(0, y0) : y1, max(0, x0) : x1])
                rows.append({"path": str(page.path), "box": r["box"], "score": r["score"],
                             "tp": tp, "reps": reps})
    Path(sys.argv[2]).write_text(json.dumps(rows))
    print(f"{len(rows)} regions -> {sys.argv[2]}")


if __name__ == "__main__":
    main()

"""Union of two prediction caches (two input sizes, say): class-wise NMS at IoU 0.5, higher
score kept. Session 13's two-scale inference (failed):

    python experiments/commands/merge_scales.py runs/preds-v7pc.json \
        runs/preds-v7pc-1280.json runs/preds-v7pc-tta.json
"""

import json
import sys

import numpy as np

from penmark.runtime.postprocess import iou_matrix


def main() -> None:
    a = json.load(open(sys.argv[1]))
    b = json.load(open(sys.argv[2]))
    out = {}
    for key in a:
        keep: list[dict] = []
        for r in sorted(a[key] + b.get(key, []), key=lambda r: -r["score"]):
            same = [q["box"] for q in keep if q["label"] == r["label"]]
            if same and iou_matrix(np.array([r["box"]]), np.array(same)).max() > 0.5:
                continue
            keep.append(r)
        out[key] = keep
    json.dump(out, open(sys.argv[3], "w"))


if __name__ == "__main__":
    main()

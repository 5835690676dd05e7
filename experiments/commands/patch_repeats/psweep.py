"""Session 14: how many tune false alarms / train true positives each patch-repeat rule flags.

    python pstats.py runs/preds-v7pc2-train.json train.json $D/gsa_leases/train.json \\
        $D/cheques/train.json
    python pstats.py runs/preds-v7pc2-hardneg-tune.json tune.json \\
        data/hardneg-tune/annotations.json
    python psweep.py train.json tune.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).parent))
from patches import patch_repeats  # noqa: E402

from penmark.runtime.twins import box_crop  # noqa: E402

CONFIGS = [
    {"target_h": 64}, {"target_h": 48}, {"target_h": 64, "blur": 1}, {"target_h": 48, "blur": 1},
    {"target_h": 64, "frac": 0.3}, {"target_h": 64, "frac": 0.55},
]


def repeats(row: dict, cfg: dict, pages: dict) -> list[float]:
    if row["path"] not in pages:
        pages[row["path"]] = np.asarray(Image.open(row["path"]).convert("L"))
    crop = box_crop(pages[row["path"]], row["box"])
    cfg = dict(cfg)
    if blur := cfg.pop("blur", 0):
        crop = np.asarray(Image.fromarray(crop).filter(ImageFilter.BoxBlur(blur)))
    return patch_repeats(crop, **cfg)


def main() -> None:
    tps = [r for r in json.loads(Path(sys.argv[1]).read_text()) if r["tp"]]
    fps = [r for r in json.loads(Path(sys.argv[2]).read_text()) if r["tp"] is False]
    pages: dict = {}
    for cfg in CONFIGS:
        t_reps = [repeats(r, cfg, pages) for r in tps]
        f_reps = [repeats(r, cfg, pages) for r in fps]
        out = []
        for tau in (0.8, 0.85, 0.9, 0.93):
            for k in (1, 2, 3):
                t = sum(sum(v >= tau for v in x) >= k for x in t_reps)
                f = sum(sum(v >= tau for v in x) >= k for x in f_reps)
                out.append(f"{tau}/{k}: FP {f}/{len(f_reps)} TP {t}/{len(t_reps)}")
        print(cfg, "\n   " + " | ".join(out), flush=True)


if __name__ == "__main__":
    main()

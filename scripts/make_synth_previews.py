#!/usr/bin/env python3
"""Write docs/synth_preview.png (synthetic pages) and docs/real_preview.png (real TRAIN pages
from ../shared/datasets) with the same layout and box colours, for side-by-side judging.

    python scripts/make_synth_previews.py [--seed 0] [--count 12]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from PIL import Image

from penmark.region import Region
from penmark.synth import SynthConfig, generate_page
from penmark.synth.dataset import contact_sheet, draw_boxes
from penmark.synth.page import Page

ROOT = Path(__file__).resolve().parents[1]


def real_pages(datasets: Path, n: int, seed: int) -> list[Page]:
    rng = random.Random(seed)
    picks = {"gsa_leases": n // 2, "tobacco800_signatures": n // 4,
             "cheques": n - n // 2 - n // 4}
    pages = []
    for ds, k in picks.items():
        coco = json.loads((datasets / ds / "train.json").read_text())
        cats = {c["id"]: c["name"] for c in coco["categories"]}
        anns: dict[int, list] = {}
        for a in coco["annotations"]:
            anns.setdefault(a["image_id"], []).append(a)
        ims = [im for im in coco["images"] if im["id"] in anns]
        for im in rng.sample(ims, k):
            img = Image.open(datasets / ds / im["file_name"]).convert("RGB")
            regs = [Region(cats[a["category_id"]], 1.0,
                           (a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2],
                            a["bbox"][1] + a["bbox"][3])) for a in anns[im["id"]]]
            pages.append(Page(img, regs, ds))
    return pages


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    args = ap.parse_args()
    cfg = SynthConfig()
    args.out.mkdir(parents=True, exist_ok=True)
    synth = [generate_page(args.seed + i, cfg) for i in range(args.count)]
    contact_sheet([draw_boxes(p) for p in synth], cols=4, thumb_w=425,
                  title="SYNTHETIC (penmark.synth): handwritten = blue, signature = red").save(
        args.out / "synth_preview.png")
    real = real_pages(cfg.datasets_dir, args.count, args.seed)
    contact_sheet([draw_boxes(p) for p in real], cols=4, thumb_w=425,
                  title="REAL train pages (GSA leases, Tobacco800, cheques): same colours").save(
        args.out / "real_preview.png")
    print("wrote", args.out / "synth_preview.png", args.out / "real_preview.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

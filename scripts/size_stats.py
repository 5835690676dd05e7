"""Box sizes of handwriting and signatures, real sets beside generated pages.

The synthetic-to-real gap includes scale: if generated handwriting is smaller than real
handwriting, the network learns the wrong size prior. Sizes are in pixels after scaling each
page to a long side of 1700 (a 200 dpi letter page), so scans of any resolution compare.

    python scripts/size_stats.py --data ../shared/datasets/gsa_leases/train.json --synth 60
"""

from __future__ import annotations

import argparse
import json

import numpy as np


def _rows(name: str, sizes: dict[str, list[tuple[float, float]]]) -> None:
    for label, wh in sorted(sizes.items()):
        if not wh:
            continue
        a = np.array(wh)
        h = np.percentile(a[:, 1], [10, 50, 90]).round().astype(int)
        w = np.percentile(a[:, 0], [10, 50, 90]).round().astype(int)
        hs, ws = " / ".join(map(str, h)), " / ".join(map(str, w))
        print(f"| {name} | {label} | {len(a)} | {hs} | {ws} |")


def coco_sizes(path: str) -> dict[str, list[tuple[float, float]]]:
    d = json.load(open(path))
    imgs = {i["id"]: i for i in d["images"]}
    cats = {c["id"]: c["name"] for c in d["categories"]}
    out: dict[str, list[tuple[float, float]]] = {}
    for a in d["annotations"]:
        im = imgs[a["image_id"]]
        s = 1700 / max(im["width"], im["height"])
        out.setdefault(cats[a["category_id"]], []).append((a["bbox"][2] * s, a["bbox"][3] * s))
    return out


def synth_sizes(count: int, seed: int) -> dict[str, list[tuple[float, float]]]:
    from penmark.synth import generate_page

    out: dict[str, list[tuple[float, float]]] = {}
    for k in range(count):
        page = generate_page(seed + k)
        s = 1700 / max(page.image.size)
        for r in page.regions:
            x0, y0, x1, y1 = r.box
            out.setdefault(r.label, []).append(((x1 - x0) * s, (y1 - y0) * s))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", action="append", default=[], help="COCO json (repeatable)")
    ap.add_argument("--synth", type=int, default=0, help="also generate this many pages")
    ap.add_argument("--seed", type=int, default=300000)
    args = ap.parse_args()
    print("| source | class | boxes | height p10 / p50 / p90 | width p10 / p50 / p90 |")
    print("|---|---|---:|---|---|")
    for path in args.data:
        _rows("/".join(path.split("/")[-2:]), coco_sizes(path))
    if args.synth:
        _rows(f"synth x{args.synth} (seed {args.seed})", synth_sizes(args.synth, args.seed))


if __name__ == "__main__":
    main()

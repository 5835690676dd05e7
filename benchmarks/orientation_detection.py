"""What the orientation step does to detection: real labelled pages turned 0/90/180/270, scored.

    python benchmarks/orientation_detection.py --split val [--sets cheques,gsa_leases] \\
        [--limit 120] [--modes none,heuristic,learned,auto] [--json out.json]

``benchmarks/orientation_real.py`` counts right and wrong turns; this scores what a user of
``penmark detect`` gets. Each page is read as the pipeline reads it (a reduced copy at the
detector's input size), turned by 0/90/180/270 degrees, and run through
:meth:`penmark.pipeline.PageProcessor.detect` with each ``--orientation`` mode; the ground-truth
boxes are turned with the page. Prints AP50 per set, class and mode, separately for the upright
pages and the turned ones, and how many upright pages each mode turned. Regions are those a
user gets at the default threshold, so AP50 here is that of the thresholded output (lower than
``penmark evaluate``'s, which ranks every region down to 0.01).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from penmark.evaluate import evaluate_predictions, merge_coco
from penmark.io.documents import Page, iter_pages
from penmark.pipeline import Options, PageProcessor

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
TURNS = (0, 90, 180, 270)


def turn_box(box: list[float], turn: int, width: float, height: float) -> list[float]:
    """An ``[x, y, w, h]`` box on a ``width x height`` page -> the same ink on the page
    ``rotate(turn, expand=True)``-ed (CCW degrees); the inverse of ``rotate_box``."""
    x0, y0, x1, y1 = box[0], box[1], box[0] + box[2], box[1] + box[3]
    if turn == 90:  # (x, y) -> (y, W - x)
        x0, y0, x1, y1 = y0, width - x1, y1, width - x0
    elif turn == 180:
        x0, y0, x1, y1 = width - x1, height - y1, width - x0, height - y0
    elif turn == 270:  # (x, y) -> (H - y, x)
        x0, y0, x1, y1 = height - y1, x0, height - y0, x1
    return [x0, y0, x1 - x0, y1 - y0]


def turned_set(gt: dict, turn: int) -> dict:
    """The COCO dict of ``gt`` with every page turned by ``turn``."""
    images = []
    for img in gt["images"]:
        w, h = img["width"], img["height"]
        images.append({**img, "width": h if turn in (90, 270) else w,
                       "height": w if turn in (90, 270) else h})
    sizes = {img["id"]: (img["width"], img["height"]) for img in gt["images"]}
    anns = [{**a, "bbox": turn_box(a["bbox"], turn, *sizes[a["image_id"]])}
            for a in gt["annotations"] if a["image_id"] in sizes]
    return {**gt, "images": images, "annotations": anns}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="gsa_leases,tobacco800_signatures,cheques,signatures_misc")
    ap.add_argument("--split", default="val")
    ap.add_argument("--root", type=Path, default=DATASETS)
    ap.add_argument("--limit", type=int, default=0, help="pages per set (0 = all)")
    ap.add_argument("--modes", default="none,heuristic,auto")
    ap.add_argument("--model", default=None, help="pretrained model name (default: shipped)")
    ap.add_argument("--orientation-weights", help="classifier ONNX (default: the shipped one)")
    ap.add_argument("--json", type=Path, help="write the numbers here")
    args = ap.parse_args()
    modes = args.modes.split(",")
    extra: dict = {"model": args.model} if args.model else {}
    if args.orientation_weights:
        extra["orientation_weights"] = args.orientation_weights
    processors = {m: PageProcessor(Options(orientation=m, threads=None, **extra)) for m in modes}
    size = next(iter(processors.values())).input_size
    report = []
    for name in args.sets.split(","):
        gt = merge_coco([args.root / name / f"{args.split}.json"])
        if args.limit:
            gt["images"] = gt["images"][: args.limit]
            keep = {img["id"] for img in gt["images"]}
            gt["annotations"] = [a for a in gt["annotations"] if a["image_id"] in keep]
        preds = {(m, t): {} for m in modes for t in TURNS}
        turned_upright = dict.fromkeys(modes, 0)
        for img in gt["images"]:
            page = next(iter_pages(img["file_name"], max_side=size, errors="raise"))
            full_w, full_h = page.width, page.height
            for t in TURNS:
                image = page.image.rotate(t, expand=True) if t else page.image
                full = (full_h, full_w) if t in (90, 270) else (full_w, full_h)
                turned = Page(source=img["file_name"], index=0, image=image, full_size=full)
                for m in modes:
                    regions, angle, _ = processors[m].detect(turned)
                    preds[(m, t)][img["id"]] = regions
                    turned_upright[m] += t == 0 and angle != 0
        for t_group, turns in (("upright", (0,)), ("turned", (90, 180, 270))):
            for m in modes:
                # the three turned copies of each page are scored together as one set
                images, anns, merged = [], [], {}
                for t in turns:
                    g = turned_set(gt, t)
                    images += [{**i, "id": i["id"] + t * 100000} for i in g["images"]]
                    anns += [{**a, "image_id": a["image_id"] + t * 100000}
                             for a in g["annotations"]]
                    merged.update({k + t * 100000: v for k, v in preds[(m, t)].items()})
                res = evaluate_predictions({**gt, "images": images, "annotations": anns}, merged)
                row = {"set": name, "pages": t_group, "mode": m,
                       "upright_pages_turned": turned_upright[m] if t_group == "upright" else None,
                       "signed_accuracy": res.signed_accuracy}
                for label, cm in res.per_class.items():
                    if cm.gt:
                        row[f"{label}_ap50"] = round(cm.ap50, 3)
                report.append(row)
                cells = "  ".join(
                    f"{k[:-5]} {v:.3f}" for k, v in row.items() if k.endswith("_ap50")
                )
                extra_txt = (f"  upright pages turned {turned_upright[m]}/{len(gt['images'])}"
                             if t_group == "upright" else "")
                sa = (f"  signed {res.signed_accuracy:.3f}"
                      if res.signed_accuracy is not None else "")
                print(f"{name}/{args.split} {t_group:8s} {m:9s} {cells}{sa}{extra_txt}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What fools the model on generated hard negatives: false alarms per kind of printed distractor.

    penmark synth --count 200 --seed 100000 --hard-negative-fraction 1.0 --out data/hardneg
    python scripts/false_alarm_sources.py --data data/hardneg/annotations.json \\
        [--weights m.onnx] [--threshold 0.35] [--cache runs/preds-x.json] [--sheet fa.png]

Each prediction at the threshold is a false alarm (the pages hold no writing); it is put down to
the distractor (typed or script fill-in, script letterhead or block, stamp, logo) that holds most
of it, or to ``other print`` (body text, rules, barcodes...). The same cache format as
``scripts/threshold_sweep.py``. ``--sheet`` also saves every false alarm as a crop (with some
page around it, captioned with label, score and source) on one contact sheet, to look at.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from penmark.evaluate import cached_predictions, merge_coco
from penmark.runtime import Detector
from penmark.runtime.detector import DEFAULT_THRESHOLD
from penmark.synth.dataset import contact_sheet


def captioned_crop(path: str, box: tuple[float, float, float, float], caption: str,
                   width: int = 720) -> Image.Image:
    """The box with 24 px of page around it, scaled to ``width`` (so every caption on a sheet is
    the same size), under a caption strip."""
    with Image.open(path) as im:
        x0, y0, x1, y1 = box
        crop = im.convert("RGB").crop((max(0, int(x0) - 24), max(0, int(y0) - 24),
                                       min(im.width, int(x1) + 24), min(im.height, int(y1) + 24)))
    crop = crop.resize((width, max(1, round(crop.height * width / crop.width))))
    out = Image.new("RGB", (width, crop.height + 34), "white")
    out.paste(crop, (0, 34))
    ImageDraw.Draw(out).text((4, 4), caption, fill=(180, 0, 0), font=ImageFont.load_default(24))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--weights", type=Path)
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--sheet", type=Path, help="PNG: every false alarm as a captioned crop")
    args = ap.parse_args()
    det = (
        Detector(args.weights, threshold=0.01)
        if args.weights
        else Detector.pretrained(threshold=0.01)
    )
    gt = merge_coco([args.data])
    files = [img["file_name"] for img in gt["images"]]
    preds = cached_predictions(det.detect, files, args.cache)
    blame: Counter[tuple[str, str]] = Counter()
    drawn: Counter[str] = Counter()
    crops: list[Image.Image] = []
    for img in gt["images"]:
        ds = img.get("distractors", [])
        drawn.update(d["kind"] for d in ds)
        for r in preds[img["file_name"]]:
            if r.score < args.threshold:
                continue
            x0, y0, x1, y1 = r.box
            area = max(1.0, (x1 - x0) * (y1 - y0))
            best, kind = 0.0, "other print"
            for d in ds:
                a0, b0, a1, b1 = d["box"]
                inter = max(0.0, min(x1, a1) - max(x0, a0)) * max(0.0, min(y1, b1) - max(y0, b0))
                if inter / area > max(best, 0.3):
                    best, kind = inter / area, d["kind"]
            blame[(kind, r.label)] += 1
            if args.sheet:
                name = Path(img["file_name"]).name
                caption = f"{r.label} {r.score:.2f} | {kind} | {name}"
                crops.append(captioned_crop(img["file_name"], r.box, caption))
    pages = len(gt["images"])
    total = sum(blame.values())
    print(f"{total} false alarms on {pages} pages ({total / pages:.2f}/page) at {args.threshold}")
    print("| source | drawn | handwritten | signature | per page |")
    print("|---|---:|---:|---:|---:|")
    for kind in sorted(
        {k for k, _ in blame} | set(drawn),
        key=lambda k: -sum(blame[(k, lab)] for lab in ("handwritten", "signature")),
    ):
        hw, sig = blame[(kind, "handwritten")], blame[(kind, "signature")]
        print(f"| {kind} | {drawn.get(kind, '')} | {hw} | {sig} | {(hw + sig) / pages:.2f} |")
    if args.sheet and crops:
        title = f"{total} false alarms on {pages} hard-negative pages at {args.threshold}"
        contact_sheet(crops, cols=4, thumb_w=360, title=title).save(args.sheet)
        print(f"-> {args.sheet}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

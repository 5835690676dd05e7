"""How accuracy holds when real scans get worse: the val pages degraded on purpose, scored.

    python benchmarks/robustness.py [--sets gsa_leases,tobacco800_signatures,cheques] \\
        [--model NAME | --weights FILE] [--only lowres,jpeg] [--json out.json]

Real pages in the wild are often worse than the shared val scans: faxed at 100 dpi, saved as
heavy JPEG, thresholded to black and white by a copier, slightly out of focus, or noisy. Each
degradation below is applied to every val page (deterministic: same pixels every run) and the
pages are scored with the same AP50 / AP50:95 as ``penmark evaluate`` (boxes scaled with the
page where the size changes). A large drop names a gap the generator should cover.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from penmark.evaluate import evaluate_predictions, merge_coco
from penmark.runtime import Detector
from penmark.runtime.detector import DEFAULT_THRESHOLD

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def lowres(image: Image.Image, factor: float = 0.5) -> Image.Image:
    """Scanned at half the resolution (200 -> 100 dpi): fewer pixels per stroke."""
    w, h = image.size
    return image.resize((max(1, round(w * factor)), max(1, round(h * factor))), Image.BILINEAR,
                        reducing_gap=2.0)


def jpeg(image: Image.Image, quality: int = 20) -> Image.Image:
    """Saved as a heavy JPEG (blocking and ringing around strokes)."""
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def bitonal(image: Image.Image) -> Image.Image:
    """Thresholded to pure black and white by a copier or fax (light ink breaks up)."""
    g = np.asarray(image.convert("L"), np.uint8)
    return Image.fromarray(np.where(g < 150, 0, 255).astype(np.uint8)).convert("RGB")


def blur(image: Image.Image, radius: float = 1.5) -> Image.Image:
    """Slightly out of focus (a phone, a worn scanner)."""
    return image.filter(ImageFilter.GaussianBlur(radius))


def noise(image: Image.Image, sigma: float = 18.0, seed: int = 0) -> Image.Image:
    """Sensor / fax speckle: Gaussian noise on every pixel."""
    a = np.asarray(image, np.float32)
    a = a + np.random.default_rng(seed).normal(0, sigma, a.shape[:2])[..., None]
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def faint(image: Image.Image, gain: float = 0.45) -> Image.Image:
    """A light photocopy: every dark pixel pulled towards the paper (ink at ~45 % contrast)."""
    a = np.asarray(image, np.float32)
    paper = np.percentile(a, 90)
    return Image.fromarray(np.clip(paper - (paper - a) * gain, 0, 255).astype(np.uint8))


DEGRADATIONS: dict[str, tuple[Callable[[Image.Image], Image.Image], float]] = {
    # name: (transform, scale of the page's pixel grid)
    "clean": (lambda im: im, 1.0),
    "lowres": (lowres, 0.5),
    "jpeg": (jpeg, 1.0),
    "bitonal": (bitonal, 1.0),
    "blur": (blur, 1.0),
    "noise": (noise, 1.0),
    "faint": (faint, 1.0),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="gsa_leases,tobacco800_signatures,cheques")
    ap.add_argument("--split", default="val")
    ap.add_argument("--root", type=Path, default=DATASETS)
    ap.add_argument("--model", default=None, help="pretrained model name (default: shipped)")
    ap.add_argument("--weights", type=Path, default=None, help="an ONNX detector file instead")
    ap.add_argument("--only", default=",".join(DEGRADATIONS), help="degradations to run")
    ap.add_argument("--json", type=Path, help="write the numbers here")
    args = ap.parse_args()
    kw = {"threshold": 0.01}
    det = (Detector(args.weights, **kw) if args.weights
           else Detector.pretrained(args.model, **kw) if args.model else Detector.pretrained(**kw))
    names = [n for n in args.only.split(",") if n]
    unknown = set(names) - set(DEGRADATIONS)
    if unknown:
        ap.error(f"unknown degradations {sorted(unknown)}; known: {', '.join(DEGRADATIONS)}")
    report = []
    print(f"model {det.name}; AP50 (AP50:95) per set and class; signed accuracy at "
          f"{DEFAULT_THRESHOLD}")
    for set_name in args.sets.split(","):
        gt = merge_coco([args.root / set_name / f"{args.split}.json"])
        for deg in names:
            fn, scale = DEGRADATIONS[deg]
            g = gt
            if scale != 1.0:
                g = {**gt,
                     "images": [{**i, "width": round(i["width"] * scale),
                                 "height": round(i["height"] * scale)} for i in gt["images"]],
                     "annotations": [{**a, "bbox": [v * scale for v in a["bbox"]],
                                      "area": a.get("area", a["bbox"][2] * a["bbox"][3])
                                      * scale * scale} for a in gt["annotations"]]}
            preds = {}
            for img in gt["images"]:
                with Image.open(img["file_name"]) as im:
                    page = fn(im.convert("RGB"))
                preds[img["id"]] = det.detect(page)
            res = evaluate_predictions(g, preds)
            row = {"set": set_name, "degradation": deg, "signed_accuracy": res.signed_accuracy}
            cells = []
            for label, cm in res.per_class.items():
                if cm.gt:
                    row[label] = {"ap50": round(cm.ap50, 3), "ap": round(cm.ap, 3)}
                    cells.append(f"{label} {cm.ap50:.3f} ({cm.ap:.3f})")
            if res.signed_accuracy is not None:
                cells.append(f"signed {res.signed_accuracy:.3f}")
            report.append(row)
            print(f"{set_name}/{args.split} {deg:8s} " + "  ".join(cells), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

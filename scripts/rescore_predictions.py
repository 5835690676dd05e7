"""Rescore cached detector predictions with a verifier (no detector run).

    python scripts/rescore_predictions.py --cache runs/preds-v5int8.json \\
        --verifier runs/verifier/verifier.onnx --out runs/preds-v5int8-verified.json
    python scripts/threshold_sweep.py --cache runs/preds-v5int8-verified.json --data ...

The cache is the JSON that ``scripts/threshold_sweep.py --cache`` writes (file name -> regions
at threshold 0.01); the output has the same form, with each region's score replaced as the
runtime replaces it (penmark.runtime.verify.Verifier.rescore); regions the detector scored below
``--min-score`` are dropped (with the 0.5 weight they could not end above sqrt(min-score)).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.progress import track

from penmark.formats import region_from_dict, region_to_dict
from penmark.io import load_image
from penmark.runtime.verify import Verifier, parse_veto, parse_weights


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", required=True)
    ap.add_argument("--verifier", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-score", type=float, default=0.03,
                    help="drop regions the detector scored lower (they end below 0.18 anyway)")
    ap.add_argument("--weight", help="verifier weight w, one or per label "
                    "(handwritten=0.5,signature=0); default: the file's own")
    ap.add_argument("--veto-at",
                    help="veto rule: p >= this bar leaves the score alone; one number or per "
                    "label (handwritten=0.5,signature=0.2); default: the file's own")
    args = ap.parse_args()
    verifier = Verifier(args.verifier)
    if args.weight is not None:
        verifier.label_weights = parse_weights(args.weight, verifier.labels)
    if args.veto_at is not None:
        verifier.veto_at = parse_veto(args.veto_at, verifier.labels)
    preds = json.loads(Path(args.cache).read_text())
    out = {}
    for name, regions in track(preds.items(), description="rescoring", transient=True):
        regs = [region_from_dict(d) for d in regions if d["score"] >= args.min_score]
        out[name] = [region_to_dict(r) for r in verifier.rescore(load_image(name), regs)]
    Path(args.out).write_text(json.dumps(out))


if __name__ == "__main__":
    main()

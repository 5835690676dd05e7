"""Orientation check on real scans: every page of the shared labelled sets, turned 0/90/180/270.

    python benchmarks/orientation_real.py --sets gsa_leases,tobacco800_signatures --split val
    python benchmarks/orientation_real.py --method learned --sets cheques --split val
    python benchmarks/orientation_real.py --method learned --degrade bitonal --split val

Pages are shrunk to the detector's 1024-px input first (as the pipeline does). Prints accuracy per
set and turn, how often a turned page was wrongly left unturned (safe failure) vs turned wrong,
and the median cost.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

from PIL import Image
from robustness import DEGRADATIONS  # benchmarks/robustness.py, beside this script

from penmark.runtime.orientation import OrientationClassifier, detect_orientation

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="gsa_leases,tobacco800_signatures")
    ap.add_argument("--split", default="val")
    ap.add_argument("--root", type=Path, default=DATASETS)
    ap.add_argument("--limit", type=int, default=0, help="Pages per set (0 = all).")
    ap.add_argument("--method", choices=("heuristic", "learned"), default="heuristic",
                    help="Projection heuristic or the learned classifier.")
    ap.add_argument("--weights", help="Classifier ONNX (learned; default: the shipped one).")
    ap.add_argument("--min-confidence", type=float, default=0.5,
                    help="Learned: turn only when the classifier is at least this sure.")
    ap.add_argument("--degrade", default="clean", choices=sorted(DEGRADATIONS),
                    help="Degrade every page first, as benchmarks/robustness.py does.")
    args = ap.parse_args()
    degrade = DEGRADATIONS[args.degrade][0]
    check = detect_orientation
    if args.method == "learned":
        check = OrientationClassifier(args.weights, min_confidence=args.min_confidence,
                                      num_threads=1)
    times = []
    for name in args.sets.split(","):
        files = sorted((args.root / name / args.split).glob("*"))
        if args.limit:
            files = files[: args.limit]
        outcome: Counter = Counter()
        upright_turned = 0
        wrong = []
        for f in files:
            with Image.open(f) as im:
                page = degrade(im.convert("RGB"))
            s = 1024 / max(page.size)
            page = page.resize((round(page.width * s), round(page.height * s)), Image.BILINEAR,
                               reducing_gap=2.0)
            for turn in (0, 90, 180, 270):
                t = time.perf_counter()
                found = check(page.rotate(turn, expand=True))
                times.append(time.perf_counter() - t)
                want = (-turn) % 360
                if found.angle == want:
                    outcome["right"] += 1
                elif found.angle == 0:
                    outcome["left as is"] += 1
                    wrong.append((f.name, turn, found))
                else:
                    outcome["turned wrong"] += 1
                    upright_turned += turn == 0
                    wrong.append((f.name, turn, found))
        total = sum(outcome.values())
        print(f"{name}/{args.split} ({args.degrade}): {len(files)} pages x 4 turns: "
              f"{outcome['right']}/{total} right, {outcome['left as is']} left as is, "
              f"{outcome['turned wrong']} turned wrong "
              f"({upright_turned} of them upright pages)")
        for w in wrong[:8]:
            print("   ", w)
    if times:
        print(f"median {1000 * statistics.median(times):.1f} ms per check")


if __name__ == "__main__":
    main()

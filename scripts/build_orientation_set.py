"""Build page sets for ``penmark train-orientation``: grey upright page copies (1024-px long side).

    python scripts/build_orientation_set.py real --out data/orient/real-train.npz
    python scripts/build_orientation_set.py synth --seeds 700000:702000 --out data/orient/synth.npz

``real`` takes every page of the train splits of the shared sets (their pages are upright);
``synth`` generates pages with the generator's own quarter turns off. Keep the seeds away from
the evaluation sets (hard negatives 100000+, held-out 300000+).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from penmark.train.orientation import build_real, build_synthetic

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
SETS = "gsa_leases,tobacco800_signatures,cheques,signatures_misc"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=("real", "synth"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--root", type=Path, default=DATASETS)
    ap.add_argument("--sets", default=SETS)
    ap.add_argument("--split", default="train")
    ap.add_argument("--seeds", default="700000:702000", help="START:END of generated pages.")
    args = ap.parse_args()
    t = time.time()
    if args.kind == "real":
        pages = build_real([args.root / n / f"{args.split}.json" for n in args.sets.split(",")])
    else:
        start, end = (int(v) for v in args.seeds.split(":"))
        pages = build_synthetic(range(start, end))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pages.save(args.out)
    print(f"{len(pages.pages)} pages -> {args.out} in {time.time() - t:.0f} s")


if __name__ == "__main__":
    main()

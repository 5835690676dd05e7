"""Build the verifier's training (or check) crops from what a detector proposes.

    python scripts/build_verifier_set.py --data ../shared/datasets/cheques/train.json ... \\
        --out data/verifier/real-train.npz
    python scripts/build_verifier_set.py --synth-count 1200 --synth-seed 500000 --workers 2 \\
        --out data/verifier/synth.npz
    python scripts/build_verifier_set.py --synth-count 1500 --synth-seed 510000 --workers 2 \\
        --hard-negative-fraction 1.0 --out data/verifier/print-510000.npz   # print only

Real pages: every COCO file given (use train splits for training, val splits only to report).
Generated pages: seeds ``synth-seed ..`` (keep them away from the evaluation seeds 100000+ and
300000+). See penmark.train.verifier for how crops are labelled.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

from penmark.runtime import Detector
from penmark.synth import SynthConfig
from penmark.train.verifier import CropSet, build_real, build_synthetic


def _detector(args) -> Detector:
    kw = {"threshold": args.threshold, "num_threads": 1}
    return Detector(args.weights, **kw) if args.weights else Detector.pretrained(args.model, **kw)


def _synth_part(job) -> CropSet:
    args, seeds = job
    config = SynthConfig(hard_negative_fraction=args.hard_negative_fraction)
    return build_synthetic(seeds, _detector(args), args.threshold, config)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", action="append", default=[], help="COCO json (repeatable)")
    ap.add_argument("--synth-count", type=int, default=0)
    ap.add_argument("--synth-seed", type=int, default=500000)
    ap.add_argument("--hard-negative-fraction", type=float,
                    default=SynthConfig.hard_negative_fraction,
                    help="share of generated pages that carry only print (1.0: negatives only)")
    ap.add_argument("--weights", help="detector ONNX (default: the shipped model)")
    ap.add_argument("--model", default="penmark-hw-sig-v5")
    ap.add_argument("--threshold", type=float, default=0.1, help="proposal threshold")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    parts = []
    if args.data:
        parts.append(build_real(args.data, _detector(args), args.threshold))
    if args.synth_count:
        seeds = list(range(args.synth_seed, args.synth_seed + args.synth_count))
        chunks = [(args, seeds[i :: args.workers]) for i in range(args.workers)]
        with ProcessPoolExecutor(args.workers) as ex:
            parts += list(ex.map(_synth_part, chunks))
    data = CropSet.concat(parts)
    data.save(args.out)
    pos = (data.targets == 1).sum(0)
    neg = (data.targets == 0).sum(0)
    print(f"{len(data.targets)} crops -> {args.out}; positives {pos.tolist()}, negatives "
          f"{neg.tolist()} (handwritten, signature)")


if __name__ == "__main__":
    main()

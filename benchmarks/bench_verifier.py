"""What the verifier costs on real pages: detect() with and without it, one thread.

    python benchmarks/bench_verifier.py --data ../shared/datasets/gsa_leases/val.json \\
        --data ../shared/datasets/cheques/val.json --pages 40

The pipeline benchmark (bench_pipeline.py) runs generated pages with little handwriting; here
the pages are real val pages with filled-in fields, so the verifier has regions to look at.
Reports ms/page (median and mean, page already decoded) and regions verified per page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from penmark.io import load_image
from penmark.runtime import Detector


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", action="append", required=True, help="COCO json (repeatable)")
    ap.add_argument("--model", default=None, help="model with a verifier (default: shipped)")
    ap.add_argument("--pages", type=int, default=40)
    args = ap.parse_args()
    files = []
    for path in args.data:
        coco = json.loads(Path(path).read_text())
        files += [str(Path(path).parent / im["file_name"]) for im in coco["images"]]
    files = files[:: max(1, len(files) // args.pages)][: args.pages]
    pages = [load_image(f) for f in files]
    kw = {"num_threads": 1}
    with_v = Detector.pretrained(args.model, **kw) if args.model else Detector.pretrained(**kw)
    if with_v.verifier is None:
        raise SystemExit(f"{with_v.name} has no verifier")
    without = Detector(with_v.weights, verifier=False, **kw)
    verified = []
    orig = with_v.verifier.probabilities

    def counting(image, boxes):
        verified.append(len(boxes))
        return orig(image, boxes)

    with_v.verifier.probabilities = counting
    rows = {}
    for name, det in (("detector alone", without), ("detector + verifier", with_v)):
        det.detect(pages[0])  # warm-up
        verified.clear()
        times = []
        for im in pages:
            t = time.perf_counter()
            det.detect(im)
            times.append((time.perf_counter() - t) * 1000)
        rows[name] = (statistics.median(times), statistics.mean(times))
    n = len(pages)
    print(f"{n} real pages ({', '.join(Path(p).parent.name for p in args.data)}), "
          f"{with_v.name}, 1 thread, page already decoded")
    print("| | median ms/page | mean ms/page |\n|---|---:|---:|")
    for name, (med, mean) in rows.items():
        print(f"| {name} | {med:.0f} | {mean:.0f} |")
    print(f"regions verified per page: {sum(verified) / n:.1f} (max {max(verified, default=0)})")


if __name__ == "__main__":
    main()

"""What the verifier and the print check cost on real pages: detect() with and without, one thread.

    python benchmarks/bench_verifier.py --data ../shared/datasets/gsa_leases/val.json \\
        --data ../shared/datasets/cheques/val.json --pages 40

The pipeline benchmark (bench_pipeline.py) runs generated pages with little handwriting; here
the pages are real val pages with filled-in fields, so the verifier has regions to look at.
Reports ms/page (median and mean, page already decoded) for the detector alone, with the
verifier, and with the verifier and the print check (penmark.runtime.twins), and how many regions
each looks at per page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from penmark.io import load_image
from penmark.runtime import Detector, twins


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
    with_pc = Detector.pretrained(args.model, **kw) if args.model else Detector.pretrained(**kw)
    if with_pc.verifier is None:
        raise SystemExit(f"{with_pc.name} has no verifier")
    with_v = Detector(with_pc.weights, print_check=False, name=with_pc.name, **kw)
    without = Detector(with_pc.weights, verifier=False, print_check=False, **kw)
    verified: list[int] = []
    checked: list[int] = []
    orig = with_pc.verifier.probabilities  # counted on the last run, which has both
    orig_twins = twins.region_twins

    def counting(image, boxes):
        verified.append(len(boxes))
        return orig(image, boxes)

    def counting_twins(gray, box, **kw):
        checked[-1] += 1
        return orig_twins(gray, box, **kw)

    with_pc.verifier.probabilities = counting
    twins.region_twins = counting_twins
    rows = {}
    runs = (("detector alone", without), ("detector + verifier", with_v),
            ("detector + verifier + print check", with_pc))
    for name, det in runs:
        det.detect(pages[0])  # warm-up
        verified.clear()
        checked.clear()
        times = []
        for im in pages:
            checked.append(0)
            t = time.perf_counter()
            det.detect(im)
            times.append((time.perf_counter() - t) * 1000)
        rows[name] = (statistics.median(times), statistics.mean(times))
    n = len(pages)
    print(f"{n} real pages ({', '.join(Path(p).parent.name for p in args.data)}), "
          f"{with_pc.name}, 1 thread, page already decoded")
    print("| | median ms/page | mean ms/page |\n|---|---:|---:|")
    for name, (med, mean) in rows.items():
        print(f"| {name} | {med:.0f} | {mean:.0f} |")
    print(f"regions verified per page: {sum(verified) / n:.1f} (max {max(verified, default=0)})")
    print(f"regions print-checked per page: {sum(checked) / n:.1f} (max {max(checked, default=0)})")


if __name__ == "__main__":
    main()

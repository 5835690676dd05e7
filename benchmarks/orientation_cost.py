"""Cost and accuracy of the orientation check on generated 200-dpi letter pages.

    python benchmarks/orientation_cost.py --pages 20 [--method learned|heuristic]

For each page and each turn (0/90/180/270, with a small random skew) times the check
(``--method learned``: the shipped classifier, as ``--orientation auto`` uses it; ``heuristic``:
:func:`penmark.runtime.orientation.detect_orientation`) on the 1024-px copy the pipeline passes
it, on one thread, and counts how often the right rotation is found.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from PIL import Image

from penmark.cli.bench import make_page
from penmark.runtime.orientation import OrientationClassifier, detect_orientation


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--method", choices=("learned", "heuristic"), default="learned")
    args = ap.parse_args()
    check = detect_orientation
    if args.method == "learned":
        check = OrientationClassifier(num_threads=1)
    rng = random.Random(0)
    times, right, total = [], 0, 0
    for i in range(args.pages):
        page = make_page(i)
        skew = rng.uniform(-5, 5)
        page = page.rotate(skew, fillcolor=(250, 250, 247), resample=Image.BILINEAR)
        page = page.resize((792, 1024), Image.BILINEAR, reducing_gap=2.0)  # as the pipeline does
        for turn in (0, 90, 180, 270):
            shown = page.rotate(turn, expand=True)
            t = time.perf_counter()
            found = check(shown)
            times.append(time.perf_counter() - t)
            right += found.angle == (-turn) % 360
            total += 1
    print(f"orientation ({args.method}): {right}/{total} right; "
          f"{1000 * statistics.median(times):.1f} ms median, {1000 * max(times):.1f} ms max")


if __name__ == "__main__":
    main()

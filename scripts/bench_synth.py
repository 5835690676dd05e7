#!/usr/bin/env python3
"""Measure penmark.synth generation speed on one core.

    python scripts/bench_synth.py [--count 100] [--size 1700x2200]

Reports wall-clock pages/s and CPU pages/s (``time.process_time`` of this single process, which
is what one core delivers when the machine is shared) and the split print / ink / scan effects
(from ``page.meta['seconds']``). The first page (font loading, noise image) is excluded.
"""

from __future__ import annotations

import argparse
import time

from penmark.synth import SynthConfig, generate_page


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--size", default="1700x2200")
    ap.add_argument("--seed", type=int, default=1000)
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    cfg = SynthConfig(size=(w, h))
    generate_page(args.seed - 1, cfg)  # warm-up
    parts = {"print": 0.0, "ink": 0.0, "scan": 0.0}
    t, c = time.perf_counter(), time.process_time()
    for i in range(args.count):
        p = generate_page(args.seed + i, cfg)
        for k, v in p.meta["seconds"].items():
            parts[k] += v
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"{args.count} pages {w}x{h}: wall {args.count / wall:.1f} pages/s, "
          f"cpu {args.count / cpu:.1f} pages/s ({1000 * cpu / args.count:.0f} ms cpu/page)")
    tot = sum(parts.values())
    print("wall split: " + ", ".join(f"{k} {100 * v / tot:.0f}% ({1000 * v / args.count:.0f} ms)"
                                      for k, v in parts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

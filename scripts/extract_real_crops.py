#!/usr/bin/env python3
"""Build the real signature / handwriting crop cache for penmark.synth from TRAIN splits only.

    python scripts/extract_real_crops.py [--datasets DIR] [--out assets_cache/real_crops]

Crops are matted (alpha from darkness) PNGs; the cache is not committed (Tobacco800 terms are
unclear). Point ``PENMARK_CROP_CACHE`` at a non-default ``--out``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from penmark.synth.config import SynthConfig
from penmark.synth.realink import build_crop_cache, default_crop_cache


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", type=Path, default=SynthConfig().datasets_dir)
    ap.add_argument("--out", type=Path, default=default_crop_cache())
    args = ap.parse_args()
    out = build_crop_cache(args.datasets, args.out)
    print(out, json.loads((out / "index.json").read_text())["counts"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

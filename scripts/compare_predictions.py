#!/usr/bin/env python3
"""Is model B really better or worse than model A on these val pages? A paired bootstrap.

    python scripts/compare_predictions.py --a runs/preds-A.json --b runs/preds-B.json \
        --data $D/gsa_leases/val.json --data $D/cheques/val.json [--rounds 2000]

Both caches come from ``scripts/threshold_sweep.py --cache`` (predictions at 0.01 keyed by file
name). Per set and pooled (the union of the sets, as the release rule uses it), per class:
AP50 of A and B, B - A, the 95 % interval of B - A when the pages are resampled with
replacement (the same pages for both models), and the share of resamples where B is not worse.
An interval that straddles 0 by a lot means the val pages cannot tell the two apart.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from penmark.evaluate import merge_coco, paired_bootstrap
from penmark.formats import region_from_dict


def _by_id(gt: dict, cache: dict, path: Path) -> dict:
    out = {}
    for img in gt["images"]:
        if img["file_name"] not in cache:
            raise SystemExit(f"{path}: no predictions for {img['file_name']}")
        out[img["id"]] = [region_from_dict(d) for d in cache[img["file_name"]]]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", type=Path, required=True, help="prediction cache of model A")
    ap.add_argument("--b", type=Path, required=True, help="prediction cache of model B")
    ap.add_argument("--data", type=Path, action="append", required=True)
    ap.add_argument("--rounds", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    a, b = json.loads(args.a.read_text()), json.loads(args.b.read_text())
    sets = [(f"{p.parent.name}/{p.stem}", merge_coco([p])) for p in args.data]
    sets = [(n, gt) for n, gt in sets if gt["annotations"]]
    if len(sets) > 1:
        sets.append(("pooled", merge_coco([p for p in args.data
                                           if merge_coco([p])["annotations"]])))
    print(f"A = {args.a}\nB = {args.b}\n")
    print("| data | class | GT | AP50 A | AP50 B | B - A | 95 % interval | B not worse |")
    print("|---|---|---:|---:|---:|---:|---|---:|")
    for name, gt in sets:
        rows = paired_bootstrap(gt, _by_id(gt, a, args.a), _by_id(gt, b, args.b),
                                rounds=args.rounds, seed=args.seed)
        for label, r in rows.items():
            print(f"| {name} | {label} | {r['gt']} | {r['ap50_a']:.3f} | {r['ap50_b']:.3f} | "
                  f"{r['diff']:+.3f} | [{r['low']:+.3f}, {r['high']:+.3f}] | "
                  f"{r['b_not_worse']:.0%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

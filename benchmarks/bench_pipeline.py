"""End-to-end pipeline benchmark (the same code as ``penmark bench``), results kept in git.

    python benchmarks/bench_pipeline.py --pages 30 --workers 1,2 --out benchmarks/results

Give ``--weights`` more than once to measure several models in the same run (the shipped model
and the one it replaces, say), so that machine load cannot pass for a speed change:

    python benchmarks/bench_pipeline.py --weights new.onnx --weights old.onnx

Writes ``<out>/pipeline-<date>.json`` and ``.md`` (the table pasted into README.md), plus the
machine facts that make the numbers comparable: CPU count, load average at start and end (other
jobs on a shared machine slow every number down).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
from pathlib import Path

from penmark.cli.bench import run_bench, to_markdown


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--inputs", default="jpeg,pdf")
    ap.add_argument("--orientation", default="auto", choices=("auto", "none"))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    ap.add_argument(
        "--weights",
        action="append",
        help="ONNX file instead of the shipped model; repeat to compare models in one run.",
    )
    args = ap.parse_args()
    load_before = os.getloadavg()
    reports = [
        run_bench(
            pages=args.pages,
            workers=tuple(int(w) for w in args.workers.split(",")),
            kinds=tuple(args.inputs.split(",")),
            orientation=args.orientation,
            weights=w,
        )
        for w in (args.weights or [None])
    ]
    report = reports[0] if len(reports) == 1 else {"models": reports}
    report["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_avg_before": [round(v, 2) for v in load_before],
        "load_avg_after": [round(v, 2) for v in os.getloadavg()],
    }
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"pipeline-{stamp}.json").write_text(json.dumps(report, indent=1))
    md = "\n\n".join(f"### {r['weights']}\n\n{to_markdown(r)}" for r in reports) + (
        f"\n\nMachine: {report['machine']['cpus']} CPUs, load average "
        f"{report['machine']['load_avg_before'][0]} before / "
        f"{report['machine']['load_avg_after'][0]} after.\n"
    )
    (args.out / f"pipeline-{stamp}.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()

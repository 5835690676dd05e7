"""``penmark bench``: end-to-end speed of the real pipeline on generated 200-dpi letter pages.

Why generated pages: the numbers must be reproducible anywhere, offline. Pages are US-letter
text pages with a drawn signature, saved as JPEG (a phone/scanner archive) and as one scanned-style
PDF (JPEG page images), then run through exactly what ``penmark detect`` runs: read/render ->
orientation -> detect, in worker processes with one ONNX thread each.

Reported per configuration (input kind x workers): pages/s over the whole run including worker
start-up, p50/p95 per-page latency inside a worker (read + orientation + detect), and the peak RSS
of a worker. Also the detector alone and the orientation step alone, per page, on one thread.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from penmark.runtime.detector import DEFAULT_MODEL

LETTER_200DPI = (1700, 2200)


def make_page(seed: int, size: tuple[int, int] = LETTER_200DPI):
    """A letter page of printed lines with a handwritten-looking scribble signature."""
    from PIL import Image, ImageDraw, ImageFont

    rnd = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size, (250, 250, 247))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=30)
    words = "the of and to in is that for it as was with be by on not he this are or".split()
    y = 180
    while y < h - 500:
        line = " ".join(rnd.choice(words) for _ in range(rnd.randint(6, 14)))
        draw.text((150, y), line.capitalize(), fill=(20, 20, 20), font=font)
        y += 48
    x0, y0 = 1000, h - 380
    pts = [(x0 + i * 12, y0 + 60 * abs(((i * 7) % 20) / 10 - 1)) for i in range(45)]
    draw.line(pts, fill=(20, 40, 150), width=5)
    return img


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
    return s[k]


def _run(
    paths: list[Path], workers: int, orientation: str, dpi: float, weights: str | None = None
) -> dict:
    from penmark.io.sources import Source
    from penmark.pipeline import Options
    from penmark.runtime.batch import BatchRunner, plan

    options = Options(orientation=orientation, dpi=dpi, weights=weights)
    sources = [Source(str(p), p.name) for p in paths]
    tasks = plan(sources, options)
    t0 = time.perf_counter()
    first = None
    latencies, cpu, rss, failed = [], [], [], 0
    for _, outcome in BatchRunner(options, workers=workers, processes=True).run(tasks):
        if first is None:
            first = time.perf_counter() - t0
        latencies.append(outcome.seconds)
        cpu.append(outcome.cpu_seconds)
        rss.append(outcome.peak_rss_kb)
        failed += not outcome.result.ok
    wall = time.perf_counter() - t0
    n = len(latencies)
    return {
        "pages": n,
        "failed": failed,
        "workers": workers,
        "wall_s": round(wall, 2),
        "pages_per_s": round(n / wall, 2),
        "first_page_s": round(first or 0.0, 2),
        "p50_ms": round(1000 * _percentile(latencies, 50)),
        "p95_ms": round(1000 * _percentile(latencies, 95)),
        "peak_rss_mb_per_worker": round(max(rss or [0]) / 1024),
        # CPU time per page is what the page costs without other jobs on the machine: it gives
        # the throughput the same workers reach on an otherwise idle machine with enough cores
        "cpu_ms_per_page": round(1000 * statistics.median(cpu)) if cpu else 0,
        "idle_pages_per_s": round(workers / statistics.median(cpu), 2) if cpu else 0.0,
    }


def run_bench(
    pages: int = 30,
    workers: tuple[int, ...] = (1, 2),
    kinds: tuple[str, ...] = ("jpeg", "pdf"),
    orientation: str = "auto",
    dpi: float = 200,
    workdir: Path | None = None,
    weights: str | None = None,
) -> dict:
    """Generate the pages, run every configuration, return a JSON-able report."""
    import onnxruntime
    from PIL import Image

    from penmark.pipeline import Options, PageProcessor
    from penmark.redact import ImagePdfWriter
    from penmark.runtime import Detector

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        root = Path(tmp)
        jpegs = []
        for i in range(pages):
            p = root / f"page{i:03d}.jpg"
            make_page(i).save(p, "JPEG", quality=85)
            jpegs.append(p)
        pdf = root / "scan.pdf"
        with open(pdf, "wb") as fh:
            writer = ImagePdfWriter(fh, quality=85)
            for p in jpegs:
                writer.add_jpeg(p.read_bytes(), 612, 792)
            writer.close()

        det = Detector(weights, num_threads=1) if weights else Detector.pretrained(num_threads=1)
        sample = [Image.open(p).convert("RGB") for p in jpegs[: min(8, pages)]]
        det.detect(sample[0])  # warm-up
        t = time.perf_counter()
        for im in sample:
            det.detect(im)
        detect_ms = 1000 * (time.perf_counter() - t) / len(sample)
        # the pipeline checks orientation on the copy already shrunk for the detector
        small = [
            im.resize(
                (
                    round(im.width * det.input_size / max(im.size)),
                    round(im.height * det.input_size / max(im.size)),
                ),
                Image.BILINEAR,
                reducing_gap=2.0,
            )
            for im in sample
        ]
        check = PageProcessor(Options(orientation=orientation, threads=1), detector=det)
        check.check_orientation(small[0])  # loads the classifier, if the mode uses it
        t = time.perf_counter()
        for im in small:
            check.check_orientation(im)
        orient_ms = 1000 * (time.perf_counter() - t) / len(small)
        del det, sample, small

        runs = []
        for kind in kinds:
            paths = jpegs if kind == "jpeg" else [pdf]
            for w in workers:
                res = _run(paths, w, orientation, dpi, weights)
                res["input"] = "200-dpi letter JPEG" if kind == "jpeg" else f"PDF at {dpi:g} dpi"
                runs.append(res)
    return {
        "pages": pages,
        "weights": weights or f"{DEFAULT_MODEL} (shipped)",
        "orientation": orientation,
        "detector_ms_per_page_1_thread": round(detect_ms),
        "orientation_ms_per_page": round(orient_ms, 1),
        "onnxruntime": onnxruntime.__version__,
        "runs": runs,
    }


def to_markdown(report: dict) -> str:
    lines = [
        "| input | workers | pages/s | p50 ms/page | p95 ms/page | CPU ms/page | "
        "pages/s if idle | peak RSS MB/worker |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in report["runs"]:
        lines.append(
            f"| {r['input']} | {r['workers']} | {r['pages_per_s']} | {r['p50_ms']} | "
            f"{r['p95_ms']} | {r['cpu_ms_per_page']} | {r['idle_pages_per_s']} | "
            f"{r['peak_rss_mb_per_worker']} |"
        )
    lines.append("")
    lines.append(
        f"Detector alone: {report['detector_ms_per_page_1_thread']} ms/page on one thread; "
        f"orientation check: {report['orientation_ms_per_page']} ms/page "
        f"({report['pages']} pages per run, orientation={report['orientation']})."
    )
    return "\n".join(lines)


def bench(
    pages: Annotated[int, typer.Option(min=1, help="Pages per configuration.")] = 30,
    workers: Annotated[str, typer.Option(help="Worker counts to try, e.g. 1,2.")] = "1,2",
    kinds: Annotated[str, typer.Option("--inputs", help="jpeg, pdf or both.")] = "jpeg,pdf",
    orientation: Annotated[
        str, typer.Option(help="auto, learned, heuristic or none.")
    ] = "auto",
    dpi: Annotated[float, typer.Option(help="PDF rendering resolution.")] = 200,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write JSON here.")] = None,
    weights: Annotated[
        Path | None, typer.Option(help="An ONNX detector file instead of the shipped one.")
    ] = None,
) -> None:
    """Measure pages/s, p50/p95 latency per page and peak RSS per worker on generated pages."""
    try:
        worker_list = tuple(int(w) for w in workers.split(",") if w.strip())
        kind_list = tuple(k.strip() for k in kinds.split(",") if k.strip())
    except ValueError:
        typer.echo("error: --workers takes numbers, e.g. 1,2", err=True)
        raise typer.Exit(2) from None
    if not worker_list or min(worker_list) < 1 or set(kind_list) - {"jpeg", "pdf"}:
        typer.echo("error: --workers must be >= 1 and --inputs jpeg and/or pdf", err=True)
        raise typer.Exit(2)
    from penmark.pipeline import ORIENTATION_MODES

    if orientation not in ORIENTATION_MODES:
        typer.echo(f"error: --orientation must be one of {', '.join(ORIENTATION_MODES)}", err=True)
        raise typer.Exit(2)
    if weights is not None and not weights.is_file():
        typer.echo(f"error: --weights {weights}: no such file", err=True)
        raise typer.Exit(2)
    report = run_bench(
        pages, worker_list, kind_list, orientation, dpi, weights=str(weights) if weights else None
    )
    typer.echo(to_markdown(report))
    if json_out is not None:
        json_out.write_text(json.dumps(report, indent=1), encoding="utf-8")


__all__ = ["bench", "make_page", "run_bench", "to_markdown"]

"""``penmark detect``: documents in (images, TIFFs, PDFs, folders, globs, stdin), every output out.

JSON Lines (one object per page, the 0.1 schema) is the primary, streamed output and the resume
log for ``--skip-done``; COCO, CSV and summaries are derived from the same page results through
:mod:`penmark.formats`. Exit codes: 0 every page succeeded, 1 some page failed (its error is in
the output), 2 usage error (bad option, no inputs, unknown model or label).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from penmark.runtime.detector import DEFAULT_MODEL, DEFAULT_THRESHOLD

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def _usage(msg: str) -> typer.Exit:
    typer.echo(f"error: {msg}", err=True)
    return typer.Exit(EXIT_USAGE)


def _split_labels(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    out = [v.strip() for item in values for v in item.split(",") if v.strip()]
    return tuple(out) or None


def read_done(path: Path) -> tuple[set[tuple[str, int]], list]:
    """``(source, page)`` of pages already written without error to a JSONL output, and their
    results (so COCO/summary files of a resumed run still cover the whole batch). A truncated
    last line (run killed mid-write) is ignored and that page is redone."""
    from penmark.formats import page_from_dict

    done: set[tuple[str, int]] = set()
    results = []
    if not path.exists():
        return done, results
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(d, dict) and "error" not in d and "source" in d:
                key = (d["source"], int(d.get("page", 0)))
                if key not in done:
                    done.add(key)
                    results.append(page_from_dict(d))
    return done, results


def _repair_tail(path: Path) -> None:
    """Drop a partial last line so appended lines start on a fresh line."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as fh:
        fh.seek(-1, 2)
        if fh.read(1) == b"\n":
            return
        data = path.read_bytes()
        cut = data.rfind(b"\n") + 1
        fh.truncate(cut)


def _progress(enabled: bool, total: int):
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("[bold]pages"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>6.2f} pages/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[failed]}"),
        console=Console(stderr=True),
        transient=False,
    )
    progress.start()
    progress.add_task("pages", total=total, rate=0.0, failed="")
    return progress


def detect(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Images, TIFFs, PDFs, folders (recursive), globs ('a/**/*.pdf'), - for stdin.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="JSON Lines file, one object per page (default stdout)."
        ),
    ] = None,
    threshold: Annotated[float, typer.Option(help="Minimum score.")] = DEFAULT_THRESHOLD,
    labels: Annotated[
        list[str] | None,
        typer.Option("--labels", help="Keep only these labels (repeat or comma-separate)."),
    ] = None,
    model: Annotated[str, typer.Option(help="Pretrained model name.")] = DEFAULT_MODEL,
    weights: Annotated[
        Path | None, typer.Option(help="An ONNX detector file to use instead of --model.")
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify/--no-verify",
            help="Rescore regions with the model's verifier, if it has one (--no-verify: the "
            "detector alone, faster, more false alarms on printed script).",
        ),
    ] = True,
    print_check: Annotated[
        bool,
        typer.Option(
            "--print-check/--no-print-check",
            help="Halve the score of handwritten regions whose glyphs repeat pixel for pixel, "
            "as only print does (lines set in handwriting fonts, typed dates).",
        ),
    ] = True,
    dpi: Annotated[float, typer.Option(help="PDF rendering resolution (dots per inch).")] = 200,
    pages: Annotated[
        str | None,
        typer.Option("--pages", help="PDF/TIFF pages, 1-based, e.g. 1-3,7 (default all)."),
    ] = None,
    password: Annotated[str | None, typer.Option(help="Password for encrypted PDFs.")] = None,
    orientation: Annotated[
        str,
        typer.Option(
            help="auto: find pages turned 90/180/270 degrees (a turn after which nothing is "
            "found is undone if the page as displayed has regions); learned: the orientation "
            "classifier alone; heuristic: the older projection heuristic alone; none: trust "
            "the page."
        ),
    ] = "auto",
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Worker processes.")] = 1,
    threads: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="ONNX threads per worker (default 1: use --workers for more cores).",
        ),
    ] = 1,
    skip_done: Annotated[
        bool,
        typer.Option(
            "--skip-done", help="Resume: skip pages already in --output, append the rest."
        ),
    ] = False,
    coco: Annotated[
        Path | None,
        typer.Option(help="Write a full COCO dataset (images + annotations) to this file."),
    ] = None,
    coco_results: Annotated[
        Path | None, typer.Option("--coco-results", help="Write a COCO results list to this file.")
    ] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write CSV, one row per region, to this file.")
    ] = None,
    summary_path: Annotated[
        Path | None,
        typer.Option(
            "--summary", help="Write per-page and per-document summaries (signed, counts)."
        ),
    ] = None,
    draw: Annotated[
        Path | None, typer.Option(help="Write annotated copies to this folder.")
    ] = None,
    colors: Annotated[
        str | None,
        typer.Option(help="Box colours per label, e.g. handwritten=red,signature=#0050ff."),
    ] = None,
    line_width: Annotated[int | None, typer.Option(min=1, help="Box line width in pixels.")] = None,
    font_size: Annotated[int | None, typer.Option(min=4, help="Label font size in pixels.")] = None,
    filled: Annotated[
        bool, typer.Option("--filled/--outline", help="Fill boxes (translucent).")
    ] = False,
    fill_alpha: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Fill opacity, 1 = solid.")
    ] = 0.35,
    show_labels: Annotated[
        bool, typer.Option("--show-labels/--no-labels", help="label:score text.")
    ] = True,
    show_scores: Annotated[
        bool, typer.Option("--show-scores/--no-scores", help="Score in text.")
    ] = True,
    save_pages: Annotated[
        Path | None,
        typer.Option(
            "--save-pages",
            help="Save every page image (as displayed) here; COCO file_name then points at them.",
        ),
    ] = None,
    crop: Annotated[
        Path | None, typer.Option(help="Write one image per region to this folder.")
    ] = None,
    crop_pad: Annotated[int, typer.Option(min=0, help="Pixels added around each crop.")] = 0,
    redact: Annotated[
        Path | None,
        typer.Option(
            help="Write copies with regions painted over to this folder (PDFs as image PDFs)."
        ),
    ] = None,
    redact_labels: Annotated[
        list[str] | None,
        typer.Option(
            "--redact-labels", help="Labels to paint over (default: every detected label)."
        ),
    ] = None,
    redact_color: Annotated[str, typer.Option(help="Redaction colour.")] = "black",
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress", help="Progress bar (default: only on a terminal)."
        ),
    ] = None,
) -> None:
    """Detect handwriting and signatures; write one JSON object per page.

    Exit status: 0 all pages succeeded, 1 some pages failed (errors are in the output),
    2 usage error.
    """
    from penmark.draw import parse_color, parse_colors
    from penmark.formats import (
        CSV_FIELDS,
        coco_dataset,
        coco_results_from_pages,
        csv_rows,
        page_to_jsonl,
        summary,
    )
    from penmark.io import expand_inputs, parse_page_ranges
    from penmark.pipeline import ORIENTATION_MODES, Options
    from penmark.runtime import available_models
    from penmark.runtime.batch import BatchRunner, count_pages, plan

    # ---- validate options (exit 2) ------------------------------------------------------
    if orientation not in ORIENTATION_MODES:
        raise _usage(f"--orientation must be one of {', '.join(ORIENTATION_MODES)}")
    if weights is not None and not weights.is_file():
        raise _usage(f"--weights {weights}: no such file")
    if model not in available_models():
        raise _usage(f"unknown model {model!r}; available: {available_models()}")
    keep = _split_labels(labels)
    red_labels = _split_labels(redact_labels)
    from penmark.region import LABELS

    for name in (keep or ()) + (red_labels or ()):
        if name not in LABELS:
            raise _usage(f"unknown label {name!r}; expected one of {list(LABELS)}")
    try:
        page_list = parse_page_ranges(pages)
        color_table = parse_colors(colors)
        red_color = parse_color(redact_color)
    except ValueError as exc:
        raise _usage(str(exc)) from None
    if dpi <= 0 or dpi > 1200:
        raise _usage("--dpi must be in 1..1200")
    if skip_done and output is None:
        raise _usage("--skip-done needs --output FILE (the file it resumes from)")
    if inputs.count("-") > 1:
        raise _usage("- (stdin) can be given only once")
    sources, warnings = expand_inputs(inputs)
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    if not sources:
        raise _usage("no input documents found")

    options = Options(
        model=model,
        weights=str(weights) if weights else None,
        verify=verify,
        print_check=print_check,
        threshold=threshold,
        labels=keep,
        dpi=dpi,
        pages=tuple(page_list) if page_list is not None else None,
        orientation=orientation,
        password=password,
        threads=threads,
        draw_dir=str(draw) if draw else None,
        colors=color_table,
        line_width=line_width,
        font_size=font_size,
        filled=filled,
        fill_alpha=fill_alpha,
        show_labels=show_labels,
        show_scores=show_scores,
        pages_dir=str(save_pages) if save_pages else None,
        crop_dir=str(crop) if crop else None,
        crop_pad=crop_pad,
        redact_dir=str(redact) if redact else None,
        redact_labels=red_labels,
        redact_color=red_color,
    )

    done: set[tuple[str, int]] = set()
    previous: list = []
    if skip_done and output is not None:
        done, previous = read_done(output)
        _repair_tail(output)
    tasks = plan(sources, options, done)
    total = count_pages(tasks)

    out = output.open("a" if skip_done else "w", encoding="utf-8") if output else sys.stdout
    csv_fh = None
    csv_writer = None
    if csv_path is not None:
        append = skip_done and csv_path.exists() and csv_path.stat().st_size > 0
        csv_fh = csv_path.open("a" if append else "w", newline="", encoding="utf-8")
        csv_writer = csv.DictWriter(csv_fh, fieldnames=CSV_FIELDS)
        if not append:
            csv_writer.writeheader()

    show = progress if progress is not None else sys.stderr.isatty()
    bar = _progress(show and total > 0, total)
    # COCO/summary need every page at the end; otherwise pages are not kept (huge batches)
    keep_results = coco is not None or coco_results is not None or summary_path is not None
    results = list(previous)
    n_new = 0
    failed = 0
    t0 = time.perf_counter()
    try:
        runner = BatchRunner(options, workers=workers)
        for n_new, (_, outcome) in enumerate(runner.run(tasks), start=1):
            res = outcome.result
            if keep_results:
                results.append(res)
            failed += not res.ok
            out.write(page_to_jsonl(res) + "\n")
            out.flush()
            if csv_writer is not None:
                csv_writer.writerows(csv_rows(res))
            if bar is not None:
                rate = n_new / max(time.perf_counter() - t0, 1e-9)
                note = f"{failed} failed" if failed else ""
                bar.update(bar.task_ids[0], advance=1, rate=rate, failed=note)
    except KeyboardInterrupt:
        typer.echo("interrupted: rerun with --skip-done to resume", err=True)
        raise typer.Exit(130) from None
    finally:
        if bar is not None:
            bar.stop()
        if output:
            out.close()
        if csv_fh is not None:
            csv_fh.close()

    if coco is not None:
        _write_json(coco, coco_dataset(results))
    if coco_results is not None:
        _write_json(coco_results, coco_results_from_pages(results))
    if summary_path is not None:
        _write_json(summary_path, summary(results))
    if show or output is not None:
        skipped = f", {len(done)} skipped (done before)" if done else ""
        typer.echo(
            f"{n_new} pages, {failed} failed{skipped}, {time.perf_counter() - t0:.1f} s",
            err=True,
        )
    raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)


def _write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)

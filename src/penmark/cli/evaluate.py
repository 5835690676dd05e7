"""``penmark evaluate``: COCO AP per class on a labelled COCO file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from penmark.runtime.detector import DEFAULT_MODEL, DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from penmark.region import Region
    from penmark.runtime import Detector


def evaluate(
    data: list[Path] = typer.Option(
        ..., "--data", help="COCO json with labeled_categories. Repeatable."
    ),
    weights: Path | None = typer.Option(None, help="ONNX file (default: the shipped model)."),
    model: str = typer.Option(DEFAULT_MODEL, help="Pretrained model name."),
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD, help="Threshold for precision/recall and 'signed'."
    ),
    input_size: int | None = typer.Option(None, help="Override the model's input long side."),
    json_out: Path | None = typer.Option(None, "--json", help="Write metrics as JSON here."),
    merged: bool = typer.Option(False, help="Also score the union of all --data files as one set."),
    verify: bool = typer.Option(
        True, "--verify/--no-verify", help="Use the model's verifier, if it has one."
    ),
    print_check: bool = typer.Option(
        True, "--print-check/--no-print-check", help="Use the print check (penmark.runtime.twins)."
    ),
    orientation: str = typer.Option(
        "none",
        help="none: score the pages as they are (the model alone); auto, learned or heuristic: "
        "read and orient each page as `penmark detect` does, to score what a user of the CLI "
        "gets.",
    ),
) -> None:
    """Score the detector: AP50, AP50:95, precision/recall at the threshold, signed accuracy."""
    from rich.progress import track

    from penmark.evaluate import EvalResult, evaluate_predictions, format_table, merge_coco
    from penmark.pipeline import ORIENTATION_MODES
    from penmark.runtime import Detector

    if orientation not in ORIENTATION_MODES:
        typer.echo(f"error: --orientation must be one of {', '.join(ORIENTATION_MODES)}", err=True)
        raise typer.Exit(2)
    kw = {
        "threshold": 0.01,
        "input_size": input_size,
        "verifier": None if verify else False,
        "print_check": print_check,
    }
    det = Detector(weights, **kw) if weights else Detector.pretrained(model, **kw)
    detect = det.detect if orientation == "none" else _pipeline_detect(det, orientation, threshold)
    rows: list[tuple[str, EvalResult]] = []
    all_preds: dict[str, list] = {}
    for path in data:
        name = f"{path.parent.name}/{path.stem}"
        gt = merge_coco([path])
        preds = {}
        for img in track(gt["images"], description=name, transient=True):
            file = img["file_name"]
            if file not in all_preds:
                all_preds[file] = detect(file)
            preds[img["id"]] = all_preds[file]
        rows.append((name, evaluate_predictions(gt, preds, threshold)))
    if merged and len(data) > 1:
        gt = merge_coco(data)
        preds = {img["id"]: all_preds[img["file_name"]] for img in gt["images"]}
        rows.append(
            (
                "+".join(f"{p.parent.name}/{p.stem}" for p in data),
                evaluate_predictions(gt, preds, threshold),
            )
        )
    typer.echo(format_table(rows))
    if json_out:
        json_out.write_text(json.dumps({n: r.to_dict() for n, r in rows}, indent=2))


def _pipeline_detect(
    det: Detector, orientation: str, threshold: float
) -> Callable[[str], list[Region]]:
    """``file -> regions`` the way ``penmark detect`` gets them: the page read at the detector's
    input size, then :meth:`penmark.pipeline.PageProcessor.detect` (orientation included). The
    orientation decision uses ``threshold``; regions down to the detector's 0.01 are kept for
    AP."""
    from penmark.io.documents import iter_pages
    from penmark.pipeline import Options, PageProcessor

    proc = PageProcessor(Options(orientation=orientation, threshold=threshold), detector=det)

    def detect(path: str) -> list[Region]:
        page = next(iter_pages(path, max_side=proc.input_size, errors="raise"))
        return proc.detect(page)[0]

    return detect

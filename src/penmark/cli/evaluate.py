"""``penmark evaluate``: COCO AP per class on a labelled COCO file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from penmark.runtime.detector import DEFAULT_MODEL, DEFAULT_THRESHOLD


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
) -> None:
    """Score the detector: AP50, AP50:95, precision/recall at the threshold, signed accuracy."""
    from rich.progress import track

    from penmark.evaluate import EvalResult, evaluate_predictions, format_table, merge_coco
    from penmark.runtime import Detector

    kw = {"threshold": 0.01, "input_size": input_size, "verifier": None if verify else False}
    det = Detector(weights, **kw) if weights else Detector.pretrained(model, **kw)
    rows: list[tuple[str, EvalResult]] = []
    all_preds: dict[str, list] = {}
    for path in data:
        name = f"{path.parent.name}/{path.stem}"
        gt = merge_coco([path])
        preds = {}
        for img in track(gt["images"], description=name, transient=True):
            preds[img["id"]] = all_preds.setdefault(img["file_name"], det.detect(img["file_name"]))
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

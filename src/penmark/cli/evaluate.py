"""``penmark evaluate``: COCO AP per class on a labelled COCO file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer


def evaluate(
    data: list[Path] = typer.Option(..., "--data", help="COCO json with labeled_categories. Repeatable."),
    weights: Optional[Path] = typer.Option(None, help="ONNX file (default: the shipped model)."),
    model: str = typer.Option("penmark-hw-sig-v1", help="Pretrained model name."),
    threshold: float = typer.Option(0.25, help="Threshold for precision/recall and 'signed'."),
    input_size: Optional[int] = typer.Option(None, help="Override the model's input long side."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write metrics as JSON here."),
) -> None:
    """Score the detector: AP50, AP50:95, precision/recall at the threshold, signed accuracy."""
    from rich.progress import track

    from penmark.evaluate import EvalResult, evaluate_dataset, format_table
    from penmark.runtime import Detector

    det = (
        Detector(weights, threshold=0.01, input_size=input_size)
        if weights
        else Detector.pretrained(model, threshold=0.01, input_size=input_size)
    )
    rows: list[tuple[str, EvalResult]] = []
    for path in data:
        name = f"{path.parent.name}/{path.stem}"
        result = evaluate_dataset(
            path, det.detect, threshold,
            wrap=lambda it, n=name: track(it, description=n, transient=True),
        )
        rows.append((name, result))
    typer.echo(format_table(rows))
    if json_out:
        json_out.write_text(json.dumps({n: r.to_dict() for n, r in rows}, indent=2))

"""``penmark detect``: JSON Lines (one object per page) for files and folders."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif", ".pdf"}


def _expand(inputs: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in inputs:
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in IMAGE_SUFFIXES)
        else:
            out.append(p)
    return out


def detect(
    inputs: list[Path] = typer.Argument(..., help="Image files or folders (searched recursively)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="JSON Lines file (default stdout)."),
    threshold: float = typer.Option(0.25, help="Minimum score."),
    labels: Optional[list[str]] = typer.Option(None, "--labels", help="Keep only these labels."),
    model: str = typer.Option("penmark-hw-sig-v1", help="Pretrained model name."),
) -> None:
    """Detect handwriting and signatures; write one JSON object per page."""
    from penmark.formats import page_to_jsonl
    from penmark.io import InputError
    from penmark.region import PageResult
    from penmark.runtime import Detector

    try:
        det = Detector.pretrained(model, threshold=threshold, labels=labels)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    failed = 0
    try:
        for path in _expand(inputs):
            try:
                from penmark.io import load_image

                img = load_image(path)
                regions = det.detect(img)
                res = PageResult(str(path), 0, img.width, img.height, regions)
            except InputError as exc:
                res = PageResult(str(path), error=exc.reason)
                failed += 1
            out.write(page_to_jsonl(res) + "\n")
            out.flush()
    finally:
        if output:
            out.close()
    raise typer.Exit(1 if failed else 0)

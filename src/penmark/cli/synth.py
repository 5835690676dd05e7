"""``penmark synth``: write synthetic pages + COCO JSON, or a preview contact sheet."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer


def _parse_size(size: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in size.lower().split("x"))
    except ValueError as exc:
        raise typer.BadParameter(f"size must look like 1700x2200, got {size!r}") from exc
    if w < 64 or h < 64:
        raise typer.BadParameter("size must be at least 64x64")
    return w, h


def synth(
    count: Annotated[
        int, typer.Option("--count", "-n", help="Number of pages (default 12 with --preview).")
    ] = 100,
    out: Annotated[
        Optional[Path],  # noqa: UP045 - typer resolves Optional on py3.10
        typer.Option("--out", "-o", help="Output folder for images/ and annotations.json."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="First seed; page i uses seed + i.")] = 0,
    size: Annotated[str, typer.Option("--size", help="Page size WxH in pixels.")] = "1700x2200",
    preview: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--preview", help="Write a contact sheet PNG with boxes drawn."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", help="Worker processes.")] = 1,
    hard_negative_fraction: Annotated[
        float, typer.Option("--hard-negative-fraction", help="Share of print-only pages.")
    ] = 0.1,
    option: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--option", help="NAME=VALUE: a generator knob (penmark.synth.SynthConfig, "
                     "e.g. real_ink_fraction=0.6). Repeatable."),
    ] = None,
) -> None:
    """Generate synthetic document pages with exact handwriting/signature boxes."""
    from penmark.cli._assign import parse_assignments
    from penmark.synth import SynthConfig, generate_dataset, generate_page, render_preview

    cfg = SynthConfig(size=_parse_size(size), hard_negative_fraction=hard_negative_fraction)
    try:
        cfg = cfg.with_options(parse_assignments(option or [], "--option"))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--option") from None
    if out is None and preview is None:
        raise typer.BadParameter("give --out DIR and/or --preview OUT.png")
    if preview is not None:
        n = count if out is not None or count != 100 else 12
        n = min(n, 24)
        pages = [generate_page(seed + i, cfg) for i in range(n)]
        render_preview(pages, preview)
        typer.echo(f"preview of {n} pages -> {preview}")
    if out is not None:
        t0 = time.perf_counter()
        path = generate_dataset(out, count, seed=seed, config=cfg, workers=workers)
        dt = time.perf_counter() - t0
        typer.echo(f"{count} pages -> {path} ({count / max(dt, 1e-9):.1f} pages/s)")

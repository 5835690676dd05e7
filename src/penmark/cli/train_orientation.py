"""``penmark train-orientation``: train the page-orientation classifier (needs ``[train]``)."""

from __future__ import annotations

from pathlib import Path

import typer


def train_orientation(
    data: list[Path] = typer.Option(
        ..., "--data", help="Page set (.npz of grey upright pages, penmark.train.orientation "
        "build_real / build_synthetic). Repeatable."
    ),
    out: Path = typer.Option(Path("runs/orientation"), help="Output folder (last.pt, log, ONNX)."),
    steps: int = typer.Option(2500),
    batch: int = typer.Option(32),
    crop: int = typer.Option(256, help="Square training crop side, on the 1024-px page copy."),
    lr: float = typer.Option(2e-3),
    real_share: float = typer.Option(0.5, help="Share of crops drawn from real pages."),
    seed: int = typer.Option(0),
    threads: int = typer.Option(2, help="Torch threads."),
    widths: str = typer.Option("16,32,48,64,96", help="Channels of the five stages."),
    first_block: int = typer.Option(
        1, help="First stage (0-based) with a residual block; later = cheaper at run time."
    ),
) -> None:
    """Train the CNN that tells how a page is turned (penmark.runtime.orientation)."""
    from penmark.train.orientation import PageSet
    from penmark.train.orientation import train_orientation as fit

    pages = PageSet.load(*data)
    typer.echo(f"{len(pages.pages)} pages from {len(data)} set(s)")
    onnx_path = fit(pages, out, steps=steps, batch=batch, size=crop, lr=lr, seed=seed,
                    threads=threads, real_share=real_share,
                    widths=tuple(int(w) for w in widths.split(",")), first_block=first_block)
    typer.echo(f"wrote {onnx_path}")

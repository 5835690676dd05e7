"""``penmark train-verifier``: train the region verifier on crop sets (needs ``[train]``)."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def train_verifier(
    data: list[Path] = typer.Option(
        ..., "--data", help="Crop set (.npz from scripts/build_verifier_set.py). Repeatable."
    ),
    out: Path = typer.Option(Path("runs/verifier"), help="Output folder (last.pt, log, ONNX)."),
    epochs: float = typer.Option(4.0, help="Passes over the crops (drawn with replacement)."),
    batch: int = typer.Option(128),
    lr: float = typer.Option(2e-3),
    real_share: float = typer.Option(0.4, help="Share of crops drawn from real pages."),
    source_weight: list[str] = typer.Option(
        [], help="SOURCE=W: draw crops of one source (e.g. gsa_leases) W times as often "
        "within its real/generated share. Repeatable."
    ),
    seed: int = typer.Option(0),
    augment: bool = typer.Option(True, help="Random shift/scale, ink gamma, stroke width, noise."),
    widths: str = typer.Option("16,32,64,128", help="Channels of the four stages."),
    threads: int = typer.Option(2, help="Torch threads."),
    check: list[Path] = typer.Option(
        [], help="Crop sets to report AUC / accuracy on after training (e.g. from val splits)."
    ),
) -> None:
    """Train the crop classifier that rescores detector regions (penmark.runtime.verify)."""
    from penmark.cli._assign import parse_assignments
    from penmark.train.verifier import CropSet
    from penmark.train.verifier import check as check_set
    from penmark.train.verifier import train_verifier as fit

    try:
        weights = {k: float(v) for k, v in
                   parse_assignments(source_weight, "--source-weight").items()}
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--source-weight") from None
    crops = CropSet.load(*data)
    typer.echo(f"{len(crops.targets)} crops from {len(data)} set(s)")
    onnx_path = fit(crops, out, epochs=epochs, batch=batch, lr=lr, seed=seed, threads=threads,
                    real_share=real_share, augment=augment, source_weights=weights,
                    widths=tuple(int(w) for w in widths.split(",")))
    typer.echo(f"wrote {onnx_path}")
    for path in check:
        report = check_set(CropSet.load(path), onnx_path)
        (out / f"check-{path.stem}.json").write_text(json.dumps(report, indent=2))
        for key, row in report.items():
            typer.echo(f"{path.stem} {key}: {row}")

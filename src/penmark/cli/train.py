"""``penmark train``: train or resume the detector (needs ``pip install 'penmark[train]'``)."""

from __future__ import annotations

from pathlib import Path

import typer


def parse_crop(text: str) -> int | tuple[int, int]:
    """``"512"`` -> 512 (a square), ``"640x320"`` -> (640, 320) (width, height); sides must be
    positive multiples of 8, the network's output stride."""
    try:
        sides = [int(v) for v in text.lower().split("x")]
    except ValueError:
        sides = []
    if len(sides) not in (1, 2) or any(v <= 0 or v % 8 for v in sides):
        raise typer.BadParameter(f"{text!r}: give SIDE or WIDTHxHEIGHT, multiples of 8")
    return sides[0] if len(sides) == 1 else (sides[0], sides[1])


def train(
    data: list[str] = typer.Option(
        ...,
        "--data",
        help="COCO json or 'synth' (pages generated on the fly), with an optional sampling "
        "weight: path[:weight]. Repeatable.",
    ),
    out: Path = typer.Option(Path("runs/train"), help="Output folder (checkpoints, log, ONNX)."),
    steps: int = typer.Option(20_000, help="Total optimiser steps."),
    batch: int = typer.Option(8),
    crop: str = typer.Option(
        "512",
        help="Crop size in network pixels: a square side (512) or WIDTHxHEIGHT (640x320; wide "
        "crops show long written lines whole).",
    ),
    input_size: int = typer.Option(
        1024,
        help="Long side pages are resized to before cropping (times a random jitter); written "
        "into the exported model, which runs pages at this size.",
    ),
    lr: float = typer.Option(2e-3),
    model: str = typer.Option("penmark-s", help="Architecture name."),
    workers: int = typer.Option(1, help="Data-loader processes."),
    threads: int = typer.Option(2, help="Torch threads."),
    seed: int = typer.Option(0),
    save_every: int = typer.Option(200),
    keep_every: int = typer.Option(
        0, help="Also keep stepNNNNNN.pt (weights only) every N steps, for picking or averaging."
    ),
    warmup: int = typer.Option(300),
    resume: Path | None = typer.Option(None, help="Checkpoint to resume (model+optimiser+step)."),
    init: Path | None = typer.Option(None, help="Checkpoint to start from (weights only)."),
    synth_hard_negatives: float | None = typer.Option(
        None, help="Share of print-only (hard negative) synthetic pages; default: synth's own."
    ),
    focus: list[Path] | None = typer.Option(
        None,
        help="Mined false alarms on train pages (scripts/mine_hard_negatives.py): "
        "a share of crops is centred on them. Repeatable (rounds are merged).",
    ),
    focus_bias: float = typer.Option(0.3, help="Share of crops centred on a mined box."),
    stroke_jitter: float = typer.Option(
        0.0, help="Share of crops whose page gets thinner, thicker or fainter ink."
    ),
    scan_degrade: float = typer.Option(
        0.0, help="Share of crops whose page is thresholded, low-resolution, JPEG'd or blurred."
    ),
    ema: float = typer.Option(
        0.999, help="Decay of the exported weight average (EMA); 0 exports the raw weights."
    ),
    synth_option: list[str] = typer.Option(
        [],
        help="NAME=VALUE: a generator knob for the synth source (penmark.synth.SynthConfig, "
        "e.g. real_ink_fraction=0.6). Repeatable.",
    ),
) -> None:
    """Train the detector on COCO data (real sets and generated pages), with partial labels."""
    try:
        from penmark.train.loop import TrainConfig
        from penmark.train.loop import train as run
    except ModuleNotFoundError as exc:
        typer.echo(
            f"error: {exc.name} is missing; install with: pip install 'penmark[train]'", err=True
        )
        raise typer.Exit(2) from None
    from penmark.cli._assign import parse_assignments
    from penmark.synth import SynthConfig

    synth_options = parse_assignments(synth_option, "--synth-option")
    try:
        SynthConfig().with_options(synth_options)  # fail now, not in a data-loader worker
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--synth-option") from None
    sources = []
    for item in data:
        path, _, weight = item.partition(":")
        sources.append((path, float(weight) if weight else 1.0))
    cfg = TrainConfig(
        out=str(out),
        model=model,
        sources=sources,
        steps=steps,
        batch=batch,
        crop=parse_crop(crop),
        input_size=input_size,
        lr=lr,
        workers=workers,
        threads=threads,
        seed=seed,
        save_every=save_every,
        keep_every=keep_every,
        warmup=warmup,
        resume=str(resume) if resume else None,
        init=str(init) if init else None,
        synth_hard_negatives=synth_hard_negatives,
        ema=ema,
        focus=tuple(str(p) for p in focus or ()),
        focus_bias=focus_bias,
        stroke_jitter=stroke_jitter,
        scan_degrade=scan_degrade,
        synth_options=tuple(sorted(synth_options.items())),
    )
    path = run(cfg)
    typer.echo(f"done: {path}")

"""The training loop: resumable checkpoints, a JSON-lines log, periodic ONNX export.

Designed for long runs in the background on a CPU (``nohup penmark train ... &``): every
``save_every`` steps it writes ``last.pt`` (model, optimiser, step) and exports ``last.onnx``, so a
run can be killed at any time and resumed with ``--resume``.

The exported network is an exponential moving average (EMA) of the trained weights: with batches
of 8 crops the raw weights jitter from step to step, and their running average is a better and
steadier detector (the usual practice in YOLO-style training). ``ema=0`` exports the raw weights.
"""

from __future__ import annotations

import copy
import json
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from penmark.model import create_model
from penmark.model.export import export_onnx, training_metadata
from penmark.model.net import STRIDE
from penmark.runtime.detector import DEFAULT_MODEL
from penmark.train.data import CropDataset, SourceSpec, SynthSource, load_coco
from penmark.train.loss import detection_loss
from penmark.train.mining import attach_focus, load_mined


@dataclass
class TrainConfig:
    out: str = "runs/train"
    model: str = "penmark-s"
    # (coco path or "synth", weight): "synth" renders pages on the fly with penmark.synth
    sources: list[tuple[str, float]] = field(default_factory=list)
    steps: int = 20_000
    batch: int = 8
    crop: int | tuple[int, int] = 512  # square side or (width, height), network pixels
    input_size: int = 1024
    lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup: int = 300
    workers: int = 1
    threads: int = 2
    seed: int = 0
    save_every: int = 200
    keep_every: int = 0  # also keep stepNNNNNN.pt (exported weights only) this often; 0 = never
    log_every: int = 10
    resume: str | None = None
    init: str | None = None  # start weights (a .pt checkpoint), optimiser state not loaded
    export_name: str = DEFAULT_MODEL  # the name written into exported ONNX metadata
    synth_hard_negatives: float | None = None  # share of print-only synthetic pages (None: default)
    ema: float = 0.999  # decay of the exported weight average; 0 = export the raw weights
    focus: tuple[str, ...] = ()  # mined false alarms (JSONs from scripts/mine_hard_negatives.py)
    focus_bias: float = 0.3  # share of crops centred on a mined box, on pages that have some
    stroke_jitter: float = 0.0  # share of crops with thinner / thicker / fainter ink
    scan_degrade: float = 0.0  # share of crops thresholded / low-res / JPEG / blurred
    # generator knobs for the synth source, as text: (("real_ink_fraction", "0.6"), ...)
    synth_options: tuple[tuple[str, str], ...] = ()


def _lr(cfg: TrainConfig, step: int) -> float:
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    t = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return cfg.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))


def _collate(samples: list[dict[str, np.ndarray]]) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(np.stack([s[k] for s in samples])) for k in samples[0]}


def build_dataset(cfg: TrainConfig, start_step: int = 0) -> CropDataset:
    specs: list[SourceSpec | SynthSource] = []
    mined = load_mined(*cfg.focus) if cfg.focus else {}
    for path, weight in cfg.sources:
        if path == "synth":
            config = None
            if cfg.synth_hard_negatives is not None or cfg.synth_options:
                from penmark.synth import SynthConfig

                config = SynthConfig().with_options(dict(cfg.synth_options))
                if cfg.synth_hard_negatives is not None:
                    config.hard_negative_fraction = cfg.synth_hard_negatives
            specs.append(SynthSource(weight, config=config))
        else:
            records = load_coco(path)
            if mined:
                attach_focus(records, mined)
            specs.append(SourceSpec(Path(path), weight, name=str(path), records=records))
    # Distinct sample indices per step so a resumed run does not replay the same crops.
    return CropDataset(
        specs,
        crop=cfg.crop,
        input_size=cfg.input_size,
        focus_bias=cfg.focus_bias,
        seed=cfg.seed + start_step,
        stroke_jitter=cfg.stroke_jitter,
        scan_degrade=cfg.scan_degrade,
    )


class WeightAverage:
    """Exponential moving average of a model's weights (buffers such as batch-norm statistics
    are averaged too). The decay ramps up from 0 so that a fresh average is not dominated by
    the starting weights: ``min(decay, (1 + n) / (10 + n))`` after ``n`` updates."""

    def __init__(self, model: torch.nn.Module, decay: float, updates: int = 0) -> None:
        self.model = copy.deepcopy(model).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.decay = decay
        self.updates = updates

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        src = model.state_dict()
        for name, value in self.model.state_dict().items():
            if value.dtype.is_floating_point:
                value.mul_(d).add_(src[name].detach(), alpha=1 - d)
            else:
                value.copy_(src[name])


def save_checkpoint(
    path: Path, model, optimizer, step: int, cfg: TrainConfig, ema: WeightAverage | None = None
) -> None:
    tmp = path.with_suffix(".tmp")
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "step": step,
        "config": asdict(cfg),
    }
    if ema is not None:
        state["ema"] = ema.model.state_dict()
        state["ema_updates"] = ema.updates
    torch.save(state, tmp)
    tmp.replace(path)


def save_weights(path: Path, state: dict, step: int, config: dict) -> Path:
    """A weights-only checkpoint in fp16 (a few MB): release checkpoints
    (``checkpoints/<name>.pt``) and the ``--keep-every`` snapshots, which, unlike ``last.pt``,
    are not overwritten. ``penmark train --init``, ``scripts/export_release.py`` and
    ``scripts/average_weights.py`` read it."""
    half = {
        k: v.detach().half() if v.is_floating_point() else v.detach().clone()
        for k, v in state.items()
    }
    torch.save({"model": half, "step": step, "config": config}, path)
    return path


def load_weights(path: str | Path) -> tuple[dict, dict, int]:
    """The weights a checkpoint stands for (its weight average ``ema`` when it has one, else
    ``model``; fp16 in release files), its training ``config`` and ``step``: what
    :func:`save_weights` and the training checkpoints hold, as ``--init``, the export scripts and
    weight averaging read them."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    return ckpt.get("ema", ckpt["model"]), ckpt.get("config", {}), int(ckpt.get("step", 0))


def export(model, out: Path, cfg: TrainConfig, step: int) -> Path:
    was_training = model.training
    model.eval()
    path = export_onnx(
        model, out / "last.onnx", training_metadata(asdict(cfg), step, cfg.export_name)
    )
    model.train(was_training)
    return path


def train(cfg: TrainConfig) -> Path:
    """Run (or resume) training; returns the output folder."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    model = create_model(cfg.model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    step = 0
    if cfg.resume:
        ckpt = torch.load(cfg.resume, map_location="cpu", weights_only=False)
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        step = int(ckpt["step"])
    elif cfg.init:
        # the averaged weights are the ones that were exported: start from those
        state, _, _ = load_weights(cfg.init)
        model.load_state_dict({k: v.float() for k, v in state.items()})
    ema = None
    if cfg.ema > 0:
        ema = WeightAverage(model, cfg.ema)
        if cfg.resume and "ema" in ckpt:
            ema.model.load_state_dict(ckpt["ema"])
            ema.updates = int(ckpt.get("ema_updates", 0))
    (out / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
    dataset = build_dataset(cfg, start_step=step * cfg.batch)
    loader = DataLoader(
        dataset,
        batch_size=cfg.batch,
        shuffle=False,
        num_workers=cfg.workers,
        collate_fn=_collate,
        persistent_workers=cfg.workers > 0,
        prefetch_factor=4 if cfg.workers > 0 else None,
    )
    log = (out / "log.jsonl").open("a")
    model.train()
    t0, seen = time.time(), 0
    running: dict[str, float] = {}
    for batch in loader:
        if step >= cfg.steps:
            break
        for group in optimizer.param_groups:
            group["lr"] = _lr(cfg, step)
        heat, ltrb = model(batch["image"].float())
        loss, parts = detection_loss(heat, ltrb, batch, STRIDE)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        optimizer.step()
        if ema is not None:
            ema.update(model)
        step += 1
        seen += len(batch["image"])
        for k, v in {"loss": float(loss.detach()), **parts}.items():
            running[k] = 0.9 * running.get(k, v) + 0.1 * v
        if step % cfg.log_every == 0:
            rate = seen / (time.time() - t0)
            rec = {
                "step": step,
                "lr": round(_lr(cfg, step), 6),
                "crops_per_s": round(rate, 2),
                **{k: round(v, 4) for k, v in running.items()},
                "time": time.time(),
            }
            log.write(json.dumps(rec) + "\n")
            log.flush()
        if step % cfg.save_every == 0 or step >= cfg.steps:
            save_checkpoint(out / "last.pt", model, optimizer, step, cfg, ema)
            export(ema.model if ema else model, out, cfg, step)
        if cfg.keep_every and step % cfg.keep_every == 0:
            save_weights(
                out / f"step{step:06d}.pt",
                (ema.model if ema else model).state_dict(),
                step,
                asdict(cfg),
            )
    save_checkpoint(out / "last.pt", model, optimizer, step, cfg, ema)
    export(ema.model if ema else model, out, cfg, step)
    log.close()
    return out

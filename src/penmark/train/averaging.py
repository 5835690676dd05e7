"""Averaging the weights of finished checkpoints ("model soup").

Successive releases fine-tuned from one another sit in one loss basin, so their element-wise mean
is a valid network that often keeps what each was better at (v2 + v7 kept v2's handwriting and
v7's signatures, experiments/README.md). The running average during training is
:class:`penmark.train.loop.WeightAverage`; this is the after-the-fact one.
"""

from __future__ import annotations

from pathlib import Path

import torch

from penmark.train.loop import load_weights


def average_checkpoints(paths: list[Path]) -> tuple[dict[str, torch.Tensor], dict]:
    """The element-wise mean of the checkpoints' weights, and ``{"config", "step"}``.

    Each file contributes its weight average (``ema``) when it has one, else its ``model``
    weights (fp16 release checkpoints are widened); BatchNorm running statistics are averaged
    too, integer counters are taken from the first file; ``config`` is the first file's and
    ``step`` the largest. Files of different networks are refused, naming the file.
    """
    if not paths:
        raise ValueError("no checkpoints to average")
    states, config, step = [], {}, 0
    for p in paths:
        state, cfg, p_step = load_weights(p)
        states.append(state)
        config = config or cfg
        step = max(step, p_step)
    for p, s in zip(paths, states, strict=True):
        if set(s) != set(states[0]) or any(s[k].shape != v.shape for k, v in states[0].items()):
            raise ValueError(f"{p}: not the same network as {paths[0]}")
    out = {}
    for k, v in states[0].items():
        out[k] = torch.stack([s[k].float() for s in states]).mean(0) if v.is_floating_point() \
            else v.clone()
    return out, {"config": config, "step": step}

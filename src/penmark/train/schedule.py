"""Learning-rate schedule of the small classifiers (verifier, orientation): a linear warm-up
over the first ``warmup`` steps times a cosine decay to 0 over the run."""

from __future__ import annotations

import math


def warm_cosine(lr: float, step: int, steps: int, warmup: int = 100) -> float:
    """The learning rate at 0-based ``step`` of ``steps``."""
    return lr * 0.5 * (1 + math.cos(math.pi * step / steps)) * min(1.0, (step + 1) / warmup)

"""Real handwriting and signature crops (stub until the real-crop loader lands)."""

from __future__ import annotations

import random

from PIL import Image

from .config import SynthConfig


def real_handwriting(cfg: SynthConfig, rng: random.Random, height: float) -> Image.Image | None:
    return None


def real_signature(cfg: SynthConfig, rng: random.Random, width: int) -> Image.Image | None:
    return None

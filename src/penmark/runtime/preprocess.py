"""Page -> network input.

Why a fixed long side: the network is trained on pages resized so that their long side is
``input_size`` pixels (1024 by default: a 200-dpi letter page becomes ~93 dpi, where a 40 px
initial is still ~19 px, two output cells at stride 8). Inference uses the same scale so object
sizes match training. Pages are padded with white to a multiple of 32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Letterbox:
    """How a page was mapped into the network input (to map boxes back)."""

    scale_x: float  # network pixels per page pixel, horizontally (rounding makes x and y differ)
    scale_y: float
    width: int  # original page width
    height: int


def page_scale(width: int, height: int, input_size: int) -> float:
    return input_size / max(width, height)


def prepare(
    image: Image.Image, input_size: int = 1024, pad_multiple: int = 32
) -> tuple[np.ndarray, Letterbox]:
    """Resize ``image`` (RGB) to long side ``input_size``, pad to ``pad_multiple``; return
    a float32 ``(1, 3, H, W)`` array in 0..255 and the :class:`Letterbox`."""
    w, h = image.size
    scale = page_scale(w, h, input_size)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    resized = (
        image.resize((nw, nh), Image.BILINEAR, reducing_gap=2.0) if (nw, nh) != (w, h) else image
    )
    ph = -(-nh // pad_multiple) * pad_multiple
    pw = -(-nw // pad_multiple) * pad_multiple
    arr = np.full((ph, pw, 3), 255, dtype=np.uint8)
    arr[:nh, :nw] = np.asarray(resized.convert("RGB"))
    tensor = arr.transpose(2, 0, 1)[None].astype(np.float32)
    return tensor, Letterbox(scale_x=nw / w, scale_y=nh / h, width=w, height=h)

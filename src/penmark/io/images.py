"""Single images from paths, bytes, PIL images or numpy arrays."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ImageInput = str | os.PathLike | bytes | bytearray | Image.Image | np.ndarray

MAX_PIXELS = 16_000 * 16_000
"""Refuse larger images before decoding them (decompression bombs)."""


class InputError(ValueError):
    """An input could not be read; the message names the source and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit / 32-bit scans: 16-bit containers map 0..65535 -> 0..255; other integer or float
        # data is stretched by its own maximum (a mostly-white page keeps its white).
        arr = np.asarray(img, dtype=np.float32)
        hi = 65535.0 if img.mode.startswith("I;16") else max(float(arr.max()), 1.0)
        if hi <= 255.0:
            hi = 255.0
        img = Image.fromarray(np.clip(arr * (255.0 / hi), 0, 255).astype(np.uint8))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        return Image.alpha_composite(bg, img).convert("RGB")
    return img.convert("RGB")


def _open(data: io.BytesIO | str, name: str) -> Image.Image:
    try:
        img = Image.open(data)
        if img.width * img.height > MAX_PIXELS:
            raise InputError(name, f"image too large ({img.width}x{img.height} pixels)")
        img.seek(0)
        img.load()
        img = ImageOps.exif_transpose(img) or img
        return _to_rgb(img)
    except InputError:
        raise
    except Image.DecompressionBombError as exc:
        raise InputError(name, f"image too large: {exc}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputError(name, f"cannot read image: {exc}") from None


def load_image(source: ImageInput, name: str | None = None) -> Image.Image:
    """Return an RGB PIL image in display orientation (EXIF applied).

    Accepts a path, encoded bytes, a PIL image or an ``(H, W)`` / ``(H, W, 3|4)`` uint8 array
    (RGB channel order).
    """
    if isinstance(source, Image.Image):
        return _to_rgb(source)
    if isinstance(source, np.ndarray):
        arr = source
        if arr.dtype != np.uint8:
            raise InputError(name or "<array>", f"expected a uint8 array, got {arr.dtype}")
        if arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] in (1, 3, 4)):
            squeeze = arr.ndim == 3 and arr.shape[2] == 1
            return _to_rgb(Image.fromarray(arr.squeeze(-1) if squeeze else arr))
        raise InputError(name or "<array>", f"unsupported array shape {arr.shape}")
    if isinstance(source, (bytes, bytearray)):
        label = name or "<bytes>"
        if not source:
            raise InputError(label, "empty input (0 bytes)")
        return _open(io.BytesIO(bytes(source)), label)
    path = Path(source)
    label = name or str(path)
    if not path.exists():
        raise InputError(label, "no such file")
    if path.is_dir():
        raise InputError(label, "is a directory")
    if path.stat().st_size == 0:
        raise InputError(label, "empty file (0 bytes)")
    return _open(str(path), label)

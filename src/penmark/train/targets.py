"""Training targets for the TTFNet-style head, computed in numpy (in data-loader workers).

- ``heat``: per class, an elliptical Gaussian per box whose spread follows the box's width and
  height (so long handwritten lines get long peaks), exactly 1.0 at the box-centre cell.
- ``reg`` / ``reg_weight``: cells inside the box's central Gaussian area regress the box (xyxy, in
  crop pixels); weights are the Gaussian, normalised per box and scaled by log(area), so that
  every box contributes comparably whatever its size.
- ``ignore``: cells whose heat loss is not counted (boxes cut by the crop border).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ALPHA = 0.54  # Gaussian spread relative to box size (TTFNet)


@dataclass
class Targets:
    heat: np.ndarray  # (C, gh, gw) float32
    reg: np.ndarray  # (4, gh, gw) float32, xyxy in crop pixels
    reg_weight: np.ndarray  # (gh, gw) float32
    ignore: np.ndarray  # (C, gh, gw) float32, 1 = do not count


def _gaussian(gw: int, gh: int, cx: int, cy: int, sx: float, sy: float) -> np.ndarray:
    xs = np.arange(gw, dtype=np.float32) - cx
    ys = np.arange(gh, dtype=np.float32) - cy
    return np.exp(-(ys[:, None] ** 2) / (2 * sy * sy) - (xs[None, :] ** 2) / (2 * sx * sx))


def build_targets(
    boxes: np.ndarray,
    classes: np.ndarray,
    ignore_boxes: np.ndarray,
    ignore_classes: np.ndarray,
    size: tuple[int, int],
    num_classes: int,
    stride: int,
) -> Targets:
    """``boxes`` (N, 4) xyxy crop pixels, ``classes`` (N,) 0-based; ``size`` = (H, W) of the
    crop."""
    h, w = size
    gh, gw = h // stride, w // stride
    heat = np.zeros((num_classes, gh, gw), np.float32)
    reg = np.zeros((4, gh, gw), np.float32)
    reg_weight = np.zeros((gh, gw), np.float32)
    ignore = np.zeros((num_classes, gh, gw), np.float32)
    for (x0, y0, x1, y1), c in zip(ignore_boxes, ignore_classes, strict=True):
        gx0, gy0 = int(max(0, np.floor(x0 / stride))), int(max(0, np.floor(y0 / stride)))
        gx1, gy1 = int(min(gw, np.ceil(x1 / stride))), int(min(gh, np.ceil(y1 / stride)))
        ignore[int(c), gy0:gy1, gx0:gx1] = 1.0
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) if len(boxes) else []
    for i in np.argsort(-np.asarray(areas)) if len(boxes) else []:  # small boxes win overlaps
        x0, y0, x1, y1 = boxes[i]
        c = int(classes[i])
        bw, bh = (x1 - x0) / stride, (y1 - y0) / stride
        cx = int(np.clip((x0 + x1) / 2 / stride, 0, gw - 1))
        cy = int(np.clip((y0 + y1) / 2 / stride, 0, gh - 1))
        g = _gaussian(gw, gh, cx, cy, max(ALPHA * bw / 6, 0.35), max(ALPHA * bh / 6, 0.35))
        np.maximum(heat[c], g, out=heat[c])
        heat[c, cy, cx] = 1.0
        # Regression area: the Gaussian above 0.05 (box-shaped core), limited to the box itself.
        gx0, gy0 = int(np.floor(x0 / stride)), int(np.floor(y0 / stride))
        gx1, gy1 = int(np.ceil(x1 / stride)), int(np.ceil(y1 / stride))
        inside = np.zeros((gh, gw), bool)
        inside[max(0, gy0) : max(0, gy1), max(0, gx0) : max(0, gx1)] = True
        area_w = g * (g > 0.05) * inside
        area_w[cy, cx] = max(area_w[cy, cx], 1.0)
        total = area_w.sum()
        sel = area_w > 0
        reg[:, sel] = np.array([x0, y0, x1, y1], np.float32)[:, None]
        reg_weight[sel] = area_w[sel] / total * np.log(max(bw * bh, 1.0) + 1.0)
    return Targets(heat, reg, reg_weight, ignore)

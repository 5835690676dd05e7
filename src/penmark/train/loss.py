"""Loss: focal loss on the centre heatmap (with partial-label masks) + GIoU on boxes.

Partial labels: ``class_mask[b, c] = 0`` when class ``c`` was not labelled exhaustively on the
source image of sample ``b`` (``labeled_categories`` in COCO): that class's heatmap loss on that
sample is then zero, so e.g. handwriting predicted on Tobacco800 pages is not punished.
"""

from __future__ import annotations

import torch


def focal_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    mask: torch.Tensor,
    alpha: float = 2.0,
    beta: float = 4.0,
) -> torch.Tensor:
    """CenterNet focal loss; ``mask`` (same shape, 1 = counted) selects the cells that count."""
    pred = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = (target >= 1.0).float() * mask
    neg = (1.0 - (target >= 1.0).float()) * mask
    pos_loss = -torch.log(pred) * (1 - pred) ** alpha * pos
    neg_loss = -torch.log(1 - pred) * pred**alpha * (1 - target) ** beta * neg
    num_pos = pos.sum().clamp(min=1.0)
    return (pos_loss.sum() + neg_loss.sum()) / num_pos


def giou_loss(
    ltrb: torch.Tensor, target: torch.Tensor, weight: torch.Tensor, stride: int
) -> torch.Tensor:
    """GIoU loss between boxes decoded from ``ltrb`` (N, 4, gh, gw) and ``target`` xyxy boxes,
    weighted per cell by ``weight`` (N, gh, gw)."""
    n, _, gh, gw = ltrb.shape
    sel = weight > 0
    if not bool(sel.any()):
        return ltrb.sum() * 0.0
    ys = (torch.arange(gh, dtype=ltrb.dtype) + 0.5) * stride
    xs = (torch.arange(gw, dtype=ltrb.dtype) + 0.5) * stride
    cy = ys[None, :, None].expand(n, gh, gw)[sel]
    cx = xs[None, None, :].expand(n, gh, gw)[sel]
    d = ltrb.permute(0, 2, 3, 1)[sel]
    t = target.permute(0, 2, 3, 1)[sel]
    w = weight[sel]
    px0, py0, px1, py1 = cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]
    tx0, ty0, tx1, ty1 = t[:, 0], t[:, 1], t[:, 2], t[:, 3]
    iw = (torch.min(px1, tx1) - torch.max(px0, tx0)).clamp(min=0)
    ih = (torch.min(py1, ty1) - torch.max(py0, ty0)).clamp(min=0)
    inter = iw * ih
    union = (px1 - px0) * (py1 - py0) + (tx1 - tx0) * (ty1 - ty0) - inter
    iou = inter / union.clamp(min=1e-6)
    ew = torch.max(px1, tx1) - torch.min(px0, tx0)
    eh = torch.max(py1, ty1) - torch.min(py0, ty0)
    enclose = (ew * eh).clamp(min=1e-6)
    giou = iou - (enclose - union) / enclose
    return ((1 - giou) * w).sum() / w.sum().clamp(min=1e-6)


def detection_loss(
    heat_logits: torch.Tensor,
    ltrb: torch.Tensor,
    batch: dict[str, torch.Tensor],
    stride: int,
    box_weight: float = 5.0,
) -> tuple[torch.Tensor, dict[str, float]]:
    mask = batch["class_mask"][:, :, None, None] * (1.0 - batch["ignore"])
    hl = focal_loss(heat_logits, batch["heat"], mask)
    bl = giou_loss(ltrb, batch["reg"], batch["reg_weight"], stride)
    total = hl + box_weight * bl
    return total, {"heat": float(hl.detach()), "box": float(bl.detach())}

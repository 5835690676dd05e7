"""The verifier network: a small CNN that classifies one region crop (see
:mod:`penmark.runtime.verify` for what it is for and how crops are made), and its ONNX export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from penmark.model.net import BasicBlock, conv_bn
from penmark.region import LABELS
from penmark.runtime.verify import CHANNELS, CROP_H, CROP_W


class VerifierNet(nn.Module):
    """Input ``(N, CHANNELS, CROP_H, CROP_W)`` in 0..1; output logits ``(N, len(LABELS))``.

    Four stride-2 stages (64x256 -> 4x16), a residual block in each but the first (kept cheap:
    ~70M multiply-adds per crop, so a CPU trains it at ~100 crops/s), then average and max
    pooling (a signature's flourish or a single irregular letter can decide), ~0.45M parameters.
    """

    def __init__(self, widths: tuple[int, ...] = (16, 32, 64, 128)) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        cin = CHANNELS
        for i, w in enumerate(widths):
            layers.append(conv_bn(cin, w, stride=2))
            if i:
                layers.append(BasicBlock(w))
            cin = w
        self.features = nn.Sequential(*layers)
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(2 * cin, len(LABELS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)
        pooled = torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], dim=1)
        return self.head(self.drop(pooled))


class _Probabilities(nn.Module):
    def __init__(self, net: VerifierNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(x))


def export_verifier(
    net: VerifierNet, path: str | Path, metadata: dict[str, Any] | None = None, opset: int = 17
) -> Path:
    """Write the verifier (sigmoid probabilities, dynamic batch) with its metadata."""
    from penmark.model.export import onnx_export

    return onnx_export(
        _Probabilities(net),
        torch.zeros(2, CHANNELS, CROP_H, CROP_W),
        path,
        ["crops"],
        ["probs"],
        {"crops": {0: "n"}, "probs": {0: "n"}},
        {"labels": list(LABELS), "crop": [CROP_H, CROP_W], "score_weight": 0.5,
         **(metadata or {})},
        opset,
    )


def logits_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy per label; ``target`` -1 means unknown (class not labelled on the
    page, or a box halfway between a match and a miss) and is ignored."""
    mask = target >= 0
    if not mask.any():
        return logits.sum() * 0.0
    return F.binary_cross_entropy_with_logits(logits[mask], target[mask].float())

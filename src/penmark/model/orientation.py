"""The page-orientation network and its ONNX export (inference:
:class:`penmark.runtime.orientation.OrientationClassifier`; training:
:mod:`penmark.train.orientation`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from penmark.model.net import BasicBlock, conv_bn
from penmark.runtime.orientation import ANGLES, THUMB_SIDE


class OrientationNet(nn.Module):
    """Input ``(N, 1, H, W)``: ink in 0..1 (1 = black) of the page's grey copy (long side
    1024), any size; output logits ``(N, 4)`` for "turn counter-clockwise by 0/90/180/270".

    Fully convolutional: five stride-2 stages (a residual block in each but the first) give a
    class score and an attention weight at every 32-px cell; the page score is the attention-
    weighted mean, so blank margins and photos do not vote, and a network trained on 256-px
    crops runs on whole pages. ~0.2M parameters.
    """

    def __init__(
        self, widths: tuple[int, ...] = (16, 32, 48, 64, 96), first_block: int = 1
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        cin = 1
        for i, w in enumerate(widths):
            layers.append(conv_bn(cin, w, stride=2))
            if i >= first_block:  # residual blocks from this stage on (early ones cost most)
                layers.append(BasicBlock(w))
            cin = w
        self.features = nn.Sequential(*layers)
        self.classes = nn.Conv2d(cin, len(ANGLES), 1)
        self.attention = nn.Conv2d(cin, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)
        scores = self.classes(f).flatten(2)  # (N, 4, cells)
        weights = torch.softmax(self.attention(f).flatten(2), dim=2)  # (N, 1, cells)
        return (scores * weights).sum(dim=2)


class _Probabilities(nn.Module):
    def __init__(self, net: OrientationNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(x), dim=1)


def export_orientation(
    net: OrientationNet, path: str | Path, metadata: dict[str, Any] | None = None,
    opset: int = 17,
) -> Path:
    """Write the classifier (softmax over the four turns; dynamic height and width)."""
    from penmark.model.export import onnx_export

    return onnx_export(
        _Probabilities(net),
        torch.zeros(1, 1, 256, 320),
        path,
        ["page"],
        ["probs"],
        {"page": {0: "n", 2: "h", 3: "w"}, "probs": {0: "n"}},
        {"angles": list(ANGLES), "side": THUMB_SIDE, **(metadata or {})},
        opset,
    )

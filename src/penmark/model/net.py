"""PenmarkNet: a small, plain, fully convolutional detector for CPU.

Why this shape: on a 2-core CPU, plain 3x3 ResNet blocks are faster than depthwise ones in
onnxruntime, and a ~3M-parameter network at stride-8 output trains at a few crops/s. The network is
trained on 512 px crops and runs on whole pages (fully convolutional). An FPN merge brings the
context of stride 32 (whole signatures, long handwritten lines) down to the stride-8 output.

Head (TTFNet/CenterNet style, anchor-free):
- ``heat``: per-class centre heatmap (sigmoid), one channel per label;
- ``ltrb``: distances in input pixels from the cell centre to the box's left/top/right/bottom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from penmark.region import LABELS

STRIDE = 8
LTRB_SCALE = 16.0  # ltrb = relu(raw) * LTRB_SCALE input pixels; keeps raw outputs near unit scale


@dataclass(frozen=True)
class ModelConfig:
    widths: tuple[int, ...] = (16, 32, 80, 160, 256)  # strides 2, 4, 8, 16, 32
    blocks: tuple[int, ...] = (0, 1, 2, 2, 2)  # no block at stride 2: it would cost most FLOPs
    fpn: int = 80
    head: int = 64


MODEL_CONFIGS: dict[str, ModelConfig] = {
    "penmark-s": ModelConfig(),
    "penmark-tiny": ModelConfig(
        widths=(8, 16, 24, 32, 48), blocks=(1, 1, 1, 1, 1), fpn=16, head=16
    ),
}


def conv_bn(cin: int, cout: int, stride: int = 1, k: int = 3) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class BasicBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.c1 = conv_bn(channels, channels)
        self.c2 = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.c2(self.c1(x)))


class PenmarkNet(nn.Module):
    """Input: float32 ``(N, 3, H, W)`` in 0..255, H and W multiples of 32.

    Output: ``heat`` logits ``(N, C, H/8, W/8)`` and ``ltrb`` ``(N, 4, H/8, W/8)`` in input pixels.
    """

    def __init__(self, config: ModelConfig | None = None, num_classes: int = len(LABELS)) -> None:
        super().__init__()
        cfg = config or ModelConfig()
        self.config = cfg
        stages = []
        cin = 3
        for w, n in zip(cfg.widths, cfg.blocks, strict=True):
            layers: list[nn.Module] = [conv_bn(cin, w, stride=2)]
            layers += [BasicBlock(w) for _ in range(n)]
            stages.append(nn.Sequential(*layers))
            cin = w
        self.stages = nn.ModuleList(stages)
        self.lat8 = nn.Conv2d(cfg.widths[2], cfg.fpn, 1)
        self.lat16 = nn.Conv2d(cfg.widths[3], cfg.fpn, 1)
        self.lat32 = nn.Conv2d(cfg.widths[4], cfg.fpn, 1)
        self.smooth16 = conv_bn(cfg.fpn, cfg.fpn)
        self.smooth8 = conv_bn(cfg.fpn, cfg.fpn)
        self.heat_head = nn.Sequential(
            conv_bn(cfg.fpn, cfg.head), nn.Conv2d(cfg.head, num_classes, 1)
        )
        self.box_head = nn.Sequential(conv_bn(cfg.fpn, cfg.head), nn.Conv2d(cfg.head, 4, 1))
        prior = 0.01
        nn.init.constant_(self.heat_head[-1].bias, -math.log((1 - prior) / prior))
        nn.init.constant_(self.box_head[-1].bias, 1.0)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = (x - 160.0) / 80.0
        feats = []
        for stage in self.stages:
            x = stage(x)
            feats.append(x)
        c8, c16, c32 = feats[2], feats[3], feats[4]
        p32 = self.lat32(c32)
        p16 = self.smooth16(self.lat16(c16) + F.interpolate(p32, scale_factor=2.0, mode="nearest"))
        p8 = self.smooth8(self.lat8(c8) + F.interpolate(p16, scale_factor=2.0, mode="nearest"))
        heat = self.heat_head(p8)
        ltrb = F.relu(self.box_head(p8)) * LTRB_SCALE
        return heat, ltrb


def peaks_only(scores: torch.Tensor) -> torch.Tensor:
    """Scores with every cell that is not a 3x3 local maximum set to 0 (the NMS step of
    centre-point detectors, kept in the graph so the runtime only gathers the peaks)."""
    return scores * (scores >= F.max_pool2d(scores, 3, stride=1, padding=1)).float()


class ExportWrapper(nn.Module):
    """What the ONNX file contains: sigmoid scores with non-peaks zeroed (3x3 max-pool NMS) and
    the box distances, so that the numpy side only gathers the top cells."""

    def __init__(self, net: PenmarkNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        heat, ltrb = self.net(x)
        return peaks_only(torch.sigmoid(heat)), ltrb


class EnsembleWrapper(nn.Module):
    """An ONNX file with several networks: their sigmoid heatmaps and box distances are averaged
    before the peak step, so the file reads like one detector (same outputs as
    :class:`ExportWrapper`).

    Why: two networks trained apart make different mistakes; averaging their outputs cuts the
    snapshot-to-snapshot variance that one network's scores carry, for one more network pass
    per page."""

    def __init__(self, nets: list[PenmarkNet]) -> None:
        super().__init__()
        if not nets:
            raise ValueError("an ensemble needs at least one network")
        self.nets = nn.ModuleList(nets)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        outs = [net(x) for net in self.nets]
        heat = torch.stack([torch.sigmoid(h) for h, _ in outs]).mean(0)
        ltrb = torch.stack([b for _, b in outs]).mean(0)
        return peaks_only(heat), ltrb


def create_model(name: str = "penmark-s") -> PenmarkNet:
    """Build an untrained network by registry name (see :data:`MODEL_CONFIGS`)."""
    try:
        return PenmarkNet(MODEL_CONFIGS[name])
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known: {sorted(MODEL_CONFIGS)}") from None

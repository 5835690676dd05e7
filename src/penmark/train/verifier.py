"""Training data and training loop of the region verifier (:mod:`penmark.runtime.verify`).

The verifier learns from what the detector actually proposes: every region the detector finds
at a low threshold on train pages (real and generated), plus the ground-truth boxes (slightly
jittered, so that a real region is always among the positives), plus, on generated pages, the
print that imitates writing (script fonts, typed fill-ins, stamps), which the generator reports.
Each crop gets one target per label: 1 if it matches a box of that label (IoU >= 0.5), 0 if it
overlaps none (IoU < 0.3) on a page where the label is labelled exhaustively, and -1 (ignored)
otherwise, so Tobacco800's unlabelled handwriting never teaches "not handwriting".
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from penmark.io import load_image
from penmark.region import LABELS
from penmark.runtime.postprocess import iou_matrix
from penmark.runtime.verify import CHANNELS, CROP_H, CROP_W, verifier_crop
from penmark.train.data import PageRecord, distractor_boxes, load_coco
from penmark.train.schedule import warm_cosine

POSITIVE_IOU = 0.5
NEGATIVE_IOU = 0.3


@dataclass
class CropSet:
    """Crops (uint8, ``(N, C, H, W)``), targets ``(N, len(LABELS))`` in {-1, 0, 1} and where each
    crop came from (``kind``: ``det`` detector proposal, ``gt`` jittered truth, ``print``
    generated distractor)."""

    crops: np.ndarray
    targets: np.ndarray
    source: list[str]
    kind: list[str]

    def save(self, path: str | Path) -> None:
        np.savez_compressed(path, crops=self.crops, targets=self.targets,
                            source=np.array(self.source), kind=np.array(self.kind))

    @classmethod
    def load(cls, *paths: str | Path) -> CropSet:
        parts = []
        for path in paths:
            z = np.load(path)
            parts.append(cls(z["crops"], z["targets"], [str(s) for s in z["source"]],
                             [str(s) for s in z["kind"]]))
        return cls.concat(parts)

    @classmethod
    def concat(cls, parts: Sequence[CropSet]) -> CropSet:
        return cls(
            np.concatenate([p.crops for p in parts]),
            np.concatenate([p.targets for p in parts]),
            [s for p in parts for s in p.source],
            [k for p in parts for k in p.kind],
        )


def targets_for(
    boxes: np.ndarray, gt_boxes: np.ndarray, gt_classes: np.ndarray, labeled: np.ndarray
) -> np.ndarray:
    """``(N, len(LABELS))`` targets of candidate ``boxes`` against one page's ground truth."""
    out = np.full((len(boxes), len(LABELS)), -1, np.int8)
    for k in range(len(LABELS)):
        if not labeled[k]:
            continue
        g = gt_boxes[gt_classes == k]
        best = iou_matrix(boxes, g).max(axis=1) if len(g) else np.zeros(len(boxes))
        out[best >= POSITIVE_IOU, k] = 1
        out[best < NEGATIVE_IOU, k] = 0
    return out


def jitter(boxes: np.ndarray, rng: random.Random, amount: float = 0.08) -> np.ndarray:
    """Move each edge by up to ``amount`` of the box size (detector boxes are never exact)."""
    out = boxes.astype(np.float32).copy()
    for b in out:
        w, h = b[2] - b[0], b[3] - b[1]
        b += [rng.uniform(-amount, amount) * s for s in (w, h, w, h)]
    return out


def page_crops(
    image: Image.Image,
    rec: PageRecord,
    proposals: np.ndarray,
    rng: random.Random,
    source: str,
    distractors: np.ndarray | None = None,
) -> CropSet:
    """Crops and targets of one page: detector proposals, jittered truth, distractors."""
    groups = [(proposals.reshape(-1, 4), "det"), (jitter(rec.boxes, rng), "gt")]
    if distractors is not None:
        groups.append((distractors.reshape(-1, 4), "print"))
    boxes = np.concatenate([g for g, _ in groups]).astype(np.float32)
    kinds = [k for g, k in groups for _ in range(len(g))]
    keep = (boxes[:, 2] - boxes[:, 0] >= 4) & (boxes[:, 3] - boxes[:, 1] >= 4)
    boxes = boxes[keep]
    kinds = [k for k, ok in zip(kinds, keep, strict=True) if ok]
    if image.mode != "RGB":
        image = image.convert("RGB")
    crops = (
        np.stack([verifier_crop(image, b) for b in boxes])
        if len(boxes)
        else np.zeros((0, CHANNELS, CROP_H, CROP_W), np.float32)
    )
    targets = targets_for(boxes, rec.boxes, rec.classes, rec.labeled)
    crops = np.round(crops * 255).astype(np.uint8)
    return CropSet(crops, targets, [source] * len(kinds), kinds)


def _proposals(detector, image: Image.Image, threshold: float) -> np.ndarray:
    regions = detector.detect(image, threshold=threshold)
    return np.array([r.box for r in regions], np.float32).reshape(-1, 4)


def build_real(
    coco_paths: Iterable[str | Path], detector, threshold: float = 0.05, seed: int = 0
) -> CropSet:
    """Crops from the pages of COCO files (e.g. the real train splits)."""
    rng = random.Random(seed)
    parts = []
    for path in coco_paths:
        name = Path(path).parent.name
        for rec in load_coco(path):
            try:
                image = load_image(rec.path)
            except Exception as exc:  # noqa: BLE001 - a broken page must not stop the build
                print(f"skipped {rec.path}: {exc}")
                continue
            parts.append(page_crops(image, rec, _proposals(detector, image, threshold), rng, name,
                                    rec.focus if len(rec.focus) else None))
    return CropSet.concat(parts)


def build_synthetic(
    seeds: Sequence[int], detector, threshold: float = 0.05, config=None
) -> CropSet:
    """Crops from generated pages ``seeds`` (use seeds no evaluation set uses)."""
    from penmark.synth import generate_page

    parts = []
    for seed in seeds:
        page = generate_page(seed, config)
        rec = PageRecord(
            Path(f"synth:{seed}"),
            np.array([r.box for r in page.regions], np.float32).reshape(-1, 4),
            np.array([LABELS.index(r.label) for r in page.regions], np.int64),
            np.ones(len(LABELS), np.float32),
        )
        rng = random.Random(seed)
        dist = distractor_boxes(page.meta.get("distractors", ()))
        parts.append(page_crops(page.image, rec, _proposals(detector, page.image, threshold), rng,
                                "synth", dist))
    return CropSet.concat(parts)


def augment_crops(x, gen):
    """Per-crop random shift and scale (detector boxes are loose or tight by a few pixels),
    ink gamma, thicker or thinner strokes, and scan noise; ``x`` is ``(N, C, H, W)`` in 0..1.

    Why: the real crops are few (~8,000) and are drawn many times per run; these are the ways
    real scans of the same ink differ.
    """
    import torch
    import torch.nn.functional as F

    n = x.shape[0]

    def u(lo: float, hi: float, size=(n,)):
        return lo + (hi - lo) * torch.rand(size, generator=gen)

    scale = u(0.85, 1.15)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = scale
    theta[:, 1, 1] = scale * u(0.9, 1.1)
    theta[:, 0, 2] = u(-0.06, 0.06)
    theta[:, 1, 2] = u(-0.12, 0.12)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    ink = x[:, :1].clamp(0, 1) ** u(0.6, 1.5, (n, 1, 1, 1))
    morph = torch.rand(n, generator=gen)
    thick = F.max_pool2d(ink, 3, 1, 1)
    thin = -F.max_pool2d(-ink, 3, 1, 1)
    ink = torch.where((morph < 0.15).view(n, 1, 1, 1), thick, ink)
    ink = torch.where((morph > 0.9).view(n, 1, 1, 1), thin, ink)
    noise = torch.randn(ink.shape, generator=gen) * u(0.0, 0.06, (n, 1, 1, 1))
    return torch.cat([(ink + noise).clamp(0, 1), x[:, 1:]], dim=1)


def sampling_weights(
    sources: list[str], real_share: float = 0.4, source_weights: dict[str, float] | None = None
) -> np.ndarray:
    """Probability of drawing each crop: ``real_share`` of the mass goes to real crops (source
    other than ``synth``), the rest to generated ones, uniform within each group; then each
    crop of a source named in ``source_weights`` counts that many times within its group (a few
    hundred GSA lease crops next to thousands of Tobacco800 ones would otherwise be drawn too
    rarely to matter). Unknown names raise, so a typo cannot silently train the wrong mix."""
    src = np.asarray(sources)
    extra = dict(source_weights or {})
    unknown = sorted(set(extra) - set(src.tolist()))
    if unknown:
        raise ValueError(f"source weights name sources not in the crop sets: {unknown}")
    each = np.array([extra.get(s, 1.0) for s in src.tolist()], dtype=np.float64)
    if (each < 0).any():
        raise ValueError("source weights must be >= 0")
    real = src != "synth"
    w = np.zeros(len(src))
    for group, share in ((real, real_share), (~real, 1.0 - real_share)):
        total = each[group].sum()
        if total > 0:
            w[group] = share * each[group] / total
    return w / w.sum()


def train_verifier(
    data: CropSet,
    out: str | Path,
    epochs: float = 4.0,
    batch: int = 128,
    lr: float = 2e-3,
    seed: int = 0,
    threads: int = 2,
    real_share: float = 0.4,
    augment: bool = True,
    widths: tuple[int, ...] = (16, 32, 64, 128),
    source_weights: dict[str, float] | None = None,
) -> Path:
    """Train :class:`~penmark.model.verifier.VerifierNet` on ``data``; writes ``last.pt``,
    ``log.jsonl`` and ``verifier.onnx`` to ``out`` and returns the ONNX path.

    ``real_share``: share of crops drawn from real pages (source other than ``synth``); real
    pages are few next to generated ones, and they are what users run on.
    ``source_weights``: see :func:`sampling_weights`. ``augment``: see :func:`augment_crops`.
    """
    import torch

    from penmark.model.verifier import VerifierNet, export_verifier, logits_loss

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    w = sampling_weights(data.source, real_share, source_weights)
    n = len(data.targets)
    steps = max(1, int(epochs * n / batch))
    net = VerifierNet(tuple(widths))
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    log = (out / "log.jsonl").open("a")
    t0 = time.time()
    net.train()
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = warm_cosine(lr, step, steps)
        idx = rng.choice(n, batch, p=w)
        x = torch.from_numpy(data.crops[idx].astype(np.float32) / 255.0)
        if augment:
            x = augment_crops(x, torch.Generator().manual_seed(int(rng.integers(2**31))))
        if rng.random() < 0.5:  # colour is a cue on colour scans only; keep it optional
            x[:, 1] = 0.0
        y = torch.from_numpy(data.targets[idx].astype(np.int64))
        loss = logits_loss(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == steps - 1:
            rec = {"step": step, "loss": round(loss.item(), 4),
                   "crops_per_s": round((step + 1) * batch / (time.time() - t0), 1)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
    net.eval()
    torch.save({"model": net.state_dict(), "steps": steps, "crops": n, "widths": list(widths)},
               out / "last.pt")
    return export_verifier(net, out / "verifier.onnx",
                           {"train_crops": n, "train_steps": steps, "widths": list(widths)})


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney: the chance a positive outscores a negative)."""
    order = np.argsort(p, kind="stable")
    ranks = np.empty(len(p))
    ranks[order] = np.arange(1, len(p) + 1)
    pos = y == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def check(data: CropSet, weights: str | Path) -> dict[str, dict[str, float]]:
    """Per source and label: ROC AUC and accuracy at 0.5 of a verifier ONNX on ``data``
    (val-split crops: a report, not a selection criterion)."""
    from penmark.runtime.verify import Verifier

    probs = Verifier(weights, batch=256).predict_crops(data.crops.astype(np.float32) / 255.0)
    out: dict[str, dict[str, float]] = {}
    sources = np.array(data.source)
    for src in sorted(set(data.source)):
        for k, name in enumerate(LABELS):
            m = (sources == src) & (data.targets[:, k] >= 0)
            y = data.targets[m, k]
            if len(set(y.tolist())) < 2:
                continue
            p = probs[m, k]
            out[f"{src}/{name}"] = {
                "n": int(m.sum()), "positives": int(y.sum()),
                "auc": round(roc_auc(y, p), 4),
                "accuracy": round(float(((p >= 0.5) == (y == 1)).mean()), 4),
            }
    return out

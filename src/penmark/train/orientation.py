"""Training data and loop for the page-orientation classifier (:mod:`penmark.model.orientation`).

Why learned: the projection heuristic (:func:`penmark.runtime.orientation.detect_orientation`)
gets 93 % of turned Tobacco800 letters and 80 % of turned cheques right, and a page turned wrong
loses all its regions. Labels cost nothing here: any upright page turned by 0/90/180/270 degrees
is a labelled example, so the real train splits (letters, leases, cheques) and generated pages
(every template, no generator turn) are used as they are.

A page set is the grey copy each page gets in the pipeline (long side
:data:`~penmark.runtime.orientation.THUMB_SIDE`), stored one array per key in an ``.npz``. The
network is trained on square crops turned by a random quarter and runs on whole pages (it is
fully convolutional and averages its per-location class scores).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from penmark.io import load_image
from penmark.runtime.orientation import gray_copy
from penmark.train.data import load_coco
from penmark.train.schedule import warm_cosine


@dataclass
class PageSet:
    """Grey page copies (``uint8``, upright) and where each came from (``source``)."""

    pages: list[np.ndarray]
    source: list[str]

    def save(self, path: str | Path) -> None:
        arrays = {f"p{i:05d}": p for i, p in enumerate(self.pages)}
        np.savez_compressed(path, source=np.array(self.source), **arrays)

    @classmethod
    def load(cls, *paths: str | Path) -> PageSet:
        pages: list[np.ndarray] = []
        source: list[str] = []
        for path in paths:
            with np.load(path) as data:
                keys = sorted(k for k in data.files if k.startswith("p"))
                pages += [data[k] for k in keys]
                source += [str(s) for s in data["source"]]
        return cls(pages, source)


def build_real(coco_paths: Iterable[str | Path]) -> PageSet:
    """Grey copies of the pages of COCO files (the real train splits; their pages are upright)."""
    pages, source = [], []
    for path in coco_paths:
        name = Path(path).parent.name
        for rec in load_coco(path):
            try:
                image = load_image(rec.path)
            except Exception as exc:  # noqa: BLE001 - a broken page must not stop the build
                print(f"skipped {rec.path}: {exc}")
                continue
            pages.append(gray_copy(image))
            source.append(name)
    return PageSet(pages, source)


def build_synthetic(seeds: Sequence[int], config=None) -> PageSet:
    """Grey copies of generated pages ``seeds`` with the generator's own quarter turns off
    (use seeds no evaluation set uses)."""
    from dataclasses import replace

    from penmark.synth import SynthConfig, generate_page

    cfg = replace(config or SynthConfig(cheque_scan_fraction=0.5), rotate_fraction=0.0)
    pages = [gray_copy(generate_page(seed, cfg).image) for seed in seeds]
    return PageSet(pages, ["synth"] * len(pages))


def sample_crop(
    page: np.ndarray, size: int, rng: np.random.Generator, min_ink: float = 0.01
) -> np.ndarray:
    """A ``size`` x ``size`` crop of ``page`` at a random scale (0.75-1.3: documents of one
    physical size arrive at many pixel sizes), placed where there is some ink when possible;
    white padding where the page is smaller."""
    from PIL import Image

    scale = float(rng.uniform(0.75, 1.3))
    h, w = page.shape
    if abs(scale - 1) > 0.02:
        img = Image.fromarray(page).resize(
            (max(1, round(w * scale)), max(1, round(h * scale))), Image.BILINEAR
        )
        page = np.asarray(img)
        h, w = page.shape
    canvas = np.full((max(h, size), max(w, size)), 255, np.uint8)
    canvas[:h, :w] = page
    ch, cw = canvas.shape
    best, best_ink = None, -1.0
    for _ in range(6):
        y = int(rng.integers(0, ch - size + 1))
        x = int(rng.integers(0, cw - size + 1))
        crop = canvas[y : y + size, x : x + size]
        ink = float((crop < 128).mean())
        if ink >= min_ink:
            return crop
        if ink > best_ink:
            best, best_ink = crop, ink
    return best


def augment(crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scan looks the classifier must not depend on: contrast and gamma, bitonal thresholding
    (fax and copier pages), blur, noise. ``crop`` uint8 -> float32 ink in 0..1 (1 = black)."""
    from PIL import Image, ImageFilter

    r = rng.random()
    if r < 0.15:  # thresholded to black and white
        crop = np.where(crop < rng.uniform(110, 190), 0, 255).astype(np.uint8)
    elif r < 0.3:
        crop = np.asarray(
            Image.fromarray(crop).filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
        )
    x = 1.0 - crop.astype(np.float32) / 255.0
    if rng.random() < 0.5:
        x = np.clip(x * rng.uniform(0.5, 1.2), 0, 1) ** rng.uniform(0.7, 1.4)
    if rng.random() < 0.3:
        x = np.clip(x + rng.normal(0, rng.uniform(0.01, 0.06), x.shape), 0, 1)
    return x.astype(np.float32)


def make_batch(
    data: PageSet, weights: np.ndarray, batch: int, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Crops turned by a random quarter; the label is the class index k such that turning the
    crop counter-clockwise by k x 90 degrees makes it upright."""
    idx = rng.choice(len(data.pages), batch, p=weights)
    xs, ys = [], []
    for i in idx:
        crop = augment(sample_crop(data.pages[i], size, rng), rng)
        k = int(rng.integers(4))
        xs.append(np.rot90(crop, -k))  # clockwise by k quarters; turning back = CCW k quarters
        ys.append(k)
    return np.stack(xs)[:, None].copy(), np.array(ys, np.int64)


def source_weights(source: Sequence[str], real_share: float) -> np.ndarray:
    """Sampling probability per page: ``real_share`` for all real pages together, spread evenly
    over the real sets (Tobacco800's 642 letters must not drown 23 leases), the rest for
    generated pages (:func:`penmark.train.verifier.sampling_weights`, each real page weighted by
    one over its set's size)."""
    from collections import Counter

    from penmark.train.verifier import sampling_weights

    counts = Counter(str(s) for s in source)
    per_set = {name: 1.0 / n for name, n in counts.items() if name != "synth"}
    return sampling_weights(list(map(str, source)), real_share, per_set)


def train_orientation(
    data: PageSet,
    out: str | Path,
    steps: int = 3000,
    batch: int = 32,
    size: int = 256,
    lr: float = 2e-3,
    seed: int = 0,
    threads: int = 2,
    real_share: float = 0.5,
    widths: tuple[int, ...] = (16, 32, 48, 64, 96),
    first_block: int = 1,
) -> Path:
    """Train :class:`~penmark.model.orientation.OrientationNet`; writes ``last.pt``,
    ``log.jsonl`` and ``orientation.onnx`` to ``out`` and returns the ONNX path."""
    import torch
    import torch.nn.functional as F

    from penmark.model.orientation import OrientationNet, export_orientation

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    weights = source_weights(data.source, real_share)
    net = OrientationNet(tuple(widths), first_block)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    log = (out / "log.jsonl").open("a")

    def checkpoint(done: int) -> dict:
        return {"model": net.state_dict(), "step": done, "widths": list(widths),
                "first_block": first_block}

    t0 = time.time()
    net.train()
    correct = seen = 0
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = warm_cosine(lr, step, steps)
        x, y = make_batch(data, weights, batch, size, rng)
        logits = net(torch.from_numpy(x))
        target = torch.from_numpy(y)
        loss = F.cross_entropy(logits, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        correct += int((logits.argmax(1) == target).sum())
        seen += len(y)
        if step % 50 == 0 or step == steps - 1:
            rec = {"step": step, "loss": round(loss.item(), 4),
                   "train_acc": round(correct / max(seen, 1), 4),
                   "crops_per_s": round((step + 1) * batch / (time.time() - t0), 1)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            correct = seen = 0
        if step % 500 == 499:
            torch.save(checkpoint(step + 1), out / "last.pt")
    log.close()
    net.eval()
    torch.save(checkpoint(steps), out / "last.pt")
    return export_orientation(net, out / "orientation.onnx",
                              {"train_pages": len(data.pages), "train_steps": steps,
                               "crop": size, "widths": list(widths),
                               "first_block": first_block})

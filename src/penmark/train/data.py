"""Training samples: pages from COCO files (real sets and cached synthetic pages) -> 512 px crops.

Pages are first resized to the inference scale (long side ``input_size``, times a random jitter)
so that objects have the sizes the runtime will see; crops are then taken around annotated
objects most of the time (objects are a small part of a page) and anywhere otherwise.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from penmark.region import LABELS
from penmark.train.targets import build_targets


@dataclass
class PageRecord:
    path: Path
    boxes: np.ndarray  # (N, 4) xyxy, original pixels
    classes: np.ndarray  # (N,) 0-based
    labeled: np.ndarray  # (C,) 1 where the class is labelled exhaustively
    source: str = ""
    # (M, 4) xyxy original pixels: mined false alarms to centre some crops on (see train.mining)
    focus: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    # COCO ``iscrowd`` boxes: areas where the heat loss of their class is not counted (e.g. where
    # a pseudo-labelling teacher was unsure, scripts/pseudo_label.py)
    ignore_boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    ignore_classes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


@dataclass
class SourceSpec:
    """One COCO file and how often its pages are drawn relative to others."""

    coco: Path
    weight: float = 1.0
    name: str = ""
    records: list[PageRecord] = field(default_factory=list)

    def draw(self, rng: random.Random) -> tuple[Image.Image, PageRecord]:
        rec = rng.choice(self.records)
        return Image.open(rec.path), rec


@dataclass
class SynthSource:
    """Pages rendered on the fly by :mod:`penmark.synth` (endless variety, fully labelled).

    Rendering a page costs far more than cropping it, so each worker keeps a small pool of pages
    and replaces one at random with probability ``1 / reuse`` per draw (each page gives about
    ``reuse`` different crops).
    """

    weight: float = 1.0
    name: str = "synth"
    config: object | None = None  # penmark.synth.SynthConfig
    pool_size: int = 8
    reuse: float = 4.0
    _pool: list[tuple[Image.Image, PageRecord]] = field(default_factory=list, repr=False)

    def _render(self, rng: random.Random) -> tuple[Image.Image, PageRecord]:
        from penmark.synth import generate_page

        page = generate_page(rng.getrandbits(31), self.config)
        boxes = np.array([r.box for r in page.regions], np.float32).reshape(-1, 4)
        classes = np.array([LABELS.index(r.label) for r in page.regions], np.int64)
        rec = PageRecord(
            Path(f"synth:{page.kind}"),
            boxes,
            classes,
            np.ones(len(LABELS), np.float32),
            focus=distractor_boxes(page.meta.get("distractors", ())),
        )
        return page.image, rec

    def draw(self, rng: random.Random) -> tuple[Image.Image, PageRecord]:
        if len(self._pool) < self.pool_size:
            self._pool.append(self._render(rng))
            return self._pool[-1]
        i = rng.randrange(len(self._pool))
        if rng.random() < 1.0 / self.reuse:
            self._pool[i] = self._render(rng)
        return self._pool[i]


def distractor_boxes(distractors) -> np.ndarray:
    """``(M, 4)`` crop-focus boxes from a generated page's ``distractors`` (``{"kind", "box"}``
    dicts, in ``Page.meta`` and in the image entries of ``penmark synth`` COCO files)."""
    return np.array([d["box"] for d in distractors], np.float32).reshape(-1, 4)


def _xyxy(anns: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """COCO annotations -> ``(N, 4)`` xyxy boxes and ``(N,)`` 0-based classes."""
    boxes = np.array(
        [
            [a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]]
            for a in anns
        ],
        np.float32,
    ).reshape(-1, 4)
    return boxes, np.array([a["category_id"] - 1 for a in anns], np.int64)


def load_coco(path: str | Path) -> list[PageRecord]:
    """Read a COCO file following ../shared/datasets conventions (``labeled_categories``);
    ``iscrowd`` annotations become ignore areas, not objects."""
    path = Path(path)
    data = json.loads(path.read_text())
    by_image: dict[int, list[dict]] = {}
    for ann in data["annotations"]:
        by_image.setdefault(ann["image_id"], []).append(ann)
    out = []
    for img in data["images"]:
        anns = by_image.get(img["id"], [])
        crowd = [a for a in anns if a.get("iscrowd")]
        anns = [a for a in anns if not a.get("iscrowd")]
        boxes, classes = _xyxy(anns)
        labeled = np.zeros(len(LABELS), np.float32)
        for c in img.get("labeled_categories", [1, 2]):
            labeled[c - 1] = 1.0
        rec = PageRecord(path.parent / img["file_name"], boxes, classes, labeled, str(path))
        rec.ignore_boxes, rec.ignore_classes = _xyxy(crowd)
        if img.get("distractors"):  # generated pages: print that imitates writing
            rec.focus = distractor_boxes(img["distractors"])
        out.append(rec)
    return out


def _photometric(arr: np.ndarray, rng: random.Random) -> np.ndarray:
    """Cheap scan-like jitter: greyscale, contrast/brightness/gamma, blur, noise."""
    img = arr.astype(np.float32)
    if rng.random() < 0.3:
        g = img @ np.array([0.299, 0.587, 0.114], np.float32)
        img = np.repeat(g[..., None], 3, axis=2)
    if rng.random() < 0.8:
        c = rng.uniform(0.6, 1.25)
        b = rng.uniform(-30, 30)
        img = (img - 128) * c + 128 + b
    if rng.random() < 0.3:
        gamma = rng.uniform(0.7, 1.5)
        img = 255.0 * (np.clip(img, 0, 255) / 255.0) ** gamma
    if rng.random() < 0.3:
        img = img + np.random.default_rng(rng.getrandbits(32)).normal(
            0, rng.uniform(2, 12), img.shape
        )
    return np.clip(img, 0, 255).astype(np.uint8)


def _stroke_jitter(img: Image.Image, rng: random.Random) -> Image.Image:
    """Thinner, thicker or fainter ink, at the page's own resolution before it is resized.

    Why: pens, scanners and binarisation change stroke width and darkness, and the signatures
    the detector misses on real val pages are thin, faint ones; the photometric jitter moves
    the paper with the ink (contrast, gamma) and never makes black ink light grey.
    """
    kind = rng.randrange(3)
    if kind == 0:
        return img.filter(ImageFilter.MaxFilter(3))  # dark strokes lose a pixel each side
    if kind == 1:
        return img.filter(ImageFilter.MinFilter(3))  # and gain one
    fade = rng.uniform(0.35, 0.8)  # ink at darkness d becomes d * fade; white stays white
    return img.point(lambda v: round(255 - (255 - v) * fade))


def _scan_degrade(img: Image.Image, rng: random.Random) -> Image.Image:
    """One way a scan gets worse, at the page's own resolution before it is resized: a copier's
    black-and-white threshold, a low-resolution scan, heavy JPEG, or focus blur.

    Why: ``benchmarks/robustness.py`` found these cost the most on real val pages (cheque
    handwriting 0.89 -> 0.82 when thresholded, signed accuracy 0.94 -> 0.75 when blurred), and
    the photometric jitter only blurs lightly at the network's scale. Measured in session 9
    (run v22 against its control v22c): no robustness gain at a share of 0.3 for 500-1,000
    steps, so it is off by default (experiments/README.md).
    """
    kind = rng.randrange(4)
    if kind == 0:
        cut = rng.uniform(120, 190)
        return img.convert("L").point(lambda v: 0 if v < cut else 255).convert("RGB")
    if kind == 1:
        f = rng.uniform(0.35, 0.7)
        w, h = img.size
        small = img.resize((max(1, round(w * f)), max(1, round(h * f))), Image.BILINEAR)
        return small.resize((w, h), Image.BILINEAR)
    if kind == 2:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=rng.randint(10, 35))
        return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    return img.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 2.5)))


class CropDataset:
    """Infinite-style dataset of random crops drawn from weighted sources (index ignored).

    ``crop`` is a square side or ``(width, height)`` in network pixels. Written lines are wide:
    a box less than 60 % inside the crop becomes an ignore area and a partly cut one gets a
    clipped target, so with 384 px squares a third of the cheque handwriting lines (wider than
    384 px at the 1024 px input size) is never learnt whole. A wide crop such as ``(640, 320)``
    shows them whole at about 1.4x the pixels of a 384 px square.

    ``stroke_jitter`` is the share of crops whose page gets thinner, thicker or fainter ink
    (:func:`_stroke_jitter`; 0 draws the same crops as before it existed); ``scan_degrade`` the
    share whose page is thresholded, scanned at low resolution, JPEG-compressed or blurred
    (:func:`_scan_degrade`; 0 likewise).
    """

    def __init__(
        self,
        sources: list[SourceSpec | SynthSource],
        crop: int | tuple[int, int] = 512,
        input_size: int = 1024,
        stride: int = 8,
        scale_jitter: tuple[float, float] = (0.7, 1.35),
        object_bias: float = 0.75,
        focus_bias: float = 0.3,
        length: int = 10_000_000,
        seed: int = 0,
        stroke_jitter: float = 0.0,
        scan_degrade: float = 0.0,
    ) -> None:
        self.sources = [s for s in sources if not isinstance(s, SourceSpec) or s.records]
        total = sum(s.weight for s in self.sources)
        self.probs = [s.weight / total for s in self.sources]
        self.crop = crop
        self.input_size = input_size
        self.stride = stride
        self.scale_jitter = scale_jitter
        self.object_bias = object_bias
        self.focus_bias = focus_bias
        self.length = length
        self.seed = seed
        self.stroke_jitter = stroke_jitter
        self.scan_degrade = scan_degrade

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict[str, np.ndarray]:
        rng = random.Random((self.seed * 1_000_003 + index) & 0xFFFFFFFF)
        for _ in range(10):
            src = rng.choices(self.sources, self.probs)[0]
            try:
                img, rec = src.draw(rng)
                return self.sample(img, rec, rng)
            except OSError:
                continue
        raise RuntimeError("could not read any training page")

    def sample(
        self, img: Image.Image, rec: PageRecord, rng: random.Random
    ) -> dict[str, np.ndarray]:
        orig_w, orig_h = img.size
        scale = self.input_size / max(orig_w, orig_h) * rng.uniform(*self.scale_jitter)
        if (
            getattr(img, "format", None) == "JPEG"
        ):  # decode at reduced size when the crop scale allows it
            img.draft("RGB", (int(orig_w * scale) + 1, int(orig_h * scale) + 1))
        img = img.convert("RGB")
        if self.stroke_jitter and rng.random() < self.stroke_jitter:
            img = _stroke_jitter(img, rng)
        if self.scan_degrade and rng.random() < self.scan_degrade:
            img = _scan_degrade(img, rng)
        nw, nh = max(1, round(img.width * scale)), max(1, round(img.height * scale))
        img = img.resize((nw, nh), Image.BILINEAR)
        if rng.random() < 0.15:
            img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
        box_scale = nw / orig_w
        boxes = rec.boxes * box_scale
        cw, ch = (self.crop, self.crop) if isinstance(self.crop, int) else self.crop
        target = None
        if len(rec.focus) and rng.random() < self.focus_bias:
            target = rec.focus[rng.randrange(len(rec.focus))] * box_scale
        elif len(boxes) and rng.random() < self.object_bias:
            target = boxes[rng.randrange(len(boxes))]
        if target is not None:
            x0, y0, x1, y1 = target
            # any crop offset that contains the box (or lies within it, for boxes wider than c)
            cx = rng.uniform(min(x1 - cw, x0), max(x1 - cw, x0))
            cy = rng.uniform(min(y1 - ch, y0), max(y1 - ch, y0))
        else:
            cx = rng.uniform(0, max(0, nw - cw))
            cy = rng.uniform(0, max(0, nh - ch))
        ox = int(np.clip(cx, min(0, nw - cw), max(0, nw - cw)))
        oy = int(np.clip(cy, min(0, nh - ch), max(0, nh - ch)))
        canvas = np.full((ch, cw, 3), 255, np.uint8)
        src = np.asarray(img)
        sx0, sy0 = max(ox, 0), max(oy, 0)
        sx1, sy1 = min(ox + cw, nw), min(oy + ch, nh)
        canvas[sy0 - oy : sy1 - oy, sx0 - ox : sx1 - ox] = src[sy0:sy1, sx0:sx1]
        canvas = _photometric(canvas, rng)
        keep_b, keep_c, ign_b, ign_c = [], [], [], []
        shift = np.array([ox, oy, ox, oy], np.float32)
        limit = np.array([cw, ch, cw, ch], np.float32)
        for b, cl in zip(rec.ignore_boxes * box_scale - shift, rec.ignore_classes, strict=True):
            cb = np.clip(b, 0, limit)
            if cb[2] > cb[0] and cb[3] > cb[1]:
                ign_b.append(cb)
                ign_c.append(cl)
        for b, cl in zip(boxes - shift, rec.classes, strict=True):
            cb = np.clip(b, 0, limit)
            area = (b[2] - b[0]) * (b[3] - b[1])
            vis = (cb[2] - cb[0]) * (cb[3] - cb[1])
            if vis <= 0:
                continue
            if vis >= 0.6 * area and (cb[2] - cb[0]) >= 3 and (cb[3] - cb[1]) >= 3:
                keep_b.append(cb)
                keep_c.append(cl)
            else:
                ign_b.append(cb)
                ign_c.append(cl)
        t = build_targets(
            np.array(keep_b, np.float32).reshape(-1, 4),
            np.array(keep_c, np.int64),
            np.array(ign_b, np.float32).reshape(-1, 4),
            np.array(ign_c, np.int64),
            (ch, cw),
            len(LABELS),
            self.stride,
        )
        return {
            "image": canvas.transpose(2, 0, 1).copy(),
            "heat": t.heat,
            "reg": t.reg,
            "reg_weight": t.reg_weight,
            "ignore": t.ignore,
            "class_mask": rec.labeled.copy(),
        }

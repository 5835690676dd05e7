"""Second look at each detected region: a small crop classifier that rescores the detector.

Why: the detector sees a page at ~93 dpi (1024 px long side), where a line printed in a
handwriting font and a handwritten line look alike; most of its false alarms are such print
(MODEL_CARD.md). The verifier looks at each candidate box again, cut from the page at its own
resolution (a box is scaled to :data:`CROP_H` px high, so a 60 px handwritten line is seen
about at scan resolution), with some context around it, and says how likely the box holds
handwriting / a signature. The detector's score and the verifier's probability are combined by
a geometric mean, so both must agree for a region to score high.

:func:`verifier_crop` is the one pre-processing used both to train the verifier
(:mod:`penmark.train.verifier`) and here at inference.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from penmark.region import LABELS, Region

CROP_H, CROP_W = 64, 256
CHANNELS = 2  # normalised ink darkness, colourfulness (blue/red pen against black print)
# Detector scores below this are never verified (nor reported) when a verifier is on: with the
# default weight they could not end above 0.17, and each verified region costs a crop.
PROPOSAL_FLOOR = 0.03
# metadata key of a detector ONNX file that carries its verifier (penmark.model.bundle)
VERIFIER_KEY = "verifier_onnx"


def decode_embedded(value: str) -> bytes:
    """The verifier's ONNX bytes from a detector file's :data:`VERIFIER_KEY` metadata value
    (JSON-encoded base64, as :func:`penmark.model.bundle.embed_verifier` writes it)."""
    return base64.b64decode(json.loads(value))


def _context_box(box: Sequence[float], width: int, height: int) -> tuple[int, int, int, int]:
    """The box grown by a margin of context (some of the print or lines around it)."""
    x0, y0, x1, y1 = (float(v) for v in box)
    h = max(y1 - y0, 1.0)
    w = max(x1 - x0, 1.0)
    my = 0.25 * h + 2
    mx = 0.05 * w + 0.25 * h + 2
    return (
        max(int(np.floor(x0 - mx)), 0),
        max(int(np.floor(y0 - my)), 0),
        min(int(np.ceil(x1 + mx)), width),
        min(int(np.ceil(y1 + my)), height),
    )


def verifier_crop(image: Image.Image, box: Sequence[float]) -> np.ndarray:
    """``(CHANNELS, CROP_H, CROP_W)`` float32 input for one box of an RGB page.

    The box plus context is scaled to fit ``CROP_H x CROP_W`` (aspect kept, centred, the rest
    left blank = paper). Channel 0 is ink darkness normalised by the crop's own paper and ink
    levels (scan brightness and paper tint differ between sources); channel 1 is chroma.
    """
    cx0, cy0, cx1, cy1 = _context_box(box, image.width, image.height)
    out = np.zeros((CHANNELS, CROP_H, CROP_W), np.float32)
    if cx1 - cx0 < 2 or cy1 - cy0 < 2:
        return out
    crop = image.crop((cx0, cy0, cx1, cy1))
    if crop.mode != "RGB":
        crop = crop.convert("RGB")
    scale = min(CROP_H / crop.height, CROP_W / crop.width)
    nw = max(1, min(CROP_W, round(crop.width * scale)))
    nh = max(1, min(CROP_H, round(crop.height * scale)))
    rgb = np.asarray(crop.resize((nw, nh), Image.BILINEAR), np.float32)
    gray = rgb.mean(axis=2)
    paper = np.percentile(gray, 90)
    ink = np.percentile(gray, 2)
    dark = np.clip((paper - gray) / max(paper - ink, 40.0), 0.0, 1.0)
    chroma = (rgb.max(axis=2) - rgb.min(axis=2)) / 255.0
    oy, ox = (CROP_H - nh) // 2, (CROP_W - nw) // 2
    out[0, oy : oy + nh, ox : ox + nw] = dark
    out[1, oy : oy + nh, ox : ox + nw] = chroma
    return out


def combine_scores(
    det: np.ndarray,
    prob: np.ndarray,
    weight: float | np.ndarray = 0.5,
    veto_at: float | np.ndarray | None = None,
) -> np.ndarray:
    """Detector score and verifier probability -> region score; ``weight`` and ``veto_at`` are
    one number or one per region.

    Two rules. Geometric (``veto_at`` None): ``det^(1-w) * p^w``, both must agree, a sure
    verifier can lift a weak detection. Veto (``veto_at`` = t): ``det * min(1, p/t)^w``, a
    verifier at or above ``t`` leaves the score alone and only doubt lowers it, so the detector's
    calibration (and a threshold chosen for it) holds for what the verifier accepts.
    """
    det = np.clip(det, 1e-6, 1.0)
    prob = np.clip(prob, 1e-6, 1.0)
    if veto_at is not None:
        return (det * np.minimum(1.0, prob / veto_at) ** weight).astype(np.float32)
    return np.exp((1.0 - weight) * np.log(det) + weight * np.log(prob)).astype(np.float32)


def parse_weights(spec: str | float | dict, labels: Sequence[str] = LABELS) -> dict[str, float]:
    """Score weight per label from ``0.35``, ``"0.35"``, ``"handwritten=0.5,signature=0"`` or
    a dict (labels not named get 0: their detector score is kept)."""
    return _per_label(spec, labels, missing=0.0, what="verifier weights")


def parse_veto(spec: str | float | dict, labels: Sequence[str] = LABELS) -> dict[str, float]:
    """Veto bar per label, same forms as :func:`parse_weights` (labels not named get 0.5)."""
    out = _per_label(spec, labels, missing=0.5, what="veto bars")
    if any(v <= 0.0 for v in out.values()):
        raise ValueError(f"veto bars must be in (0, 1]: {out}")
    return out


def _per_label(
    spec: str | float | dict, labels: Sequence[str], missing: float, what: str
) -> dict[str, float]:
    if isinstance(spec, dict):
        out = {k: float(v) for k, v in spec.items()}
    elif isinstance(spec, str) and "=" in spec:
        out = {}
        for part in spec.split(","):
            key, _, value = part.partition("=")
            out[key.strip()] = float(value)
    else:
        return {k: float(spec) for k in labels}
    unknown = set(out) - set(labels)
    if unknown:
        raise ValueError(f"unknown labels in {what}: {sorted(unknown)}")
    if any(not 0.0 <= w <= 1.0 for w in out.values()):
        raise ValueError(f"{what} must be in [0, 1]: {out}")
    return {k: out.get(k, missing) for k in labels}


class Verifier:
    """ONNX crop classifier: ``probabilities(image, boxes) -> (N, len(labels))``.

    Output ``k`` is the probability that the box holds label ``k`` (independent sigmoids: a
    box may be neither, which is what print is). ``label_weights`` (from the file's
    ``score_weight`` metadata: one number or one per label) says how much the verifier counts
    for each label; a label with weight 0 is not verified at all.
    """

    def __init__(
        self, weights: str | os.PathLike | bytes, num_threads: int | None = None, batch: int = 32
    ) -> None:
        from penmark.runtime.session import cpu_session

        self.weights = weights if isinstance(weights, bytes) else Path(weights)
        self.session = cpu_session(self.weights, num_threads)
        meta = {
            k: json.loads(v) for k, v in self.session.get_modelmeta().custom_metadata_map.items()
        }
        self.metadata = meta
        self.labels: tuple[str, ...] = tuple(meta.get("labels", LABELS))
        self.label_weights = parse_weights(meta.get("score_weight", 0.5), self.labels)
        veto = meta.get("veto_at")
        self.veto_at: dict[str, float] | None = None if veto is None else parse_veto(
            veto, self.labels
        )
        self.batch = batch

    @property
    def weight(self) -> float:
        """The largest label weight (what bounds how far a score can rise)."""
        return max(self.label_weights.values())

    def proposal_threshold(self, threshold: float) -> float:
        """The detector score below which a region cannot reach ``threshold`` after rescoring:
        ``threshold`` itself under the veto rule (scores only fall), ``threshold^(1/(1-w))``
        under the geometric one; never below :data:`PROPOSAL_FLOOR`."""
        if self.veto_at is not None:
            return threshold
        if self.weight >= 1.0:  # the verifier alone decides
            return PROPOSAL_FLOOR
        return max(threshold ** (1.0 / (1.0 - self.weight)), PROPOSAL_FLOOR)

    def probabilities(self, image: Image.Image, boxes: Sequence[Sequence[float]]) -> np.ndarray:
        if len(boxes) == 0:
            return np.zeros((0, len(self.labels)), np.float32)
        if image.mode != "RGB":
            image = image.convert("RGB")
        return self.predict_crops(np.stack([verifier_crop(image, b) for b in boxes]))

    def predict_crops(self, crops: np.ndarray) -> np.ndarray:
        """Probabilities ``(N, len(labels))`` of prepared crops (:func:`verifier_crop` output,
        float32 in 0..1), run in batches of ``self.batch``."""
        outs = [
            self.session.run(None, {"crops": crops[i : i + self.batch]})[0]
            for i in range(0, len(crops), self.batch)
        ]
        if not outs:
            return np.zeros((0, len(self.labels)), np.float32)
        return np.concatenate(outs).astype(np.float32)

    def rescore(self, image: Image.Image, regions: Sequence[Region]) -> list[Region]:
        """Each region's score becomes the weighted geometric mean of its detector score and the
        verifier's probability of its label (boxes, labels and order unchanged)."""
        todo = [i for i, r in enumerate(regions) if self.label_weights.get(r.label, 0.0) > 0]
        out = list(regions)
        if not todo:
            return out
        probs = self.probabilities(image, [regions[i].box for i in todo])
        cols = np.array([self.labels.index(regions[i].label) for i in todo])
        p = probs[np.arange(len(todo)), cols]
        det = np.array([regions[i].score for i in todo], np.float32)
        w = np.array([self.label_weights[regions[i].label] for i in todo], np.float32)
        veto = None
        if self.veto_at is not None:
            veto = np.array([self.veto_at[regions[i].label] for i in todo], np.float32)
        for i, s in zip(todo, combine_scores(det, p, w, veto), strict=True):
            out[i] = replace(regions[i], score=float(s))
        return out

"""Page orientation (0/90/180/270) from projection profiles, and mapping boxes back.

Why a heuristic and not the detector: the detector is trained on upright pages; scanning a page
sideways or upside down is common in archives. Text lines leave a clear signature in cheap
statistics of a small binarized thumbnail:

* **sideways or not** - rows of an upright page alternate between ink (text lines) and blank
  (line gaps); its columns do not. We compare the share of blank rows in narrow vertical strips
  with the share of blank columns in narrow horizontal strips (strips keep +-5 degree skew from
  smearing the gaps).
* **upside down or not** - in Latin script ascenders and capitals (b d f h k l t, A-Z, 0-9) are
  far more common than descenders (g j p q y), so each text line has more ink above its x-height
  band than below; and lines start at a straight left margin but end ragged. Both cues flip when
  the page is rotated by 180 degrees.

Cost: one ~1000 px grey thumbnail and a few numpy reductions, a few ms per page (measured in
``penmark bench``). Low confidence (blank pages, photos, tables) keeps the page as it is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from penmark.region import Region

ANGLES = (0, 90, 180, 270)
THUMB_SIDE = 1024  # the detector input size: the pipeline passes a copy this size


@dataclass(frozen=True)
class Orientation:
    """``angle``: counter-clockwise degrees to rotate the displayed page to make it upright (as in
    :meth:`PIL.Image.Image.rotate`). ``confidence`` in 0..1; ``sideways`` and ``flip`` are the two
    raw cues (positive = evidence for the chosen answer)."""

    angle: int
    confidence: float
    sideways: float = 0.0
    flip: float = 0.0


def gray_copy(image: Image.Image, side: int = THUMB_SIDE) -> np.ndarray:
    """The page in grey, shrunk so its long side is at most ``side`` (uint8 ``(H, W)``)."""
    gray = image.convert("L")
    scale = side / max(gray.size)
    if scale < 1:
        gray = gray.resize(
            (max(1, round(gray.width * scale)), max(1, round(gray.height * scale))),
            Image.BILINEAR,
            reducing_gap=2.0,
        )
    return np.asarray(gray, dtype=np.uint8)


def _thumbnail_ink(image: Image.Image, side: int = THUMB_SIDE) -> np.ndarray:
    g = gray_copy(image, side)
    return g < _otsu(g)


def _otsu(gray: np.ndarray) -> float:
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128.0
    levels = np.arange(256, dtype=np.float64)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    mean_all = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * w0 / total - m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0
    t = float(np.argmax(between))
    return min(t + 0.5, 200.0)  # never call light grey paper texture "ink"


def _blank_share(ink: np.ndarray, strip: int) -> float:
    """Mean share of blank rows inside the inked extent of each vertical strip of ``ink``."""
    h, w = ink.shape
    shares, weights = [], []
    for x in range(0, w, strip):
        block = ink[:, x : x + strip]
        prof = block.sum(axis=1)
        if prof.sum() < 0.002 * block.size:
            continue
        rows = np.nonzero(prof)[0]
        inner = prof[rows[0] : rows[-1] + 1]
        if len(inner) < 8:
            continue
        blank = inner <= max(1, 0.02 * block.shape[1])
        shares.append(blank.mean())
        weights.append(prof.sum())
    if not shares:
        return 0.0
    return float(np.average(shares, weights=weights))


def _lines(prof: np.ndarray, min_ink: float) -> list[tuple[int, int]]:
    on = prof > min_ink
    edges = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return [(s, e) for s, e in zip(starts, ends, strict=True) if e - s >= 4]


def _flip_score(ink: np.ndarray, strip: int) -> tuple[float, float]:
    """Evidence that horizontal-line ``ink`` is upright (>0) or upside down (<0).

    Returns ``(ascender_score, margin_score)``, each in -1..1.
    """
    h, w = ink.shape
    asc_total = desc_total = 0.0
    starts: list[float] = []
    ends: list[float] = []
    segments: list[np.ndarray] = []
    for x in range(0, w, strip):
        block = ink[:, x : x + strip]
        prof = block.sum(axis=1).astype(np.float64)
        segments += [prof[s:e] for s, e in _lines(prof, max(1.0, 0.02 * block.shape[1]))]
    if segments:
        # Only lines of the body text size: two lines merged by tight spacing or noise, rules,
        # and specks would each put their "x-height band" in the wrong place (on real fax-like
        # scans this filter removed 4 of every 5 wrong answers).
        typical = float(np.median([len(p) for p in segments]))
        for p in segments:
            if not 0.5 * typical <= len(p) <= 1.8 * typical:
                continue
            core = np.nonzero(p >= 0.5 * p.max())[0]
            top, bottom = core[0], core[-1] + 1
            asc_total += p[:top].sum()
            desc_total += p[bottom:].sum()
    asc = (asc_total - desc_total) / max(asc_total + desc_total, 1.0)
    # margins: where lines start/end along full-width rows
    prof_full = ink.sum(axis=1)
    for s, e in _lines(prof_full.astype(np.float64), max(1.0, 0.01 * w)):
        cols = np.nonzero(ink[s:e].any(axis=0))[0]
        if len(cols) > 0.15 * w:
            starts.append(cols[0])
            ends.append(cols[-1])
    margin = 0.0
    if len(starts) >= 4:
        s_spread = _spread(np.array(starts))
        e_spread = _spread(np.array(ends))
        margin = (e_spread - s_spread) / max(e_spread + s_spread, 1.0)
    return float(asc), float(margin)


def skew_angle(ink: np.ndarray, max_angle: float = 6.0, step: float = 0.5) -> float:
    """Skew (degrees, as :meth:`PIL.Image.Image.rotate` takes it to level the lines) of
    horizontal text lines: the shear whose row profile is sharpest.

    Works on the ink pixel coordinates (one ``bincount`` per candidate angle), not on rotated
    images: for a few degrees a shear and a rotation give the same row profile.
    """
    ys, xs = np.nonzero(ink)
    if len(ys) > 200_000:  # a dark photo: subsample, the profile shape is what matters
        keep = np.random.default_rng(0).choice(len(ys), 200_000, replace=False)
        ys, xs = ys[keep], xs[keep]
    if len(ys) == 0:
        return 0.0
    xc = xs.astype(np.float32) - ink.shape[1] / 2
    yf = ys.astype(np.float32)
    pad = int(abs(np.tan(np.radians(max_angle))) * ink.shape[1]) + 2
    best, best_score = 0.0, -1.0
    for a in np.arange(-max_angle, max_angle + 1e-9, step):
        rows = (yf - xc * np.float32(np.tan(np.radians(a)))).astype(np.int32) + pad
        prof = np.bincount(rows).astype(np.float64)
        score = float((prof * prof).sum())
        if score > best_score:
            best, best_score = float(a), score
    return best


def _deskew(ink: np.ndarray) -> np.ndarray:
    angle = skew_angle(ink)
    if abs(angle) < 0.25:
        return ink
    img = Image.fromarray(ink.astype(np.uint8) * 255).rotate(angle, resample=Image.BILINEAR)
    return np.asarray(img) > 127


def _spread(values: np.ndarray) -> float:
    """Robust spread: share of lines not within 1% of the page width of the median edge."""
    med = np.median(values)
    return float(np.mean(np.abs(values - med) > 4)) * 100.0


def _drop_solid(ink: np.ndarray, block: int = 16, density: float = 0.6) -> np.ndarray:
    """Blank out solid areas (scanner borders, black bars, photos): not text, and heavy enough
    to outweigh every text line in the profiles."""
    h, w = ink.shape
    hb, wb = h // block, w // block
    if hb == 0 or wb == 0:
        return ink
    core = ink[: hb * block, : wb * block].reshape(hb, block, wb, block).mean(axis=(1, 3))
    solid = core > density
    if not solid.any():
        return ink
    out = ink.copy()
    mask = np.repeat(np.repeat(solid, block, axis=0), block, axis=1)
    out[: hb * block, : wb * block][mask] = False
    return out


def detect_orientation(
    image: Image.Image, min_sideways: float = 0.1, min_flip: float = 0.15
) -> Orientation:
    """Guess how the displayed page must be rotated (CCW) to read upright.

    Most pages arrive upright, so the page is only turned on clear evidence: lines must run
    across the other axis by a margin (``min_sideways``, difference of blank-line shares) to
    turn it by 90/270, and the ascender/margin cue must clearly say "upside down"
    (``min_flip``) to turn it by 180. Blank and non-text pages stay as they are. The defaults
    were chosen on real scans (``benchmarks/orientation_real.py``).
    """
    ink = _drop_solid(_thumbnail_ink(image))
    if ink.sum() < 0.001 * ink.size:
        return Orientation(0, 0.0)
    strip = max(16, round(max(ink.shape) / 24))
    rows_blank = _blank_share(ink, strip)  # high when lines are horizontal
    cols_blank = _blank_share(ink.T, strip)  # high when lines are vertical
    sideways = cols_blank - rows_blank
    turned = sideways > min_sideways
    horizontal = np.rot90(ink, k=-1) if turned else ink  # rotate so lines run across
    horizontal = _deskew(horizontal)
    asc, margin = _flip_score(horizontal, strip)
    flip = 0.85 * asc + 0.15 * margin  # weights chosen on real scans (benchmarks/)
    if turned:
        # np.rot90(k=-1) is a clockwise turn, i.e. PIL rotate(-90) == rotate(270). A sideways
        # page is turned either way (left sideways it is as wrong as upside down).
        angle = 270 if flip >= 0 else 90
    else:
        angle = 180 if flip < -min_flip else 0
    confidence = min(1.0, abs(sideways) * 4) * min(1.0, abs(flip) * 4)
    return Orientation(angle, confidence, sideways, flip)


def rotate_box(
    box: Sequence[float], angle: int, width: float, height: float
) -> tuple[float, float, float, float]:
    """Map a box on an image ``rotate(angle, expand=True)``-ed from a ``width x height`` original
    back to the original's coordinates (``angle`` CCW, multiple of 90)."""
    x0, y0, x1, y1 = (float(v) for v in box)
    a = angle % 360
    if a == 0:
        return (x0, y0, x1, y1)
    if a == 90:  # original (x, y) -> rotated (y, W - x)
        return (width - y1, x0, width - y0, x1)
    if a == 180:
        return (width - x1, height - y1, width - x0, height - y0)
    if a == 270:  # original (x, y) -> rotated (H - y, x)
        return (y0, height - x1, y1, height - x0)
    raise ValueError(f"angle must be a multiple of 90, got {angle}")


def unrotate_regions(
    regions: Sequence[Region], angle: int, width: float, height: float
) -> list[Region]:
    """Regions found on the upright (rotated) page -> boxes on the page as displayed."""
    from dataclasses import replace

    if angle % 360 == 0:
        return list(regions)
    return [replace(r, box=rotate_box(r.box, angle, width, height)) for r in regions]


DEFAULT_CLASSIFIER = "penmark-orient-v2"


def shared_classifier(
    weights: str | None = None, num_threads: int | None = None
) -> OrientationClassifier:
    """One :class:`OrientationClassifier` per weights file and thread count in this process
    (batch workers, Spark executors and the server each load it once)."""
    key = (weights, num_threads)
    clf = _CLASSIFIERS.get(key)
    if clf is None:
        clf = _CLASSIFIERS[key] = OrientationClassifier(weights, num_threads=num_threads)
    return clf


_CLASSIFIERS: dict[tuple[str | None, int | None], OrientationClassifier] = {}


def _classifier_path(weights: str | os.PathLike | None) -> Path:
    """An ONNX file, or the name of one shipped in the package (default: the current one)."""
    from importlib import resources

    name = DEFAULT_CLASSIFIER if weights is None else str(weights)
    if name.startswith("penmark-orient-") and not name.endswith(".onnx") and os.sep not in name:
        return Path(str(resources.files("penmark.weights").joinpath(f"{name}.onnx")))
    return Path(weights)


class OrientationClassifier:
    """The learned orientation check: a small CNN (:mod:`penmark.model.orientation`) that reads
    the page's grey copy and says which of the four turns makes it upright. ``weights``: an
    ONNX file or the name of a shipped one (default :data:`DEFAULT_CLASSIFIER`).

    Why next to the heuristic: upside-down cues in the projections are weak on short text
    (cheques: capitals and digits) and fax noise; the network sees letter shapes. A page is only
    turned when the network is at least ``min_confidence`` sure, since most pages arrive upright,
    and (``confirm``) when the page so turned then reads as upright.
    """

    def __init__(
        self, weights: str | os.PathLike | None = None, min_confidence: float = 0.5,
        num_threads: int | None = None, confirm: bool = True,
    ) -> None:
        from penmark.runtime.session import cpu_session

        self.weights = _classifier_path(weights)
        if not self.weights.is_file():
            raise FileNotFoundError(f"orientation weights not found: {self.weights}")
        self.session = cpu_session(self.weights, num_threads)
        self.min_confidence = float(min_confidence)
        self.confirm = bool(confirm)

    def probabilities(self, gray: np.ndarray) -> np.ndarray:
        """Probabilities of the four turns (:data:`ANGLES`) for a grey page copy (uint8)."""
        x = (1.0 - gray.astype(np.float32) / 255.0)[None, None]
        h, w = gray.shape
        ph, pw = (-h) % 32, (-w) % 32  # whole 32-px cells; padding is blank paper (0 ink)
        if ph or pw:
            x = np.pad(x, ((0, 0), (0, 0), (0, ph), (0, pw)))
        return self.session.run(None, {"page": x})[0][0]

    def __call__(self, image: Image.Image) -> Orientation:
        gray = gray_copy(image)
        probs = self.probabilities(gray)
        k = int(np.argmax(probs))
        if k == 0 or probs[k] < self.min_confidence:
            return Orientation(0, float(probs[0]))
        if self.confirm:
            # The page turned by k must then read as upright. A page without orientation cues
            # (rules, a symmetric form) reads the same either way and fails this; a page that
            # really is turned passes. Only pages the first pass would turn pay the second.
            again = self.probabilities(np.ascontiguousarray(np.rot90(gray, k)))
            if again[0] < self.min_confidence:
                return Orientation(0, float(probs[0]))
            return Orientation(ANGLES[k], float(min(probs[k], again[0])))
        return Orientation(ANGLES[k], float(probs[k]))

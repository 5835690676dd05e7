"""The :class:`Detector`: shipped ONNX weights + pre/post-processing, numpy and onnxruntime only."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image

from penmark.io import ImageInput, load_image
from penmark.region import LABELS, Region
from penmark.runtime.postprocess import decode, to_regions
from penmark.runtime.preprocess import prepare
from penmark.runtime.twins import PrintCheck
from penmark.runtime.verify import VERIFIER_KEY, Verifier, decode_embedded

DEFAULT_MODEL = "penmark-hw-sig-v7"
# best pooled val F1 of penmark-hw-sig-v7 (int8; v6, v5 and v4 too), ties within 0.005 to the lower
# (MODEL_CARD.md); v2 and v3 were used at 0.35
DEFAULT_THRESHOLD = 0.40
# On by default: the print check (penmark.runtime.twins) halves the score of handwritten regions
# whose ink repeats a glyph pixel for pixel (experiments/README.md, session 13).
DEFAULT_PRINT_CHECK = True

# name -> file inside penmark/weights. Later versions ship beside earlier ones (results stay
# reproducible); MODEL_CARD.md scores each. "-fp32" is the newest network unquantized (reference;
# ~3x slower on CPU, same val AP within noise). v6 is v5's detector with a verifier inside
# (penmark.runtime.verify); Detector(..., verifier=False) on it reproduces v5. v7 is a new
# detector (session 8's v19 step 1,000) with v6's verifier.
_REGISTRY: dict[str, str] = {
    "penmark-hw-sig-v7": "penmark-hw-sig-v7.onnx",
    "penmark-hw-sig-v7-fp32": "penmark-hw-sig-v7-fp32.onnx",
    "penmark-hw-sig-v6": "penmark-hw-sig-v6.onnx",
    "penmark-hw-sig-v5": "penmark-hw-sig-v5.onnx",
    "penmark-hw-sig-v4": "penmark-hw-sig-v4.onnx",
    "penmark-hw-sig-v3": "penmark-hw-sig-v3.onnx",
    "penmark-hw-sig-v2": "penmark-hw-sig-v2.onnx",
    "penmark-hw-sig-v1": "penmark-hw-sig-v1.onnx",
}


def available_models() -> list[str]:
    """Names accepted by :meth:`Detector.pretrained`."""
    return sorted(_REGISTRY)


def _weights_path(name: str) -> Path:
    if name not in _REGISTRY:
        raise ValueError(f"unknown pretrained model {name!r}; available: {available_models()}")
    path = Path(str(resources.files("penmark.weights").joinpath(_REGISTRY[name])))
    if not path.exists():
        raise FileNotFoundError(f"weights file for {name!r} is missing from the package: {path}")
    return path


class Detector:
    """Finds ``handwritten`` and ``signature`` regions on page images.

    >>> det = Detector.pretrained()
    >>> regions = det.detect("page.jpg")            # list[Region], boxes in page pixels

    ``threshold`` (default :data:`DEFAULT_THRESHOLD`) drops low-scoring regions; ``labels`` keeps
    only those classes.
    ``num_threads`` sets onnxruntime's intra-op threads (use 1 per worker process).
    ``cross_class_iou`` (off by default) drops the weaker of a signature/handwritten pair whose
    boxes overlap by more than this IoU (cleaner drawings, slightly lower signature AP).
    ``verifier`` (a :class:`~penmark.runtime.verify.Verifier` or its ONNX file) rescores each
    region from a crop at page resolution. By default the verifier embedded in the weights file
    is used, if it has one (:mod:`penmark.model.bundle`); ``verifier=False`` runs the detector
    alone. ``print_check`` (:class:`~penmark.runtime.twins.PrintCheck`; ``True`` for its
    defaults, ``False`` for none, ``None`` for :data:`DEFAULT_PRINT_CHECK`) lowers the score of
    handwritten regions whose ink repeats a glyph pixel for pixel, as only print does.
    """

    def __init__(
        self,
        weights: str | os.PathLike,
        threshold: float = DEFAULT_THRESHOLD,
        labels: Sequence[str] | None = None,
        input_size: int | None = None,
        num_threads: int | None = None,
        name: str | None = None,
        cross_class_iou: float | None = None,
        verifier: Verifier | str | os.PathLike | bool | None = None,
        print_check: PrintCheck | bool | None = None,
    ) -> None:
        from penmark.runtime.session import cpu_session

        self.weights = Path(weights)
        self.name = name or self.weights.stem
        self.session = cpu_session(self.weights, num_threads)
        raw = dict(self.session.get_modelmeta().custom_metadata_map)
        embedded = raw.pop(VERIFIER_KEY, None)  # bytes, not shown as metadata
        meta = {k: json.loads(v) for k, v in raw.items()}
        self.metadata = meta
        self.model_labels: tuple[str, ...] = tuple(meta.get("labels", LABELS))
        self.stride: int = int(meta.get("stride", 8))
        self.pad_multiple: int = int(meta.get("pad_multiple", 32))
        self.input_size: int = int(input_size or meta.get("input_size", 1024))
        self.threshold = float(threshold)
        self.labels = self._check_labels(labels)
        # Off by default: suppressing the weaker of a signature/handwritten pair on the same ink
        # gives cleaner drawings but was measured to cost signature AP (experiments/README.md).
        self.cross_class_iou = cross_class_iou
        self.verifier: Verifier | None = self._load_verifier(verifier, embedded, num_threads)
        if print_check is None:
            print_check = DEFAULT_PRINT_CHECK
        if print_check is True:
            print_check = PrintCheck()
        self.print_check: PrintCheck | None = print_check or None

    def _load_verifier(
        self,
        verifier: Verifier | str | os.PathLike | bool | None,
        embedded: str | None,
        num_threads: int | None,
    ) -> Verifier | None:
        if verifier is False:
            return None
        if isinstance(verifier, Verifier):
            return verifier
        if verifier is None or verifier is True:
            if embedded is None:
                if verifier is True:
                    raise ValueError(f"{self.weights} has no embedded verifier")
                return None
            return Verifier(decode_embedded(embedded), num_threads=num_threads)
        return Verifier(verifier, num_threads=num_threads)

    @classmethod
    def pretrained(cls, name: str = DEFAULT_MODEL, **kwargs) -> Detector:
        """Load named weights shipped inside the package (nothing is downloaded)."""
        return cls(_weights_path(name), name=name, **kwargs)

    def _check_labels(self, labels: Iterable[str] | None) -> tuple[str, ...]:
        if labels is None:
            return self.model_labels
        labels = tuple(labels)
        unknown = [x for x in labels if x not in self.model_labels]
        if unknown:
            raise ValueError(f"unknown labels {unknown}; the model knows {list(self.model_labels)}")
        return labels

    def predict_raw(self, tensor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        heat, ltrb = self.session.run(None, {"image": tensor})
        return heat, ltrb

    def detect(
        self,
        image: ImageInput,
        threshold: float | None = None,
        labels: Sequence[str] | None = None,
        page: int = 0,
    ) -> list[Region]:
        """Detect regions on one page; boxes are ``(x0, y0, x1, y1)`` in the page's pixels."""
        pil: Image.Image = load_image(image)
        thr = self.threshold if threshold is None else float(threshold)
        keep_labels = self.labels if labels is None else self._check_labels(labels)
        tensor, box = prepare(pil, self.input_size, self.pad_multiple)
        heat, ltrb = self.predict_raw(tensor)
        proposal_thr = self._proposal_threshold(thr)
        boxes, scores, classes = decode(heat[0], ltrb[0], self.stride, proposal_thr)
        regions = to_regions(
            boxes,
            scores,
            classes,
            self.model_labels,
            (box.scale_x, box.scale_y),
            box.width,
            box.height,
            page,
            cross_class_iou=self.cross_class_iou,
        )
        regions = [r for r in regions if r.label in keep_labels]
        if self.verifier is not None:
            regions = [r for r in self.verifier.rescore(pil, regions) if r.score >= thr]
        if self.print_check is not None:
            regions = [r for r in self.print_check.apply(pil, regions, thr) if r.score >= thr]
        regions.sort(key=lambda r: -r.score)
        return regions

    def _proposal_threshold(self, thr: float) -> float:
        """Detector-score threshold that can still reach ``thr`` after verification."""
        return thr if self.verifier is None else self.verifier.proposal_threshold(thr)

    def __repr__(self) -> str:
        return (
            f"Detector(name={self.name!r}, threshold={self.threshold}, "
            f"input_size={self.input_size})"
        )

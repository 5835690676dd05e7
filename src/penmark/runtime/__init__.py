"""ONNX inference: pre-processing, the :class:`Detector`, post-processing. No torch here."""

from penmark.runtime.detector import Detector, available_models

__all__ = ["Detector", "available_models"]

"""Network definition and ONNX export (needs the ``[train]`` extra: torch).

Nothing under :mod:`penmark.model` is imported by inference code; the runtime reads the exported
ONNX file only.
"""

from penmark.model.net import MODEL_CONFIGS, PenmarkNet, create_model

__all__ = ["MODEL_CONFIGS", "PenmarkNet", "create_model"]

"""Pretrained ONNX weights shipped with penmark (Apache-2.0). See MODEL_CARD.md."""

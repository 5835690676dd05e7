"""Experiment: static int8 quantization of the detector, for the speed target.

    python benchmarks/quantize_int8.py --out /tmp/penmark-int8.onnx \
        --calib ../shared/datasets/gsa_leases/train --pages 16

Quantizes an ONNX detector (default: the shipped weights) with onnxruntime's static QDQ
quantization (per-channel int8 weights, uint8 activations), calibrated on page images prepared
exactly as the runtime prepares them, then reports CPU ms per page on one thread for both models
and how far the raw outputs move. Accuracy must then be checked with
``penmark evaluate --weights <out> ...`` on real labelled pages before shipping anything.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from PIL import Image


def _tensors(calib: Path | None, pages: int, input_size: int) -> list[np.ndarray]:
    from penmark.cli.bench import make_page
    from penmark.runtime.preprocess import prepare

    images: list[Image.Image] = []
    if calib is not None:
        for f in sorted(calib.iterdir())[:pages]:
            with Image.open(f) as im:
                images.append(im.convert("RGB"))
    while len(images) < pages:
        images.append(make_page(len(images)))
    return [prepare(im, input_size, 32)[0] for im in images]


def _cpu_ms(path: str, tensors: list[np.ndarray]) -> tuple[float, list]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    sess.run(None, {"image": tensors[0]})
    t = time.process_time()
    outs = [sess.run(None, {"image": x}) for x in tensors]
    return 1000 * (time.process_time() - t) / len(tensors), outs


def main() -> None:
    from penmark.model.export import quantize_int8
    from penmark.runtime.detector import _weights_path

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", type=Path, default=None, help="ONNX file (default: shipped).")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--calib", type=Path, default=None, help="Folder of page images.")
    ap.add_argument("--pages", type=int, default=16)
    ap.add_argument("--input-size", type=int, default=1024)
    args = ap.parse_args()
    src = str(args.weights or _weights_path("penmark-hw-sig-v1"))
    tensors = _tensors(args.calib, args.pages, args.input_size)

    quantize_int8(src, args.out, tensors)
    fp32_ms, fp32 = _cpu_ms(src, tensors)
    int8_ms, int8 = _cpu_ms(str(args.out), tensors)
    heat = max(float(np.abs(a[0] - b[0]).max()) for a, b in zip(fp32, int8, strict=True))
    box = max(float(np.abs(a[1] - b[1]).max()) for a, b in zip(fp32, int8, strict=True))
    print(f"fp32 {fp32_ms:.0f} ms/page, int8 {int8_ms:.0f} ms/page (one thread, CPU time)")
    print(f"max |diff|: heat {heat:.4f}, box distances {box:.3f} px; wrote {args.out}")


if __name__ == "__main__":
    main()

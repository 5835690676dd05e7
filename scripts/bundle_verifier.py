"""Make a shipped model file: a detector ONNX with a verifier inside (penmark.model.bundle).

    python scripts/bundle_verifier.py --detector src/penmark/weights/penmark-hw-sig-v5.onnx \\
        --verifier runs/verifier2/verifier.onnx --weight 0.35 --name penmark-hw-sig-v6 \\
        --out src/penmark/weights/penmark-hw-sig-v6.onnx
"""

from __future__ import annotations

import argparse

from penmark.model.bundle import embed_verifier
from penmark.runtime.verify import parse_veto, parse_weights


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detector", required=True)
    ap.add_argument("--verifier", required=True)
    ap.add_argument("--weight", required=True,
                    help="verifier score weight w: one number or handwritten=0.5,signature=0")
    ap.add_argument("--name", required=True, help="registry name written into the file")
    ap.add_argument("--out", required=True)
    ap.add_argument("--veto-at",
                    help="veto rule: p >= this bar leaves the score alone; one number or per "
                    "label (handwritten=0.5,signature=0.2); default: the file's own")
    args = ap.parse_args()
    out = embed_verifier(args.detector, args.verifier, args.out, weight=parse_weights(args.weight),
                         veto_at=parse_veto(args.veto_at) if args.veto_at else None,
                         name=args.name)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

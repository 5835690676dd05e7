#!/bin/bash
# v26: v7 continued with pseudo-labelled handwriting on the real pages that do not label it
# (Tobacco800, signatures_misc and cheque train pages; teacher v7 fp32 + verifier 3; positives
# >= 0.6, unsure regions >= 0.02 ignored). Declared in experiments/README.md (session 12) before
# it started. Make the pseudo-labelled files first:
#   for s in tobacco800_signatures signatures_misc cheques; do python scripts/pseudo_label.py \
#     --data $D/$s/train.json --out assets_cache/pseudo/$s-train.json \
#     --weights src/penmark/weights/penmark-hw-sig-v7-fp32.onnx --cache runs/preds-v7fp32-train.json; done
cd /work/main && . /work/venv/bin/activate
D=/work/shared/datasets; P=assets_cache/pseudo; SEED=${SEED:-26}
MIX="--data synth:4 --data $D/gsa_leases/train.json:2 --data $P/tobacco800_signatures-train.json:3 --data $P/cheques-train.json:2 --data $P/signatures_misc-train.json:0.5"
exec penmark train $MIX --init checkpoints/penmark-hw-sig-v7.pt --out runs/v26${RUN_SUFFIX:-} --crop 384 --batch 8 --lr 1e-4 --warmup 100 --steps 3000 --keep-every 500 --synth-hard-negatives 0.4 --synth-option real_ink_fraction=0.65 --synth-option hershey_fraction=0.15 --synth-option cheque_scan_fraction=0.7 --synth-option wide_gap_fraction=0.3 --synth-option rotate_fraction=0 --seed $SEED --focus assets_cache/mined-v7ship.json

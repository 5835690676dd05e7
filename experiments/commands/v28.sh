#!/bin/bash
# v28: v7 continued with legible initials on generated pages (two or three capitals in the page
# writer's hand, labelled signature: `legible_initials_fraction=0.4`) and a fresh mining round
# of v7 fp32 + verifier 3 + print check on the train pages. Declared in experiments/README.md
# (session 14) before it started. Make the mined file first (train splits only):
#   python scripts/threshold_sweep.py --data $D/<set>/train.json ... --weights \
#     src/penmark/weights/penmark-hw-sig-v7-fp32.onnx --cache runs/preds-v7pc2-train.json
#   python scripts/mine_hard_negatives.py --from-cache runs/preds-v7pc2-train.json \
#     --data $D/<set>/train.json ... --out assets_cache/mined-v7pc.json
cd /work/main && . /work/venv/bin/activate
D=/work/shared/datasets; SEED=${SEED:-28}
MIX="--data synth:4 --data $D/gsa_leases/train.json:2 --data $D/tobacco800_signatures/train.json:3 --data $D/cheques/train.json:2 --data $D/signatures_misc/train.json:0.5"
exec penmark train $MIX --init checkpoints/penmark-hw-sig-v7.pt --out runs/v28${RUN_SUFFIX:-} --crop 384 --batch 8 --lr 1e-4 --warmup 100 --steps 3000 --keep-every 500 --synth-hard-negatives 0.4 --synth-option real_ink_fraction=0.65 --synth-option hershey_fraction=0.15 --synth-option cheque_scan_fraction=0.7 --synth-option wide_gap_fraction=0.3 --synth-option rotate_fraction=0 --synth-option legible_initials_fraction=0.4 --seed $SEED --focus assets_cache/mined-v7pc.json

#!/bin/bash
# v30: v29 (print-only pages 0.6 of the generated share, 1,500 steps from v7) at half the learning
# rate (5e-5), so the detector moves less from v7 and keeps its real handwriting. Two seeds side by
# side (SEED=30 / 130, RUN_SUFFIX=a / b). Declared in experiments/README.md (session 15).
cd /work/main && . /work/venv/bin/activate
D=/work/shared/datasets; SEED=${SEED:-30}
MIX="--data synth:4 --data $D/gsa_leases/train.json:2 --data $D/tobacco800_signatures/train.json:3 --data $D/cheques/train.json:2 --data $D/signatures_misc/train.json:0.5"
exec penmark train $MIX --init checkpoints/penmark-hw-sig-v7.pt --out runs/v30${RUN_SUFFIX:-} --crop 384 --batch 8 --lr 5e-5 --warmup 100 --steps 1500 --keep-every 500 --threads 1 --synth-hard-negatives 0.6 --synth-option real_ink_fraction=0.65 --synth-option hershey_fraction=0.15 --synth-option cheque_scan_fraction=0.7 --synth-option wide_gap_fraction=0.3 --synth-option rotate_fraction=0 --seed $SEED --focus assets_cache/mined-v7pc.json

#!/bin/bash
# v29: v7 continued 1,500 steps with more print-only generated pages (--synth-hard-negatives $HN,
# v28 had 0.4) and no legible initials; otherwise v28's recipe (mix, lr, mined-v7pc focus).
# Two seeds run side by side, one torch thread each (SEED=29 and SEED=129, RUN_SUFFIX=a / b).
# Declared in experiments/README.md (session 15) before it started. LR and NAME let a variant
# (v30.sh) run the same recipe, CROP too (v32.sh), HN the print-only share (v33.sh); their
# defaults are v29's.
cd /work/main && . /work/venv/bin/activate
D=/work/shared/datasets; SEED=${SEED:-29}; LR=${LR:-1e-4}; NAME=${NAME:-v29}; CROP=${CROP:-384}; HN=${HN:-0.6}
MIX="--data synth:4 --data $D/gsa_leases/train.json:2 --data $D/tobacco800_signatures/train.json:3 --data $D/cheques/train.json:2 --data $D/signatures_misc/train.json:0.5"
exec penmark train $MIX --init checkpoints/penmark-hw-sig-v7.pt --out runs/$NAME${RUN_SUFFIX:-} --crop $CROP --batch 8 --lr $LR --warmup 100 --steps 1500 --keep-every 500 --threads 1 --synth-hard-negatives $HN --synth-option real_ink_fraction=0.65 --synth-option hershey_fraction=0.15 --synth-option cheque_scan_fraction=0.7 --synth-option wide_gap_fraction=0.3 --synth-option rotate_fraction=0 --seed $SEED --focus assets_cache/mined-v7pc.json

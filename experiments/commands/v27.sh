#!/bin/bash
# v27: v7 continued at a 1280-px long side (pages resized to 1280 before cropping; the exported
# file runs pages at 1280). Declared in experiments/README.md (session 12) before it started.
cd /work/main && . /work/venv/bin/activate
D=/work/shared/datasets; SEED=${SEED:-27}
MIX="--data synth:4 --data $D/gsa_leases/train.json:2 --data $D/tobacco800_signatures/train.json:3 --data $D/cheques/train.json:2 --data $D/signatures_misc/train.json:0.5"
exec penmark train $MIX --init checkpoints/penmark-hw-sig-v7.pt --out runs/v27${RUN_SUFFIX:-} --input-size 1280 --crop 448 --batch 6 --lr 1e-4 --warmup 100 --steps 3000 --keep-every 500 --synth-hard-negatives 0.4 --synth-option real_ink_fraction=0.65 --synth-option hershey_fraction=0.15 --synth-option cheque_scan_fraction=0.7 --synth-option wide_gap_fraction=0.3 --synth-option rotate_fraction=0 --seed $SEED --focus assets_cache/mined-v7ship.json

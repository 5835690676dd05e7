#!/bin/bash
# v25: v7 continued with (almost) no font-drawn handwriting on generated pages: handwriting items
# come from the real ink crops (90 %) or Hershey pen paths, so the handwriting fonts appear on
# generated pages only as printed script (hard negatives). Declared in experiments/README.md
# (session 11) before it started. Focus: one fresh mining round of the shipped v7 on train pages.
cd /work/main && . /work/venv/bin/activate
D=/work/shared/datasets
MIX="--data synth:4 --data $D/gsa_leases/train.json:2 --data $D/tobacco800_signatures/train.json:3 --data $D/cheques/train.json:2 --data $D/signatures_misc/train.json:0.5"
exec penmark train $MIX --init checkpoints/penmark-hw-sig-v7.pt --out runs/v25 --crop 384 --batch 8 --lr 1e-4 --warmup 100 --steps 3000 --keep-every 500 --synth-hard-negatives 0.4 --synth-option real_ink_fraction=0.9 --synth-option hershey_fraction=0.6 --synth-option cheque_scan_fraction=0.7 --synth-option wide_gap_fraction=0.3 --synth-option rotate_fraction=0 --seed 25 --focus assets_cache/mined-v7ship.json

#!/bin/bash
# v24: v7 continued on upright pages only (orientation is now the classifier's job) with 512-px
# crops (more page context per crop, closer to whole-page inference). Declared in
# experiments/README.md (session 10) before it started.
cd /work/main && . /work/venv/bin/activate
D=/work/shared/datasets
MIX="--data synth:4 --data $D/gsa_leases/train.json:2 --data $D/tobacco800_signatures/train.json:3 --data $D/cheques/train.json:2 --data $D/signatures_misc/train.json:0.5"
F=""; for m in mined-union2 mined-v2ship mined-v7 mined-v3ship mined-v4ship mined-v5ship; do F="$F --focus assets_cache/$m.json"; done
exec penmark train $MIX --init checkpoints/penmark-hw-sig-v7.pt --out runs/v24 --crop 512 --batch 6 --lr 1e-4 --warmup 100 --steps 4000 --keep-every 500 --synth-hard-negatives 0.4 --synth-option real_ink_fraction=0.65 --synth-option hershey_fraction=0.15 --synth-option cheque_scan_fraction=0.7 --synth-option wide_gap_fraction=0.3 --synth-option rotate_fraction=0 --seed 24 $F

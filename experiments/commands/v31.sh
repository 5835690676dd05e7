#!/bin/bash
# v31: v29's recipe (more print-only generated pages) plus two changes meant to keep real
# handwriting: cheque pages sampled at weight 3 instead of 2 (v29's handwriting loss was on
# cheques), and crops also centred on the 32 train boxes v7pc2 misses at 0.40
# (assets_cache/missed-v7pc.json, from scripts/mine_hard_negatives.py --misses).
# Two seeds side by side, one torch thread each (SEED=31 RUN_SUFFIX=a, SEED=131 RUN_SUFFIX=b).
# Declared in experiments/README.md (session 16) before it started.
cd /work/main && . /work/venv/bin/activate
D=/work/shared/datasets; SEED=${SEED:-31}; NAME=${NAME:-v31}
MIX="--data synth:4 --data $D/gsa_leases/train.json:2 --data $D/tobacco800_signatures/train.json:3 --data $D/cheques/train.json:3 --data $D/signatures_misc/train.json:0.5"
exec penmark train $MIX --init checkpoints/penmark-hw-sig-v7.pt --out runs/$NAME${RUN_SUFFIX:-} --crop 384 --batch 8 --lr 1e-4 --warmup 100 --steps 1500 --keep-every 500 --threads 1 --synth-hard-negatives 0.6 --synth-option real_ink_fraction=0.65 --synth-option hershey_fraction=0.15 --synth-option cheque_scan_fraction=0.7 --synth-option wide_gap_fraction=0.3 --synth-option rotate_fraction=0 --seed $SEED --focus assets_cache/mined-v7pc.json --focus assets_cache/missed-v7pc.json

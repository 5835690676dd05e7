#!/bin/bash
cd /work/main && . /work/venv/bin/activate
while [ ! -f runs/v16/step002000.pt ]; do sleep 10; done; sleep 20
D=/work/shared/datasets
MIX="--data synth:1 --data $D/gsa_leases/train.json:3 --data $D/tobacco800_signatures/train.json:3 --data $D/cheques/train.json:3 --data $D/signatures_misc/train.json:0.5"
F=""; for m in mined-union2 mined-v2ship mined-v7 mined-v3ship mined-v4ship mined-v5ship; do F="$F --focus assets_cache/$m.json"; done
exec penmark train $MIX --init runs/v16/step002000.pt --out runs/v17 --crop 384 --batch 8 --lr 1e-4 --warmup 50 --steps 600 --keep-every 200 --synth-hard-negatives 0.4 --synth-option real_ink_fraction=0.65 --synth-option hershey_fraction=0.15 --seed 17 $F

#!/bin/bash
# Score one candidate the way the release rule reads it (experiments/README.md, "Decision rule", session 4 on):
#   experiments/commands/evalrun.sh TAG MODEL.onnx
# writes runs/eval/TAG-val.txt (threshold sweep: the four val sets + the generated hard-negative
# pages), runs/eval/TAG-heldout.txt (generated pages, seed 300000) and, unless TAG is the
# baseline, runs/eval/TAG-vs-v7.txt (paired bootstrap against v7 fp32 + verifier 3 + print check).
# Needs data/hardneg (penmark synth --count 200 --seed 100000 --hard-negative-fraction 1.0)
# and data/heldout (penmark synth --count 150 --seed 300000). DATASETS overrides ../shared/datasets.
set -euo pipefail
cd "$(dirname "$0")/../.."  # the repository; run it in the environment penmark is installed in
TAG=$1; MODEL=$2; BASE=v7pc2
D=${DATASETS:-../shared/datasets}
VAL=(--data $D/tobacco800_signatures/val.json --data $D/gsa_leases/val.json
     --data $D/cheques/val.json --data $D/signatures_misc/val.json)
mkdir -p runs/eval
python scripts/threshold_sweep.py "${VAL[@]}" --data data/hardneg/annotations.json \
  --weights "$MODEL" --cache runs/preds-$TAG.json > runs/eval/$TAG-val.txt
python scripts/threshold_sweep.py --data data/heldout/annotations.json --thresholds 0.3,0.35,0.4 \
  --weights "$MODEL" --cache runs/preds-$TAG-heldout.json > runs/eval/$TAG-heldout.txt
if [ "$TAG" != "$BASE" ]; then
  python scripts/compare_predictions.py --a runs/preds-$BASE.json --b runs/preds-$TAG.json \
    "${VAL[@]}" > runs/eval/$TAG-vs-v7.txt
fi
tail -n 3 runs/eval/$TAG-val.txt

#!/bin/bash
# v30: v29 (print-only pages 0.6 of the generated share, 1,500 steps from v7) at half the learning
# rate (5e-5), so the detector moves less from v7 and keeps its real handwriting. Two seeds side by
# side (SEED=30 / 130, RUN_SUFFIX=a / b). Declared in experiments/README.md (session 15).
SEED=${SEED:-30} LR=5e-5 NAME=v30 exec "$(dirname "$0")/v29.sh"

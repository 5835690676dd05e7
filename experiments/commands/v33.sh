#!/bin/bash
# v33: v32's wide crops, 640 x 384 px (full 384 px height, as v7 saw signatures), with v7's and
# v28's print-only share (--synth-hard-negatives 0.4) instead of v29's 0.6, which cost real
# handwriting in all six v29/v30/v32 seeds. Otherwise v29's recipe (v7 continued, lr 1e-4,
# 1,500 steps, mined-v7pc focus). Two seeds side by side (SEED=33 / 133, RUN_SUFFIX=a / b).
# Declared in experiments/README.md (session 17) before it started.
SEED=${SEED:-33} CROP=640x384 HN=0.4 NAME=v33 exec "$(dirname "$0")/v29.sh"

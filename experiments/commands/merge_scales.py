"""Union of two prediction caches (e.g. two input sizes), class-wise NMS at IoU 0.5, higher score kept.

    python experiments/commands/merge_scales.py runs/preds-v7pc.json runs/preds-v7pc-1280.json OUT.json
(session 13, two-scale inference; failed)."""
import json
import sys

import numpy as np

from penmark.runtime.postprocess import iou_matrix

a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); out={}
for k in a:
    regs=sorted(a[k]+b.get(k,[]), key=lambda r:-r['score']); keep=[]
    for r in regs:
        same=[q['box'] for q in keep if q['label']==r['label']]
        if same and iou_matrix(np.array([r['box']]),np.array(same)).max()>0.5: continue
        keep.append(r)
    out[k]=keep
json.dump(out,open(sys.argv[3],'w'))

"""Hard-negative mining on real train pages: where does the current model fire wrongly?

Crops are mostly taken around labelled objects, so the print that fools the model (letterheads
in script faces, logos, stamps, typed fill-ins, handwritten notes called signatures) is seen
rarely. Mining runs a detector over the *train* pages, keeps its confident predictions that match
no labelled box of their class, and the crop sampler then centres a share of crops on them.
Only classes labelled exhaustively on a page are mined: an unlabelled handwritten note on a
Tobacco800 letter is not a false ``handwritten`` alarm.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from penmark.region import LABELS
from penmark.runtime.postprocess import iou_matrix
from penmark.train.data import PageRecord


def _key(rec: PageRecord) -> str:
    return str(Path(rec.path).resolve())


def false_positives(
    record: PageRecord,
    boxes: np.ndarray,
    labels: list[str],
    iou: float = 0.3,
) -> np.ndarray:
    """Predicted ``boxes`` (xyxy, page pixels) whose class is labelled on ``record`` and that
    overlap no labelled box of that class by ``iou`` or more. Returns an ``(M, 4)`` array."""
    out = []
    for box, label in zip(boxes, labels, strict=True):
        c = LABELS.index(label)
        if not record.labeled[c]:
            continue
        same = record.boxes[record.classes == c]
        if len(same) and iou_matrix(box[None], same).max() >= iou:
            continue
        out.append(box)
    return np.array(out, np.float32).reshape(-1, 4)


def missed(
    record: PageRecord,
    boxes: np.ndarray,
    labels: list[str],
    iou: float = 0.5,
) -> np.ndarray:
    """Labelled boxes of ``record`` that no predicted box of their class (``boxes``, xyxy page
    pixels) overlaps by ``iou`` or more: the real handwriting and signatures the model misses,
    for centring crops on hard positives as well as on false alarms. Returns ``(M, 4)``."""
    out = []
    pred_labels = np.array([LABELS.index(lab) for lab in labels], np.int64)
    for box, c in zip(record.boxes, record.classes, strict=True):
        same = boxes[pred_labels == c] if len(boxes) else boxes
        if len(same) and iou_matrix(box[None], same).max() >= iou:
            continue
        out.append(box)
    return np.array(out, np.float32).reshape(-1, 4)


def mine(
    records: Iterable[PageRecord],
    detect,
    threshold: float = 0.2,
    iou: float = 0.3,
    find=false_positives,
) -> dict[str, list[list[float]]]:
    """Run ``detect(path) -> list[Region]`` on every page; return ``{path: [[x0, y0, x1, y1],
    ...]}`` of the boxes ``find`` picks from its predictions at ``threshold`` (by default its
    false positives; :func:`missed` gives its misses). Pages without any are left out."""
    found: dict[str, list[list[float]]] = {}
    for rec in records:
        regions = [r for r in detect(rec.path) if r.score >= threshold]
        boxes = np.array([r.box for r in regions], np.float32).reshape(-1, 4)
        fp = find(rec, boxes, [r.label for r in regions], iou)
        if len(fp):
            found[_key(rec)] = [[round(float(v), 1) for v in b] for b in fp]
    return found


def attach_focus(records: Iterable[PageRecord], mined: dict[str, list[list[float]]]) -> int:
    """Add each record's mined boxes to its crop ``focus`` (kept: focus boxes it already had);
    returns how many records got some."""
    n = 0
    for rec in records:
        boxes = mined.get(_key(rec))
        if boxes:
            new = np.array(boxes, np.float32).reshape(-1, 4)
            rec.focus = np.concatenate([rec.focus.reshape(-1, 4), new]) if len(rec.focus) else new
            n += 1
    return n


def load_mined(*paths: str | Path) -> dict[str, list[list[float]]]:
    """Union of one or more mining rounds (a page's boxes from every file, exact repeats once):
    later rounds find what earlier fixes missed, and the old false alarms stay worth revisiting."""
    merged: dict[str, list[list[float]]] = {}
    for path in paths:
        for key, boxes in json.loads(Path(path).read_text()).items():
            have = merged.setdefault(key, [])
            have.extend(b for b in boxes if b not in have)
    return merged

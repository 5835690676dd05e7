"""Training crops: the ink and scan augmentations (stroke jitter, scan degradation), their
switches."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image

from penmark.train.data import (
    CropDataset,
    SourceSpec,
    _scan_degrade,
    _stroke_jitter,
    load_coco,
)


def test_stroke_jitter_thins_thickens_and_fades_ink_but_not_paper():
    """The three ink changes do what their names say, and white paper stays white."""
    arr = np.full((60, 120), 255, np.uint8)
    arr[20:25, 10:110] = 0  # a 5 px stroke
    arr[40, 10:110] = 0  # a 1 px stroke
    page = Image.fromarray(arr).convert("RGB")
    seen = set()
    for seed in range(30):
        rng = random.Random(seed)
        kind = random.Random(seed).randrange(3)
        out = np.asarray(_stroke_jitter(page, rng).convert("L"))
        dark, before = int((out < 128).sum()), int((arr < 128).sum())
        assert out[0, 0] == 255 and out[-1, -1] == 255
        if kind == 0:  # thinner: the 1 px stroke is gone, the 5 x 100 one is 3 x 98
            assert dark == 3 * 98
        elif kind == 1:  # thicker
            assert dark > before
        else:  # fainter: no black left, the strokes still there
            assert out.min() > 40 and (out < 250).sum() == (arr < 250).sum()
        seen.add(kind)
    assert seen == {0, 1, 2}


def test_stroke_jitter_off_draws_the_same_crops_as_before(tiny_coco):
    recs = load_coco(tiny_coco)
    src = [SourceSpec(tiny_coco, 1.0, name="t", records=recs)]
    a = CropDataset(src, crop=128, seed=1)[0]["image"]
    b = CropDataset(src, crop=128, seed=1, stroke_jitter=0.0)[0]["image"]
    c = CropDataset(src, crop=128, seed=1, stroke_jitter=1.0)[0]["image"]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_scan_degrade_keeps_the_page_size_and_changes_the_ink():
    """Each kind (threshold, low resolution, JPEG, blur) returns an RGB page of the same size
    whose strokes are still there but no longer the same pixels."""
    arr = np.full((80, 160), 245, np.uint8)
    arr[30:34, 10:150] = 90  # a grey 4 px stroke
    arr[50, 10:150] = 160  # a light 1 px stroke
    page = Image.fromarray(arr).convert("RGB")
    kinds = set()
    for seed in range(40):
        kind = random.Random(seed).randrange(4)
        out = _scan_degrade(page, random.Random(seed))
        assert out.size == page.size and out.mode == "RGB"
        g = np.asarray(out.convert("L")).astype(int)
        assert g[32, 80] < 200  # the dark stroke survives every kind
        assert not np.array_equal(g, arr)
        if kind == 0:  # black and white only
            assert set(np.unique(g)) <= {0, 255}
        kinds.add(kind)
    assert kinds == {0, 1, 2, 3}


def test_scan_degrade_off_draws_the_same_crops_as_before(tiny_coco):
    recs = load_coco(tiny_coco)
    src = [SourceSpec(tiny_coco, 1.0, name="t", records=recs)]
    a = CropDataset(src, crop=128, seed=1)[0]["image"]
    b = CropDataset(src, crop=128, seed=1, scan_degrade=0.0)[0]["image"]
    assert np.array_equal(a, b)
    c = CropDataset(src, crop=128, seed=1, scan_degrade=1.0)[0]["image"]
    assert not np.array_equal(a, c)


def test_synth_options_reach_the_generated_source():
    from penmark.train.loop import TrainConfig, build_dataset

    cfg = TrainConfig(out="unused", sources=[("synth", 1.0)], synth_hard_negatives=0.3,
                      synth_options=(("real_ink_fraction", "0.7"), ("hershey_fraction", "0")))
    config = build_dataset(cfg).sources[0].config
    assert (config.real_ink_fraction, config.hershey_fraction) == (0.7, 0.0)
    assert config.hard_negative_fraction == 0.3
    assert build_dataset(TrainConfig(out="unused", sources=[("synth", 1.0)])).sources[0].config \
        is None  # no options: the generator's own defaults

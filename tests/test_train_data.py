"""Training crops: the ink and scan augmentations (stroke jitter, scan degradation), their
switches."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image

from penmark.train.data import (
    CropDataset,
    PageRecord,
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

    cfg = TrainConfig(
        out="unused",
        sources=[("synth", 1.0)],
        synth_hard_negatives=0.3,
        synth_options=(("real_ink_fraction", "0.7"), ("hershey_fraction", "0")),
    )
    config = build_dataset(cfg).sources[0].config
    assert (config.real_ink_fraction, config.hershey_fraction) == (0.7, 0.0)
    assert config.hard_negative_fraction == 0.3
    assert (
        build_dataset(TrainConfig(out="unused", sources=[("synth", 1.0)])).sources[0].config is None
    )  # no options: the generator's own defaults


def test_wide_crop_learns_a_long_line_whole_where_a_square_ignores_it():
    """A 400 x 40 px written line: a 128 px square never holds 60 % of it (the line becomes an
    ignore area, no positive), a 512 x 128 crop holds it whole with a full-width box target."""
    page = Image.new("RGB", (1024, 512), "white")
    rec = PageRecord(
        path=Path("line.png"),
        boxes=np.array([[300, 200, 700, 240]], np.float32),
        classes=np.array([0]),
        labeled=np.array([1, 1], np.float32),
    )
    square = CropDataset([], crop=128, input_size=1024, scale_jitter=(1.0, 1.0), object_bias=1.0)
    wide = CropDataset(
        [], crop=(512, 128), input_size=1024, scale_jitter=(1.0, 1.0), object_bias=1.0
    )
    for seed in range(5):
        s = square.sample(page, rec, random.Random(seed))
        assert s["image"].shape == (3, 128, 128)
        assert s["heat"][0].max() < 1.0 and s["ignore"][0].max() == 1.0
        w = wide.sample(page, rec, random.Random(seed))
        assert w["image"].shape == (3, 128, 512) and w["heat"].shape[1:] == (16, 64)
        assert w["heat"][0].max() == 1.0 and w["ignore"][0].max() == 0.0
        # the box target at the peak (xyxy crop pixels) is the whole 400 x 40 px line
        gy, gx = np.unravel_index(w["heat"][0].argmax(), w["heat"][0].shape)
        x0, y0, x1, y1 = w["reg"][:, gy, gx]
        assert (x1 - x0, y1 - y0) == (400, 40) and x0 >= 0 and x1 <= 512


def test_crop_option_reads_a_side_or_width_x_height():
    import pytest
    import typer

    from penmark.cli.train import parse_crop

    assert parse_crop("384") == 384 and parse_crop("640x320") == (640, 320)
    for bad in ("", "640x", "100", "640x320x8", "-8", "wide"):
        with pytest.raises(typer.BadParameter):
            parse_crop(bad)

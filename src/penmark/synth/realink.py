"""Real handwriting and signature crops, turned into alpha mattes and pasted like rendered ink.

Sources (all optional; the generator falls back to fonts and procedural strokes):

* ``config.ink_dir`` (``../shared/ink``, CC BY 4.0): German words (``dhsd``) on white and French
  lines (``htru_testaments_poilus``) on cream paper.
* A crop cache built by :func:`build_crop_cache` (``scripts/extract_real_crops.py``) from the
  **train** splits of ``../shared/datasets`` (never ``val``): signature boxes and handwritten
  fill-in boxes. It is not built implicitly because it takes ~20 s.

The matte is computed from darkness relative to the local paper level (a high percentile), with a
dead zone so paper texture and stains do not become faint "ink" that widens boxes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from .config import _REPO_ROOT, SynthConfig
from .ink import tighten

DATASETS = ("gsa_leases", "tobacco800_signatures", "cheques", "signatures_misc")


def default_crop_cache() -> Path:
    env = os.environ.get("PENMARK_CROP_CACHE")
    return Path(env) if env else _REPO_ROOT / "assets_cache" / "real_crops"


def matte(img: Image.Image, dead: float = 0.28, gain: float = 1.6) -> Image.Image:
    """Alpha (ink coverage) from darkness: 0 at paper level, 255 for the darkest strokes."""
    g = np.asarray(img.convert("L"), dtype=np.float32)
    bg = np.percentile(g, 85)
    ink = min(np.percentile(g, 1), bg - 40)
    a = (bg - g) / max(bg - ink, 1.0)
    a = np.clip((a - dead) * gain / (1 - dead), 0, 1)
    return Image.fromarray((a * 255).astype(np.uint8))


@lru_cache(maxsize=8)
def _list(folder: str, pattern: str) -> tuple[str, ...]:
    p = Path(folder)
    return tuple(sorted(str(f) for f in p.glob(pattern))) if p.is_dir() else ()


def _pick(paths: tuple[str, ...], rng: random.Random) -> str | None:
    return paths[rng.randrange(len(paths))] if paths else None


def _scale_to(img: Image.Image, height: float | None = None, width: float | None = None
              ) -> Image.Image:
    if height:
        sc = height / max(img.height, 1)
    else:
        sc = (width or img.width) / max(img.width, 1)
    sc = min(max(sc, 0.1), 4.0)
    return img.resize((max(2, int(img.width * sc)), max(2, int(img.height * sc))),
                      Image.Resampling.BILINEAR)


def real_handwriting(cfg: SynthConfig, rng: random.Random, height: float) -> Image.Image | None:
    """A real handwritten word/line/fill-in matte scaled to about ``height`` px of ink."""
    pools = []
    if cfg.ink_dir is not None:
        pools.append(_list(str(Path(cfg.ink_dir) / "dhsd" / "images"), "*.jpg"))
        pools.append(_list(str(Path(cfg.ink_dir) / "htru_testaments_poilus" / "images"), "*.jpg"))
    pools.append(_list(str(default_crop_cache() / "hand"), "*.png"))
    pools = [p for p in pools if p]
    if not pools:
        return None
    path = _pick(rng.choice(pools), rng)
    if path is None:
        return None
    img = Image.open(path)
    a = img if path.endswith(".png") else matte(img)
    a = tighten(a)
    if a is None or a.width < 8:
        return None
    # Word crops are ink-tight; real heights include ascenders, so scale the crop to ~1.3x
    # the requested x-height-ish size, but never blow small crops up more than 2.5x.
    target = min(height * rng.uniform(1.0, 1.5), a.height * 2.5)
    return tighten(_scale_to(a, height=target))


def real_signature(cfg: SynthConfig, rng: random.Random, width: int,
                   max_height: float | None = None) -> Image.Image | None:
    """A real signature (train splits only) matte scaled to ``width`` px (and at most
    ``max_height`` tall). Crops that would need more than 2x upscaling are skipped: their
    strokes turn into blobs."""
    paths = _list(str(default_crop_cache() / "sig"), "*.png")
    for _ in range(4):
        path = _pick(paths, rng)
        if path is None:
            return None
        a = tighten(Image.open(path))
        if a is None:
            continue
        sc = width / a.width
        if max_height:
            sc = min(sc, max_height / a.height)
        if sc > 2.0:
            continue
        return tighten(_scale_to(a, width=a.width * sc))
    return None


def label_components(on: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected component labels of a boolean image (run-length union-find; no scipy)."""
    h, w = on.shape
    parent: list[int] = [0]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    runs_prev: list[tuple[int, int, int]] = []
    all_runs: list[tuple[int, int, int, int]] = []
    for y in range(h):
        row = np.concatenate([[0], on[y].astype(np.int8), [0]])
        d = np.diff(row)
        starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
        runs = []
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            lab = 0
            for pa, pb, pl in runs_prev:
                if pa <= b and pb >= a:  # overlap incl. diagonal neighbours (8-connectivity)
                    if lab == 0:
                        lab = find(pl)
                    else:
                        ra, rb = find(lab), find(pl)
                        if ra != rb:
                            parent[rb] = ra
            if lab == 0:
                lab = len(parent)
                parent.append(lab)
            runs.append((a, b, lab))
            all_runs.append((y, a, b, lab))
        runs_prev = runs
    labels = np.zeros((h, w), np.int32)
    roots: dict[int, int] = {}
    for y, a, b, lab in all_runs:
        r = find(lab)
        labels[y, a:b] = roots.setdefault(r, len(roots) + 1)
    return labels, len(roots)


def remove_print(alpha: Image.Image) -> Image.Image | None:
    """Drop typed text caught at the top/bottom of a signature box (closing, typed name).

    Typed text is a row of >= 4 small components (letters) of similar height in the top or
    bottom third of the crop; a signature is a few large strokes. Letters the signature
    touches merge with it and stay (as in the real boxes).
    """
    a = np.asarray(alpha)
    on = a >= 48
    labels, n = label_components(on)
    if n < 4:
        return alpha
    H = on.shape[0]
    idx = np.arange(1, n + 1)
    ys, xs = np.nonzero(labels)
    lab = labels[ys, xs]
    y0 = np.full(n + 1, H)
    y1 = np.zeros(n + 1, int)
    np.minimum.at(y0, lab, ys)
    np.maximum.at(y1, lab, ys)
    hgt = (y1 - y0 + 1)[idx]
    mid = ((y0 + y1) / 2)[idx]
    small = hgt <= max(4, 0.3 * H)
    drop = np.zeros(n + 1, bool)
    for zone in (mid < H / 3, mid > 2 * H / 3):
        cand = small & zone
        if cand.sum() < 4:
            continue
        med = np.median(hgt[cand])
        letters = cand & (hgt <= med * 1.8)
        if letters.sum() >= 4:
            drop[idx[letters]] = True
    if not drop.any():
        return alpha
    out = np.where(drop[labels], 0, a).astype(np.uint8)
    return tighten(Image.fromarray(out))


def build_crop_cache(datasets_dir: Path, out: Path | None = None, margin: int = 3) -> Path:
    """Cut signature and handwriting boxes from the *train* splits into matted PNG crops.

    Written to a temp folder and renamed, so concurrent builders never see half a cache.
    """
    out = out or default_crop_cache()
    tmp = Path(tempfile.mkdtemp(prefix="crops_", dir=out.parent if out.parent.exists() else None))
    (tmp / "sig").mkdir()
    (tmp / "hand").mkdir()
    n = {"sig": 0, "hand": 0}
    records = []
    for ds in DATASETS:
        js = Path(datasets_dir) / ds / "train.json"  # train only, never val
        if not js.exists():
            continue
        coco = json.loads(js.read_text())
        by_img: dict[int, list[dict]] = {}
        for a in coco["annotations"]:
            by_img.setdefault(a["image_id"], []).append(a)
        for im in coco["images"]:
            anns = by_img.get(im["id"])
            if not anns:
                continue
            page = Image.open(Path(datasets_dir) / ds / im["file_name"]).convert("L")
            for a in anns:
                x, y, w, h = a["bbox"]
                if w < 24 or h < 10:
                    continue
                kind = "sig" if a["category_id"] == 2 else "hand"
                box = (max(0, int(x) - margin), max(0, int(y) - margin),
                       min(page.width, int(x + w) + margin), min(page.height, int(y + h) + margin))
                crop = page.crop(box)
                al = tighten(matte(crop))
                if al is not None and kind == "sig":
                    al = remove_print(al)
                if al is None:
                    continue
                name = f"{ds}_{im['id']:05d}_{a['id']:05d}.png"
                al.save(tmp / kind / name)
                n[kind] += 1
                records.append({"file": f"{kind}/{name}", "dataset": ds, "split": "train",
                                "source": im.get("source", im["file_name"])})
    (tmp / "index.json").write_text(json.dumps({"counts": n, "crops": records}, indent=0))
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(out)
    _list.cache_clear()
    return out

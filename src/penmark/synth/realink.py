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

"""Dataset writer (JPEG + COCO JSON) and preview contact sheets."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw

from ..region import CATEGORY_IDS, LABELS
from .config import SynthConfig
from .page import Page, generate_page

BOX_COLOURS = {"handwritten": (0, 90, 255), "signature": (230, 0, 0)}


def _write_one(args: tuple[int, int, str, SynthConfig]) -> dict:
    idx, seed, out_dir, cfg = args
    page = generate_page(seed, cfg)
    name = f"images/synth_{seed:08d}.jpg"
    page.image.save(Path(out_dir) / name, "JPEG", quality=92)
    return {
        "id": idx + 1,
        "file_name": name,
        "width": page.image.width,
        "height": page.image.height,
        "labeled_categories": [1, 2],
        "kind": page.kind,
        "seed": seed,
        # unlabelled print that imitates writing, for error analysis (not COCO annotations)
        "distractors": page.meta["distractors"],
        "regions": [(r.label, r.box) for r in page.regions],
    }


def generate_dataset(
    out_dir: str | Path,
    count: int,
    seed: int = 0,
    config: SynthConfig | None = None,
    workers: int = 1,
) -> Path:
    """Write ``count`` pages (seeds ``seed .. seed+count-1``) as JPEGs plus ``annotations.json``.

    COCO follows ../shared/datasets/README.md: categories 1 handwritten / 2 signature, bbox
    ``[x, y, w, h]``, ``labeled_categories: [1, 2]`` (synthetic pages are labelled exhaustively).
    Returns the JSON path.
    """
    cfg = config or SynthConfig()
    out = Path(out_dir)
    (out / "images").mkdir(parents=True, exist_ok=True)
    jobs = [(i, seed + i, str(out), cfg) for i in range(count)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as ex:
            metas = list(ex.map(_write_one, jobs, chunksize=4))
    else:
        metas = [_write_one(j) for j in jobs]
    images, anns = [], []
    for m in metas:
        for label, (x0, y0, x1, y1) in m.pop("regions"):
            w, h = x1 - x0, y1 - y0
            anns.append({
                "id": len(anns) + 1,
                "image_id": m["id"],
                "category_id": CATEGORY_IDS[label],
                "bbox": [x0, y0, w, h],
                "area": w * h,
                "iscrowd": 0,
            })
        images.append(m)
    coco = {
        "info": {"description": "penmark synthetic pages", "seed": seed, "count": count},
        "licenses": [],
        "images": images,
        "annotations": anns,
        "categories": [{"id": CATEGORY_IDS[n], "name": n} for n in LABELS],
    }
    path = out / "annotations.json"
    path.write_text(json.dumps(coco))
    return path


def draw_boxes(page: Page, width: int = 4) -> Image.Image:
    img = page.image.convert("RGB").copy()
    d = ImageDraw.Draw(img)
    for r in page.regions:
        d.rectangle(r.box, outline=BOX_COLOURS[r.label], width=width)
    return img


def contact_sheet(images: Sequence[Image.Image], cols: int = 4, thumb_w: int = 425,
                  title: str | None = None) -> Image.Image:
    """Tile images (kept at their aspect) into one sheet."""
    thumbs = []
    for im in images:
        h = int(im.height * thumb_w / im.width)
        thumbs.append(im.resize((thumb_w, h), Image.Resampling.LANCZOS))
    rows = (len(thumbs) + cols - 1) // cols
    cell_h = max((t.height for t in thumbs), default=1)
    pad = 12
    top = 30 if title else 0
    sheet = Image.new("RGB", (cols * (thumb_w + pad) + pad, top + rows * (cell_h + pad) + pad),
                      (200, 200, 200))
    if title:
        ImageDraw.Draw(sheet).text((pad, 8), title, fill=(0, 0, 0))
    for i, t in enumerate(thumbs):
        r, c = divmod(i, cols)
        sheet.paste(t, (pad + c * (thumb_w + pad), top + pad + r * (cell_h + pad)))
    return sheet


def render_preview(pages: Iterable[Page], out_png: str | Path, cols: int = 4,
                   boxes: bool = True) -> Path:
    """Contact sheet of pages with boxes (handwritten blue, signature red)."""
    imgs = [draw_boxes(p) if boxes else p.image for p in pages]
    sheet = contact_sheet(imgs, cols=cols,
                          title="penmark synth: handwritten = blue, signature = red")
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    return out

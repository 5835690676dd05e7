"""Redacted copies: chosen labels painted over, for images and PDFs.

Why PDFs are rebuilt from images: painting a black rectangle over a PDF page leaves the text,
vector ink and embedded images underneath (copy-paste still reads them). :func:`redact_pdf`
renders every page, paints the boxes into the pixels and writes a new PDF whose pages are only
those images (no text layer, no fonts, no original objects, no metadata), streamed page by page
so memory stays bounded for long documents.

>>> from penmark.redact import redact_image, redact_pdf
>>> clean = redact_image(page, regions, labels=["signature"])
>>> redact_pdf("in.pdf", "out.pdf", detector=Detector.pretrained(), labels=["signature"])
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

from PIL import Image, ImageDraw

from penmark.io.documents import DEFAULT_DPI, Page, iter_pages
from penmark.region import Region

RegionSource = (
    Mapping[int, Sequence[Region]] | Callable[[Page], Sequence[Region]] | Sequence[Region] | None
)


def select(regions: Iterable[Region], labels: Iterable[str] | None = None) -> list[Region]:
    """Regions whose label is in ``labels`` (all when ``labels`` is None)."""
    keep = None if labels is None else set(labels)
    return [r for r in regions if keep is None or r.label in keep]


def redact_image(
    image: Image.Image,
    regions: Sequence[Region],
    labels: Iterable[str] | None = None,
    color: tuple[int, int, int] = (0, 0, 0),
    pad: int = 2,
) -> Image.Image:
    """A new RGB image with every selected region (grown by ``pad`` px) painted solid ``color``.

    Box edges are rounded outwards so no partial pixel of ink survives at the border.
    """
    out = image.convert("RGB") if image.mode != "RGB" else image.copy()
    draw = ImageDraw.Draw(out)
    for r in select(regions, labels):
        x0, y0, x1, y1 = r.box
        box = (
            max(0, int(x0) - pad),
            max(0, int(y0) - pad),
            min(out.width, -int(-x1 // 1) + pad) - 1,
            min(out.height, -int(-y1 // 1) + pad) - 1,
        )
        if box[2] >= box[0] and box[3] >= box[1]:
            draw.rectangle(box, fill=tuple(color))
    return out


def save_clean(image: Image.Image, path: str | os.PathLike, quality: int = 92) -> None:
    """Save without any metadata of the original (EXIF thumbnails would leak the unredacted page).
    The format follows the suffix; unknown suffixes get PNG."""
    suffix = Path(path).suffix.lower()
    fmt = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".tif": "TIFF", ".tiff": "TIFF",
           ".webp": "WEBP", ".bmp": "BMP", ".gif": "PNG"}.get(suffix, "PNG")
    params: dict = {}
    if fmt == "JPEG":
        params = {"quality": quality, "optimize": False}
    elif fmt == "TIFF":
        params = {"compression": "tiff_lzw"}
    elif fmt == "WEBP":
        params = {"quality": quality}
    clean = Image.frombytes("RGB", image.size, image.convert("RGB").tobytes())
    clean.save(path, fmt, **params)


class ImagePdfWriter:
    """Streams a PDF whose every page is one image (JPEG, or lossless Flate for ``lossless``).

    Pages are written as they are added and only their byte offsets are kept, so a 5,000-page
    document needs the memory of one page. Page size is given in PDF points.
    """

    def __init__(self, fh: IO[bytes], quality: int = 90, lossless: bool = False) -> None:
        self.fh = fh
        self.quality = quality
        self.lossless = lossless
        self.offsets: dict[int, int] = {}
        self.page_ids: list[int] = []
        self._next = 3  # 1 = catalog, 2 = page tree (written at close)
        self._pos = 0
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.fh.write(data)
        self._pos += len(data)

    def _obj(self, num: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[num] = self._pos
        self._write(b"%d 0 obj\n" % num + body)
        if stream is not None:
            self._write(b"\nstream\n" + stream + b"\nendstream")
        self._write(b"\nendobj\n")

    def add_page(self, image: Image.Image, width_pt: float, height_pt: float) -> None:
        """Append ``image`` as a page of ``width_pt x height_pt`` points."""
        rgb = image.convert("RGB") if image.mode != "RGB" else image
        if self.lossless:
            data = zlib.compress(rgb.tobytes(), 6)
            self._add(data, b"/FlateDecode", rgb.width, rgb.height, width_pt, height_pt)
            return
        buf = io.BytesIO()
        rgb.save(buf, "JPEG", quality=self.quality)
        self._add(buf.getvalue(), b"/DCTDecode", rgb.width, rgb.height, width_pt, height_pt)

    def add_jpeg(self, data: bytes, width_pt: float, height_pt: float) -> None:
        """Append an RGB baseline JPEG as it is (no re-encoding)."""
        with Image.open(io.BytesIO(data)) as im:
            if im.format != "JPEG" or im.mode != "RGB":
                raise ValueError("add_jpeg needs an RGB JPEG")
            w, h = im.size
        self._add(data, b"/DCTDecode", w, h, width_pt, height_pt)

    def _add(
        self, data: bytes, filt: bytes, w: int, h: int, width_pt: float, height_pt: float
    ) -> None:
        img_id, content_id, page_id = self._next, self._next + 1, self._next + 2
        self._next += 3
        self._obj(
            img_id,
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
            b"/BitsPerComponent 8 /Filter %s /Length %d >>" % (w, h, filt, len(data)),
            data,
        )
        content = b"q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q" % (width_pt, height_pt)
        self._obj(content_id, b"<< /Length %d >>" % len(content), content)
        self._obj(
            page_id,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] "
            b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
            % (width_pt, height_pt, img_id, content_id),
        )
        self.page_ids.append(page_id)

    def close(self) -> None:
        kids = b" ".join(b"%d 0 R" % p for p in self.page_ids)
        self._obj(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self.page_ids)))
        self._obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        xref = self._pos
        size = self._next
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        for num in range(1, size):
            lines.append(b"%010d 00000 n \n" % self.offsets[num])
        self._write(b"".join(lines))
        self._write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))


def _regions_for(page: Page, regions: RegionSource, detector) -> list[Region]:
    if detector is not None:
        return list(detector.detect(page.image, page=page.index))
    if regions is None:
        return []
    if callable(regions):
        return list(regions(page))
    if isinstance(regions, Mapping):
        return list(regions.get(page.index, ()))
    return [r for r in regions if r.page == page.index]


def redact_pdf(
    src,
    dst: str | os.PathLike | IO[bytes],
    regions: RegionSource = None,
    detector=None,
    labels: Iterable[str] | None = None,
    dpi: float = DEFAULT_DPI,
    color: tuple[int, int, int] = (0, 0, 0),
    pages: Iterable[int] | None = None,
    quality: int = 90,
    lossless: bool = False,
    password: str | None = None,
) -> list[list[Region]]:
    """Write ``dst``: ``src`` with selected regions painted over, every page re-rendered as image.

    Regions come from ``detector`` (anything with ``.detect(image, page=...)``), or ``regions``:
    ``{page_index: [Region]}``, a flat list (``Region.page`` picks the page) or a callable
    ``Page -> [Region]``; boxes are pixels of the page rendered at ``dpi``. Pages not in ``pages``
    are still re-rendered (never copied). Raises :class:`~penmark.io.InputError` if ``src`` cannot
    be read; ``dst`` is then not created. Returns the painted regions per page.
    """
    labels = None if labels is None else list(labels)
    wanted = None if pages is None else set(pages)
    painted: list[list[Region]] = []
    it = iter_pages(src, dpi=dpi, password=password)
    first = next(it)  # raises InputError before dst is created
    own = not hasattr(dst, "write")
    tmp = Path(str(dst) + ".part") if own else None
    fh = open(tmp, "wb") if own else dst  # noqa: SIM115 - closed below
    try:
        writer = ImagePdfWriter(fh, quality=quality, lossless=lossless)
        for page in _chain(first, it):
            found = [] if wanted is not None and page.index not in wanted else (
                select(_regions_for(page, regions, detector), labels)
            )
            clean = redact_image(page.image, found, color=color)
            w_pt, h_pt = page.size_pt or (page.width * 72.0 / dpi, page.height * 72.0 / dpi)
            writer.add_page(clean, w_pt, h_pt)
            painted.append(found)
        writer.close()
    except BaseException:
        if own:
            fh.close()
            tmp.unlink(missing_ok=True)  # type: ignore[union-attr]
        raise
    if own:
        fh.close()
        os.replace(tmp, dst)  # type: ignore[arg-type]
    return painted


def _chain(first: Page, rest: Iterable[Page]) -> Iterable[Page]:
    yield first
    yield from rest

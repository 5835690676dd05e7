"""Documents -> pages: one streaming reader for images, multi-page TIFFs, GIF/WebP and PDFs.

Why one reader: the CLI, the HTTP server and the Spark stage all need "give me the pages of this
thing, in display orientation, one at a time". Pages are produced lazily (a 5,000-page PDF is
never held in memory) and every failure is an :class:`~penmark.io.images.InputError` that names
the file, the page and the reason.

The format is sniffed from the first bytes, never from the file name, so a text file called
``scan.jpg`` gives a clear "not an image or PDF" error instead of a decoder traceback.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps

from penmark.io.images import MAX_PIXELS, InputError, _to_rgb

DocumentInput = str | os.PathLike | bytes | bytearray | IO[bytes]

DEFAULT_DPI = 200
MAX_RENDER_PIXELS = 40_000_000
"""A PDF page that would render larger (a 'poster' page, or a huge --dpi) is rendered at a lower
dpi instead: 40 MP is an A2 sheet at 200 dpi, and ~120 MB as RGB. The JSON reports the dpi used."""
STDIN = "-"
PDF_POINTS_PER_INCH = 72.0


@dataclass
class Page:
    """One page ready for detection.

    ``image`` is RGB in display orientation (EXIF applied, PDF ``/Rotate`` applied); ``index`` is
    0-based within the source. ``width``/``height`` are the page's full-resolution pixels, the
    coordinates of every box; ``image`` has that size unless it was read as a reduced copy
    (``iter_pages(max_side=...)``, then ``reduced`` is true and ``full_size`` set).

    For PDF pages ``points_per_pixel`` is the nominal 72 / dpi, ``size_pt`` the displayed page
    size in points (the pixel grid rounds up, so :meth:`to_points` scales x and y separately) and
    ``pdf_matrix`` maps pixels to PDF user space (:meth:`to_pdf_user_space`). ``error`` is only
    set when iterating with ``errors="yield"``.
    """

    source: str
    index: int
    image: Image.Image | None
    kind: str = "image"  # "image" | "tiff" | "pdf" | "gif" | "webp"
    count: int | None = None  # pages in the source, when known
    dpi: float | None = None
    points_per_pixel: float | None = None
    size_pt: tuple[float, float] | None = None  # page as displayed, in PDF points
    pdf_matrix: tuple[float, float, float, float, float, float] | None = None
    error: str | None = None
    info: dict = field(default_factory=dict)
    full_size: tuple[int, int] | None = None  # set when ``image`` is a reduced copy (max_side)

    @property
    def width(self) -> int:
        """Width of the page as displayed at full resolution (boxes are in these pixels)."""
        if self.full_size is not None:
            return self.full_size[0]
        return self.image.width if self.image is not None else 0

    @property
    def height(self) -> int:
        if self.full_size is not None:
            return self.full_size[1]
        return self.image.height if self.image is not None else 0

    @property
    def reduced(self) -> bool:
        """True when ``image`` is smaller than the page (read with ``max_side``)."""
        return self.image is not None and self.image.size != (self.width, self.height)

    def to_points(self, box: Sequence[float]) -> list[float] | None:
        """Pixel box -> PDF points, top-left origin, as the page is displayed (None if not PDF)."""
        if self.size_pt is None or self.image is None:
            return None
        sx, sy = self.size_pt[0] / self.width, self.size_pt[1] / self.height
        x0, y0, x1, y1 = (float(v) for v in box)
        return [round(x0 * sx, 2), round(y0 * sy, 2), round(x1 * sx, 2), round(y1 * sy, 2)]

    def to_pdf_user_space(self, box: Sequence[float]) -> list[float] | None:
        """Pixel box -> PDF user-space box ``[x0, y0, x1, y1]`` (bottom-left origin, MediaBox
        offsets and ``/Rotate`` undone): what a PDF library needs to annotate the original."""
        if self.pdf_matrix is None:
            return None
        a, b, c, d, e, f = self.pdf_matrix
        x0, y0, x1, y1 = (float(v) for v in box)
        xs, ys = [], []
        for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
            xs.append(a * x + c * y + e)
            ys.append(b * x + d * y + f)
        return [round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2)]


def parse_page_ranges(spec: str | None) -> list[int] | None:
    """``"1-3,7"`` -> ``[0, 1, 2, 6]`` (1-based, inclusive input; 0-based sorted output).

    ``None``/``""``/``"all"`` -> ``None`` (every page). An open range ``"5-"`` is not allowed
    because the page count is not known here; raises ``ValueError`` with the bad part.
    """
    if spec is None or spec.strip().lower() in ("", "all"):
        return None
    out: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                lo_s, hi_s = part.split("-", 1)
                lo, hi = int(lo_s), int(hi_s)
            else:
                lo = hi = int(part)
        except ValueError:
            raise ValueError(f"bad page range {part!r} (use e.g. 1-3,7)") from None
        if lo < 1 or hi < lo:
            raise ValueError(f"bad page range {part!r}: pages are numbered from 1, low-high")
        out.update(range(lo - 1, hi))
    return sorted(out) if out else None


def sniff(head: bytes) -> str | None:
    """Kind of document from its first bytes: ``pdf``, ``tiff``, ``image`` or None."""
    if head[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    for magic in (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"BM", b"\x00\x00\x00\x0cjP"):
        if head.startswith(magic):
            return "image"
    return None


def _read_source(source: DocumentInput, name: str | None) -> tuple[str, str | io.BytesIO]:
    """Resolve a source to ``(name, path-or-buffer)``; reads stdin / file objects into memory."""
    if isinstance(source, (bytes, bytearray)):
        label = name or "<bytes>"
        if not source:
            raise InputError(label, "empty input (0 bytes)")
        return label, io.BytesIO(bytes(source))
    if hasattr(source, "read"):
        data = source.read()  # type: ignore[union-attr]
        label = name or getattr(source, "name", None) or "<stream>"
        if not data:
            raise InputError(str(label), "empty input (0 bytes)")
        return str(label), io.BytesIO(data)
    if str(source) == STDIN:
        data = sys.stdin.buffer.read()
        if not data:
            raise InputError(name or "<stdin>", "empty input (0 bytes)")
        return name or "<stdin>", io.BytesIO(data)
    path = Path(source)  # type: ignore[arg-type]
    label = name or str(source)
    if not path.exists():
        raise InputError(label, "no such file")
    if path.is_dir():
        raise InputError(label, "is a directory")
    try:
        if path.stat().st_size == 0:
            raise InputError(label, "empty file (0 bytes)")
    except OSError as exc:
        raise InputError(label, f"cannot read: {exc.strerror or exc}") from None
    return label, str(path)


def _head(data: str | io.BytesIO, label: str) -> bytes:
    try:
        if isinstance(data, io.BytesIO):
            return data.getvalue()[:1024]
        with open(data, "rb") as fh:
            return fh.read(1024)
    except OSError as exc:
        raise InputError(label, f"cannot read: {exc.strerror or exc}") from None


def _want(pages: Iterable[int] | None, count: int) -> list[int]:
    if pages is None:
        return list(range(count))
    return [p for p in sorted(set(pages)) if 0 <= p < count]


def page_count(
    source: DocumentInput, name: str | None = None, password: str | None = None
) -> int:
    """Number of pages (PDF pages, TIFF frames; 1 for other images) without decoding pixels."""
    label, data = _read_source(source, name)
    kind = sniff(_head(data, label))
    if kind == "pdf":
        pdf = _open_pdf(data, label, password)
        try:
            return len(pdf)
        finally:
            pdf.close()
    if kind == "tiff":
        img = _open_pil(data, label)
        try:
            return int(getattr(img, "n_frames", 1))
        except Exception as exc:  # noqa: BLE001 - corrupt IFD chains raise anything
            raise InputError(label, f"cannot read TIFF pages: {exc}") from None
        finally:
            img.close()
    if kind is None:
        _open_pil(data, label, "unknown").close()
    return 1


def iter_pages(
    source: DocumentInput,
    dpi: float = DEFAULT_DPI,
    pages: Iterable[int] | None = None,
    *,
    name: str | None = None,
    errors: str = "raise",
    password: str | None = None,
    max_side: int | None = None,
) -> Iterator[Page]:
    """Yield the pages of ``source`` one at a time, in display orientation.

    ``source``: a path, ``"-"`` (stdin), bytes or a binary file object. ``dpi`` applies to PDFs
    (images keep their pixels). ``pages``: 0-based indices to keep (see
    :func:`parse_page_ranges`); indices past the end are ignored.

    ``max_side`` asks for a cheaper, smaller copy whose long side is at least ``max_side`` (the
    detector's input size): JPEGs are decoded at 1/2, 1/4 or 1/8 scale in the DCT domain and PDF
    pages rendered at the lower dpi directly, which costs a fraction of decoding the full page and
    shrinking it. ``Page.width``/``height`` (and PDF point mappings) still describe the full page;
    ``Page.image`` is then smaller (``Page.reduced``). Other formats are decoded in full.

    ``errors="raise"`` raises :class:`InputError` at the first failure; ``errors="yield"`` yields a
    :class:`Page` with ``image=None`` and ``error`` set for a page that cannot be read (and for a
    file that cannot be opened at all, one such page with index 0), then carries on.
    """
    if errors not in ("raise", "yield"):
        raise ValueError("errors must be 'raise' or 'yield'")
    label = name or (str(source) if isinstance(source, (str, os.PathLike)) else None) or "<bytes>"
    try:
        label, data = _read_source(source, name)
        kind = sniff(_head(data, label))
    except InputError as exc:
        if errors == "raise":
            raise
        yield Page(label, 0, None, error=exc.reason)
        return
    if kind == "pdf":
        yield from _iter_pdf(data, label, dpi, pages, errors, password, max_side)
    else:
        # Unknown magic: still let Pillow try (PPM, TGA, ...), with a clear message if it can't.
        yield from _iter_pil(data, label, kind or "unknown", pages, errors, max_side)


# --- raster images (incl. multi-frame TIFF) -------------------------------------------------


def _open_pil(data: str | io.BytesIO, label: str, kind: str = "image") -> Image.Image:
    try:
        img = Image.open(data)
    except Image.DecompressionBombError as exc:
        raise InputError(label, f"image too large: {exc}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        if kind == "unknown":
            raise InputError(label, "not an image or PDF (unrecognised file content)") from None
        raise InputError(label, f"cannot read image: {exc}") from None
    if img.width * img.height > MAX_PIXELS:
        img.close()
        raise InputError(label, f"image too large ({img.width}x{img.height} pixels)")
    return img


_SWAPS_AXES = {5, 6, 7, 8}  # EXIF orientations that turn the image by 90 degrees


def _decode_frame(
    img: Image.Image, label: str, index: int, max_side: int | None = None
) -> tuple[Image.Image, tuple[int, int]]:
    """Decode one frame in display orientation; returns it and the full displayed size."""
    if img.width * img.height > MAX_PIXELS:
        raise InputError(label, f"page {index + 1}: too large ({img.width}x{img.height} pixels)")
    try:
        full = img.size
        if img.getexif().get(0x0112) in _SWAPS_AXES:
            full = (full[1], full[0])
        if max_side and img.format == "JPEG" and max(img.size) > max_side:
            f = max_side / max(img.size)
            img.draft("RGB", (-int(-img.width * f // 1), -int(-img.height * f // 1)))
        img.load()
        frame = ImageOps.exif_transpose(img) or img
        return _to_rgb(frame), full
    except Image.DecompressionBombError as exc:
        raise InputError(label, f"image too large: {exc}") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        where = f"page {index + 1}: " if index else ""
        raise InputError(label, f"{where}cannot decode image: {exc}") from None


def _iter_pil(
    data: str | io.BytesIO,
    label: str,
    kind: str,
    pages: Iterable[int] | None,
    errors: str,
    max_side: int | None = None,
) -> Iterator[Page]:
    try:
        img = _open_pil(data, label, kind)
    except InputError as exc:
        if errors == "raise":
            raise
        yield Page(label, 0, None, kind=kind, error=exc.reason)
        return
    with img:
        if kind == "tiff":
            try:
                count = int(getattr(img, "n_frames", 1))
            except Exception as exc:  # noqa: BLE001 - corrupt IFD chains raise anything
                if errors == "raise":
                    raise InputError(label, f"cannot read TIFF pages: {exc}") from None
                yield Page(label, 0, None, kind=kind, error=f"cannot read TIFF pages: {exc}")
                return
        else:
            count = 1  # GIF / WebP animations: first frame only
        for i in _want(pages, count):
            try:
                if i:
                    try:
                        img.seek(i)
                    except (EOFError, OSError, ValueError) as exc:
                        raise InputError(label, f"page {i + 1}: cannot seek: {exc}") from None
                rgb, full = _decode_frame(img, label, i, max_side)
            except InputError as exc:
                if errors == "raise":
                    raise
                yield Page(label, i, None, kind=kind, count=count, error=exc.reason)
                continue
            yield Page(label, i, rgb, kind=kind, count=count,
                       full_size=full if full != rgb.size else None)


# --- PDF --------------------------------------------------------------------------------------


def _open_pdf(data: str | io.BytesIO, label: str, password: str | None = None):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            reason = "encrypted PDF (password required)" if password is None else "wrong password"
            raise InputError(label, reason) from None
        raise InputError(label, f"cannot open PDF: {msg}") from None
    except (OSError, ValueError) as exc:
        raise InputError(label, f"cannot open PDF: {exc}") from None


def _device_to_page_matrix(page, width: int, height: int) -> tuple[float, ...]:
    """Affine map display pixels -> PDF user space for a page rendered at ``width x height``.

    Derived from pdfium's own ``FPDF_DeviceToPage`` at three points, so CropBox offsets and
    ``/Rotate`` are handled exactly as pdfium rendered them.
    """
    import ctypes

    import pypdfium2.raw as pdfium_c

    def d2p(x: int, y: int) -> tuple[float, float]:
        px, py = ctypes.c_double(), ctypes.c_double()
        pdfium_c.FPDF_DeviceToPage(page.raw, 0, 0, width, height, 0, x, y, px, py)
        return px.value, py.value

    e, f = d2p(0, 0)
    ax, bx = d2p(width, 0)
    cx, dy = d2p(0, height)
    return ((ax - e) / width, (bx - f) / width, (cx - e) / height, (dy - f) / height, e, f)


def _render_pdf_page(
    pdf, label: str, i: int, dpi: float, max_side: int | None = None
) -> tuple:
    """Render page ``i``. Returns the image, the full-resolution scale (pixels per point), the
    full-resolution pixel -> user-space matrix, the displayed size in points and the full size in
    pixels (which the image is smaller than when ``max_side`` allows a cheaper render)."""
    import math

    import pypdfium2.raw as pdfium_c

    page = pdf[i]
    try:
        w_pt, h_pt = page.get_size()
        scale = dpi / PDF_POINTS_PER_INCH
        # A page can claim to be 200 x 200 inches: render it smaller rather than allocate GBs.
        if w_pt * h_pt * scale * scale > MAX_RENDER_PIXELS:
            scale = (MAX_RENDER_PIXELS / max(w_pt * h_pt, 1.0)) ** 0.5 * 0.999
        if w_pt * scale < 1 or h_pt * scale < 1:
            raise InputError(label, f"page {i + 1}: empty page size ({w_pt}x{h_pt} pt)")
        full = (math.ceil(w_pt * scale), math.ceil(h_pt * scale))  # pypdfium2's own rounding
        render_scale = scale
        if max_side and max(full) > max_side:
            render_scale = max_side / max(w_pt, h_pt)
        bitmap = page.render(
            scale=render_scale,
            fill_color=(255, 255, 255, 255),
            may_draw_forms=True,
            force_bitmap_format=pdfium_c.FPDFBitmap_BGR,
            rev_byteorder=True,  # RGB straight from pdfium: no alpha plane, no extra copy
        )
        try:
            img = bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
        matrix = _device_to_page_matrix(page, full[0], full[1])
        return img, scale, matrix, (w_pt, h_pt), full
    finally:
        page.close()


def _iter_pdf(
    data: str | io.BytesIO,
    label: str,
    dpi: float,
    pages: Iterable[int] | None,
    errors: str,
    password: str | None,
    max_side: int | None = None,
) -> Iterator[Page]:
    import pypdfium2 as pdfium

    try:
        pdf = _open_pdf(data, label, password)
        count = len(pdf)
        if count == 0:
            pdf.close()
            raise InputError(label, "PDF has no pages")
    except InputError as exc:
        if errors == "raise":
            raise
        yield Page(label, 0, None, kind="pdf", error=exc.reason)
        return
    try:
        for i in _want(pages, count):
            try:
                try:
                    img, scale, matrix, size_pt, full = _render_pdf_page(
                        pdf, label, i, dpi, max_side
                    )
                except pdfium.PdfiumError as exc:
                    raise InputError(label, f"page {i + 1}: cannot render: {exc}") from None
            except InputError as exc:
                if errors == "raise":
                    raise
                yield Page(label, i, None, kind="pdf", count=count, error=exc.reason)
                continue
            yield Page(
                label,
                i,
                img,
                kind="pdf",
                count=count,
                dpi=round(scale * PDF_POINTS_PER_INCH, 3),
                points_per_pixel=1.0 / scale,
                size_pt=size_pt,
                full_size=full if full != img.size else None,
                pdf_matrix=matrix,
            )
    finally:
        pdf.close()

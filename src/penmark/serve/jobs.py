"""The CPU work of one request, run in a thread of the bounded pool (never on the event loop).

Reading pages (:func:`penmark.io.iter_pages`), orientation + detection + PDF point boxes per page
(:class:`penmark.pipeline.PageProcessor`, the same code as ``penmark detect``), redaction
(:mod:`penmark.redact`) and the JSON page objects (:func:`penmark.formats.page_to_dict`) all live in
their own modules; this one strings them together for HTTP, checks the request's limits and stops
between pages once the request has timed out (``cancel`` is set).
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from penmark.formats import page_to_dict
from penmark.io import InputError, Page, iter_pages, page_count
from penmark.pipeline import Options, PageProcessor, Task, ThresholdedDetector
from penmark.region import Region
from penmark.runtime import Detector
from penmark.serve.errors import ApiError


class Cancelled(Exception):
    """The request timed out while this job was running; its result is not wanted any more."""


@dataclass(frozen=True)
class Job:
    """One upload saved at ``path`` (inside the request's temporary directory) and its options."""

    path: Path
    name: str
    kind: str
    threshold: float
    labels: tuple[str, ...] | None
    pages: Sequence[int] | None
    dpi: int
    max_pages: int
    orientation: str = "auto"  # one of penmark.pipeline.ORIENTATION_MODES


def _processor(detector: Detector, job: Job) -> tuple[PageProcessor, Task]:
    options = Options(
        threshold=job.threshold, labels=job.labels, dpi=job.dpi, orientation=job.orientation
    )
    pages = tuple(job.pages) if job.pages else None
    task = Task(str(job.path), job.name, job.name, pages, job.kind)
    proc = PageProcessor(options, detector=ThresholdedDetector(detector, job.threshold, job.labels))
    return proc, task


def _unreadable(exc: InputError) -> ApiError:
    return ApiError(422, "unreadable", f"cannot read the upload: {exc.reason}")


def _check_pages(job: Job, renders_all: bool = False) -> int:
    """Check the page cap before rendering anything (413 if over); return the page count.

    ``renders_all``: every page is rendered whatever the selection (redacted PDFs keep all pages).
    """
    try:
        count = page_count(job.path, name=job.name)
    except InputError as exc:
        raise _unreadable(exc) from None
    selected = count
    if job.pages is not None:
        selected = sum(1 for p in job.pages if p < count)
        if selected == 0:
            raise ApiError(
                422, "invalid_pages", f"no selected page exists; the document has {count} page(s)"
            )
    if renders_all:
        selected = count
    if selected > job.max_pages:
        raise ApiError(
            413,
            "too_many_pages",
            f"the document has {selected} page(s) to process; the limit is {job.max_pages}"
            + ("" if renders_all else " (select fewer with the 'pages' field, e.g. '1-3')"),
        )
    return count


def _pages(job: Job, cancel: threading.Event, errors: str = "yield") -> Any:
    """The job's pages, one at a time; raises :class:`Cancelled` between pages after a timeout."""
    for page in iter_pages(job.path, dpi=job.dpi, pages=job.pages, name=job.name, errors=errors):
        if cancel.is_set():
            raise Cancelled
        yield page


def preview_data_url(image: Image.Image, max_side: int) -> str:
    """A JPEG ``data:`` URL of the page scaled to ``max_side`` for the web page to draw on.

    Why the server sends it: browsers cannot show TIFF or PDF pages, and this way the picture is
    exactly the pixels the boxes refer to (EXIF orientation and PDF rotation applied).
    """
    small = image.copy()
    small.thumbnail((max_side, max_side), Image.BILINEAR)
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=82)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def detect_job(
    cancel: threading.Event,
    detector: Detector,
    job: Job,
    preview_max_side: int | None = None,
) -> list[dict[str, Any]]:
    """Page objects (JSON Lines schema) of every selected page, in page order.

    A page that cannot be read becomes an error object (the schema allows it); if no page at all
    can be read, the upload is refused with 422. With ``preview_max_side`` each object also gets an
    ``image`` field (see :func:`preview_data_url`).
    """
    _check_pages(job)
    processor, task = _processor(detector, job)
    out: list[dict[str, Any]] = []
    unreadable = broken = 0
    for page in _pages(job, cancel):
        result = processor.process(page, task).result
        if page.error is not None:
            unreadable += 1
        elif result.error is not None:
            broken += 1  # the page was read but the model failed on it: our fault, not the input's
        elif preview_max_side:
            result.extra["image"] = preview_data_url(page.image, preview_max_side)
        page.image = None  # free the pixels before the next page
        out.append(page_to_dict(result))
    if out and unreadable + broken == len(out):
        first = out[0]["error"]
        if broken:
            raise ApiError(500, "detection_failed", f"the detector failed: {first}")
        raise ApiError(422, "unreadable", f"cannot read the upload: {first}")
    return out


@dataclass(frozen=True)
class Redacted:
    """A redacted copy written at ``path`` and how to send it."""

    path: Path
    media_type: str
    filename: str
    regions: int


def _stem(name: str) -> str:
    return Path(name).stem or "upload"


def redact_job(cancel: threading.Event, detector: Detector, job: Job, out_dir: Path) -> Redacted:
    """Write the redacted copy of the upload into ``out_dir`` (under a fixed name: the client's
    file name is only used for the download name).

    PDFs and multi-page TIFFs become an image-only PDF (:func:`penmark.redact.redact_pdf`: nothing
    of the original survives under a box); a single image keeps JPEG as JPEG, anything else
    becomes PNG, without the original's metadata (:func:`penmark.redact.save_clean`).
    """
    from penmark.redact import redact_image, redact_pdf, save_clean

    count = _check_pages(job, renders_all=True)
    processor, _ = _processor(detector, job)

    def find(page: Page) -> list[Region]:
        if cancel.is_set():
            raise Cancelled
        return processor.detect(page)[0]

    if job.kind == "pdf" or count > 1:
        dst = out_dir / "redacted.pdf"
        try:
            painted = redact_pdf(
                job.path, dst, regions=find, labels=job.labels, dpi=job.dpi, pages=job.pages
            )
        except InputError as exc:
            raise _unreadable(exc) from None
        filename = _stem(job.name) + "-redacted.pdf"
        return Redacted(dst, "application/pdf", filename, sum(len(p) for p in painted))
    try:
        page = next(_pages(job, cancel, errors="raise"))
    except InputError as exc:
        raise _unreadable(exc) from None
    regions = find(page)
    with open(job.path, "rb") as fh:
        is_jpeg = fh.read(3) == b"\xff\xd8\xff"
    suffix, media_type = (".jpg", "image/jpeg") if is_jpeg else (".png", "image/png")
    dst = out_dir / ("redacted" + suffix)
    save_clean(redact_image(page.image, regions), dst)
    return Redacted(dst, media_type, _stem(job.name) + "-redacted" + suffix, len(regions))

"""What happens to one page and one document: read -> orient -> detect -> draw/crop/redact.

Why here and not in the CLI: the batch runner (:mod:`penmark.runtime.batch`) runs this in worker
processes, so every image-side output (annotated copies, crops, redacted pages) is written where
the pixels already are; only small :class:`~penmark.region.PageResult` objects travel back.
Everything a worker needs is in the picklable :class:`Options`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from penmark.io.documents import DEFAULT_DPI, Page, iter_pages
from penmark.io.images import InputError
from penmark.region import PageResult, Region
from penmark.runtime.detector import DEFAULT_MODEL, DEFAULT_THRESHOLD

# --orientation: "auto" = the learned classifier, but a turn after which the detector finds
# nothing is undone if the page as displayed has regions; "learned" = the classifier alone;
# "heuristic" = the projection heuristic alone; "none" = trust the page as displayed.
ORIENTATION_MODES = ("auto", "learned", "heuristic", "none")


def check_orientation_mode(mode: str) -> str:
    """``mode`` if it is one of :data:`ORIENTATION_MODES`, else a ValueError naming them."""
    if mode not in ORIENTATION_MODES:
        raise ValueError(f"orientation must be one of {list(ORIENTATION_MODES)}, got {mode!r}")
    return mode


@dataclass
class Options:
    """Everything that decides how a page is processed (picklable, shared with workers)."""

    model: str = DEFAULT_MODEL
    weights: str | None = None  # an ONNX file to use instead of the named model
    verify: bool = True  # rescore with the model's embedded verifier, if it has one
    print_check: bool = True  # halve handwritten scores where glyphs repeat exactly (print)
    threshold: float = DEFAULT_THRESHOLD
    labels: tuple[str, ...] | None = None
    dpi: float = DEFAULT_DPI
    pages: tuple[int, ...] | None = None  # 0-based; None = all
    orientation: str = "auto"  # one of ORIENTATION_MODES
    orientation_weights: str | None = None  # a classifier ONNX to use instead of the shipped one
    password: str | None = None
    threads: int | None = 1  # ONNX intra-op threads per process; None = onnxruntime's default
    # --draw
    draw_dir: str | None = None
    colors: dict[str, tuple[int, int, int]] | None = None
    line_width: int | None = None
    font_size: int | None = None
    filled: bool = False
    fill_alpha: float = 0.35
    show_labels: bool = True
    show_scores: bool = True
    # --save-pages: the page images as displayed (what COCO ``file_name`` then points at)
    pages_dir: str | None = None
    # --crop
    crop_dir: str | None = None
    crop_pad: int = 0
    # --redact
    redact_dir: str | None = None
    redact_labels: tuple[str, ...] | None = None
    redact_color: tuple[int, int, int] = (0, 0, 0)
    jpeg_quality: int = 92
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    """A slice of one source: which pages to process (``None`` = the only page of an image)."""

    path: str  # the file the reader opens (stdin is spooled to a temporary file first)
    name: str  # relative output name (mirrors input folders)
    source: str  # the ``source`` field written to the output
    pages: tuple[int, ...] | None
    kind: str = "image"
    data: bytes | None = None  # in-memory document, read instead of ``path`` when given
    last: bool = True  # last task of this source (the runner finalises a redacted PDF then)
    doc_pages: tuple[int, ...] | None = None  # on the last task: every page wanted from the doc


@dataclass
class Outcome:
    """A processed page: the result, wall seconds spent on it, and files written for it."""

    result: PageResult
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)
    peak_rss_kb: int = 0  # peak RSS of the process that made it (set by batch workers)
    cpu_seconds: float = 0.0  # CPU time of this process for the page (read + orient + detect)


# --- output paths ------------------------------------------------------------------------------


def _stem_path(root: str, name: str) -> Path:
    """``root/<name without suffix>``, refusing names that escape ``root``."""
    rel = Path(name)
    parts = [p for p in rel.parts if p not in ("", ".", "..", "/")]
    rel = Path(*parts) if parts else Path("page")
    return Path(root) / rel.with_suffix("")


def _image_suffix(name: str, kind: str) -> str:
    suffix = Path(name).suffix.lower()
    if kind == "image" and suffix in (".jpg", ".jpeg", ".png", ".webp", ".bmp"):
        return ".jpg" if suffix == ".jpeg" else suffix
    return ".png"


def page_file(root: str, task: Task, page: int, multi: bool, suffix: str) -> Path:
    """``root/rel/stem.png`` for single images, ``root/rel/stem.p0003.png`` for page 3 of many."""
    stem = _stem_path(root, task.name)
    name = f"{stem.name}.p{page + 1:04d}{suffix}" if multi else f"{stem.name}{suffix}"
    return stem.with_name(name)


def redact_parts_dir(root: str, task: Task) -> Path:
    """Where redacted PDF pages wait (``<root>/.penmark-parts/<hash>``) until the document is
    complete. Kept across an interrupted run so that ``--skip-done`` can finish the PDF."""
    key = hashlib.sha1(f"{task.source}\0{task.name}".encode()).hexdigest()[:16]
    return Path(root) / ".penmark-parts" / key


def redacted_pdf_path(root: str, task: Task) -> Path:
    stem = _stem_path(root, task.name)
    return stem.with_name(stem.name + ".pdf")


def _save(image: Image.Image, path: Path, quality: int) -> None:
    from penmark.redact import save_clean

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.part{path.suffix}")  # real suffix picks the format
    save_clean(image, tmp, quality=quality)
    os.replace(tmp, path)


# --- one page ----------------------------------------------------------------------------------


class ThresholdedDetector:
    """A shared detector seen with one caller's threshold and labels, shaped as
    :class:`PageProcessor` calls a detector (``detect(image, page=...)``, ``input_size``).

    Why: the server (per request) and the Spark stage (per stage) share one loaded detector
    and must not mutate it."""

    def __init__(self, detector, threshold: float, labels: tuple[str, ...] | None) -> None:
        self.detector, self.threshold, self.labels = detector, threshold, labels
        self.input_size = getattr(detector, "input_size", None)

    def detect(self, image: Image.Image, page: int = 0) -> list[Region]:
        return self.detector.detect(
            image, threshold=self.threshold, labels=self.labels, page=page
        )


class PageProcessor:
    """Holds the detector of one process and turns :class:`Page` objects into outcomes."""

    def __init__(self, options: Options, detector=None) -> None:
        self.options = options
        if detector is None:
            from penmark.runtime import Detector

            kwargs = {
                "threshold": options.threshold,
                "labels": options.labels,
                "num_threads": options.threads,
                "verifier": None if options.verify else False,
                "print_check": options.print_check,
            }
            if options.weights:
                detector = Detector(options.weights, **kwargs)
            else:
                detector = Detector.pretrained(options.model, **kwargs)
        self.detector = detector

    @property
    def input_size(self) -> int | None:
        size = getattr(self.detector, "input_size", None)
        return size if isinstance(size, int) and size > 0 else None

    def detect(self, page: Page) -> tuple[list[Region], int, float]:
        """Regions in full-page display coordinates, the rotation used (CCW degrees) and its
        confidence.

        ``page.image`` may be the full page or a reduced copy (see ``iter_pages(max_side=...)``).
        It is shrunk once to the detector's input size (the same resize the detector would do)
        and that copy serves both the orientation check and the detector; boxes are then scaled
        to the full page's pixels.
        """
        image = page.image
        w, h = page.width, page.height
        work = image
        size = self.input_size
        if size and max(image.size) > size:
            from penmark.runtime.preprocess import page_scale

            scale = page_scale(image.width, image.height, size)
            nw, nh = max(1, round(image.width * scale)), max(1, round(image.height * scale))
            work = image.resize((nw, nh), Image.BILINEAR, reducing_gap=2.0)
        angle, confidence = 0, 1.0
        if self.options.orientation != "none":
            found = self.check_orientation(work)
            angle, confidence = found.angle, found.confidence
        regions = self._detect_turned(work, angle, page.index)
        if angle and self.options.orientation == "auto" and not self._found(regions):
            # Any check turns a few upright real pages (benchmarks/orientation_real.py), and a
            # wrongly turned page loses all its regions. So a turn that leaves the
            # detector nothing is checked against the page as displayed, and undone if that
            # has regions (benchmarks/orientation_detection.py; experiments/README.md).
            as_displayed = self.detector.detect(work, page=page.index)
            if self._found(as_displayed):
                regions, angle = as_displayed, 0
        if work.size != (w, h):
            regions = [r.scaled(w / work.width, h / work.height) for r in regions]
        regions = [r.clipped(w, h) for r in regions]
        return regions, angle, confidence

    def check_orientation(self, work: Image.Image):
        """How ``work`` (the page copy at the detector's input size) must be turned, by the check
        the ``orientation`` mode names (``none``: not turned)."""
        from penmark.runtime.orientation import Orientation, detect_orientation, shared_classifier

        mode = self.options.orientation
        if mode == "none":
            return Orientation(0, 1.0)
        if mode == "heuristic":
            return detect_orientation(work)
        return shared_classifier(self.options.orientation_weights, self.options.threads)(work)

    def _found(self, regions: list[Region]) -> bool:
        """Whether any region reaches the threshold (the detector may run lower, as in
        ``penmark evaluate``, which ranks regions down to 0.01)."""
        return any(r.score >= self.options.threshold for r in regions)

    def _detect_turned(self, work: Image.Image, angle: int, index: int) -> list[Region]:
        """Detect on ``work`` rotated by ``angle`` (CCW); boxes mapped back onto ``work``."""
        from penmark.runtime.orientation import unrotate_regions

        upright = work.rotate(angle, expand=True) if angle else work
        regions = self.detector.detect(upright, page=index)
        return unrotate_regions(regions, angle, work.width, work.height)

    @property
    def needs_full_pages(self) -> bool:
        """Whether pixels of the full page are written (draw, crops, redaction, saved pages)."""
        o = self.options
        return bool(o.draw_dir or o.crop_dir or o.redact_dir or o.pages_dir)

    def process(self, page: Page, task: Task, full: Page | None = None) -> Outcome:
        """Detect on ``page`` (full or reduced); write image outputs from ``full`` (the same page
        read at full resolution) when ``page`` is a reduced copy."""
        t0 = time.perf_counter()
        opts = self.options
        if page.error is not None:
            return Outcome(PageResult(task.source, page.index, error=page.error))
        try:
            regions, angle, confidence = self.detect(page)
        except Exception as exc:  # noqa: BLE001 - one bad page never stops a batch
            return Outcome(
                PageResult(task.source, page.index, error=f"detection failed: {exc}"),
                time.perf_counter() - t0,
            )
        result = PageResult(task.source, page.index, page.width, page.height, regions)
        if opts.orientation != "none":
            result.extra["orientation"] = angle
        if page.points_per_pixel is not None:
            result.extra["pdf"] = {
                "dpi": page.dpi,
                "points_per_pixel": round(page.points_per_pixel, 6),
                "size_pt": [round(v, 3) for v in page.size_pt or ()],
                "pixel_to_pdf": [round(v, 6) for v in page.pdf_matrix or ()],
            }
        files: list[str] = []
        if self.needs_full_pages and page.reduced:
            if full is None or full.image is None or full.image.size != (page.width, page.height):
                result.error = "cannot read the page at full resolution for the image outputs"
                return Outcome(result, time.perf_counter() - t0)
            page = full
        try:
            if opts.pages_dir:
                path = page_file(
                    opts.pages_dir,
                    task,
                    page.index,
                    task.kind in ("pdf", "tiff"),
                    _image_suffix(task.name, task.kind),
                )
                _save(page.image, path, opts.jpeg_quality)
                files.append(str(path))
                result.extra["image_file"] = str(path)
            files += self._write_outputs(page, task, regions, angle)
        except OSError as exc:
            result.error = f"cannot write output: {exc}"
        return Outcome(result, time.perf_counter() - t0, files)

    def _write_outputs(
        self, page: Page, task: Task, regions: Sequence[Region], angle: int
    ) -> list[str]:
        opts = self.options
        files: list[str] = []
        multi = task.kind in ("pdf", "tiff")
        suffix = _image_suffix(task.name, task.kind)
        if opts.draw_dir:
            from penmark.draw import draw_regions

            out = draw_regions(
                page.image,
                regions,
                colors=opts.colors,
                line_width=opts.line_width,
                font_size=opts.font_size,
                filled=opts.filled,
                fill_alpha=opts.fill_alpha,
                show_labels=opts.show_labels,
                show_scores=opts.show_scores,
            )
            path = page_file(opts.draw_dir, task, page.index, multi, suffix)
            _save(out, path, opts.jpeg_quality)
            files.append(str(path))
        if opts.crop_dir:
            from penmark.draw import crop_name, crop_region

            stem = _stem_path(opts.crop_dir, task.name)
            for i, r in enumerate(regions):
                crop = crop_region(page.image, r, pad=opts.crop_pad, rotate=angle)
                path = stem.with_name(crop_name(stem.name, page.index, i, r))
                _save(crop, path, opts.jpeg_quality)
                files.append(str(path))
        if opts.redact_dir:
            from penmark.redact import redact_image

            clean = redact_image(
                page.image, regions, labels=opts.redact_labels, color=opts.redact_color
            )
            if task.kind == "pdf":
                parts = redact_parts_dir(opts.redact_dir, task)
                parts.mkdir(parents=True, exist_ok=True)
                nominal = (page.width * 72 / opts.dpi, page.height * 72 / opts.dpi)
                w_pt, h_pt = page.size_pt or nominal
                path = parts / f"{page.index:06d}_{w_pt:.3f}_{h_pt:.3f}.jpg"
                _save(clean, path, opts.jpeg_quality)
            else:
                path = page_file(opts.redact_dir, task, page.index, multi, suffix)
                _save(clean, path, opts.jpeg_quality)
                files.append(str(path))
        return files

    def run(self, task: Task) -> Iterator[Outcome]:
        """Every requested page of one task, streamed; read errors become error results.

        Pages are read at the detector's input size (cheap JPEG/PDF decoding), so detections do
        not depend on which outputs were asked for; when image outputs are written, a page read
        as a reduced copy is read again at full resolution.
        """
        source = task.data if task.data is not None else task.path
        pages = task.pages
        if pages is None and self.options.pages is not None and task.kind in ("pdf", "tiff"):
            pages = self.options.pages

        def read(which, max_side: int | None) -> Iterator[Page]:
            return iter_pages(
                source,
                dpi=self.options.dpi,
                pages=which,
                name=task.source,
                errors="yield",
                password=self.options.password,
                max_side=max_side,
            )

        t0, c0 = time.perf_counter(), time.process_time()
        for page in read(pages, self.input_size):
            full = None
            if page.reduced and self.needs_full_pages:
                full = next(read([page.index], None), None)
            read_s = time.perf_counter() - t0
            outcome = self.process(page, task, full)
            outcome.seconds += read_s
            outcome.cpu_seconds = time.process_time() - c0
            page.image = None  # free the pixels before reading the next page
            if full is not None:
                full.image = None
            yield outcome
            t0, c0 = time.perf_counter(), time.process_time()


def finish_redacted_pdf(options: Options, task: Task, wanted: Sequence[int] | None) -> str | None:
    """Assemble ``<redact_dir>/<name>.pdf`` from the redacted page images of ``task``'s source.

    Returns the PDF path, or None if pages are missing (e.g. some failed); parts are then kept.
    """
    from penmark.redact import ImagePdfWriter

    parts = redact_parts_dir(options.redact_dir, task)
    if not parts.is_dir():
        return None
    files = sorted(parts.glob("*.jpg"))
    have = {int(f.name.split("_", 1)[0]) for f in files}
    if wanted is not None and not set(wanted) <= have:
        return None
    dst = redacted_pdf_path(options.redact_dir, task)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    with open(tmp, "wb") as fh:
        writer = ImagePdfWriter(fh, quality=options.jpeg_quality)
        for f in files:
            if wanted is not None and int(f.name.split("_", 1)[0]) not in set(wanted):
                continue
            _, w_pt, h_pt = f.stem.split("_")
            writer.add_jpeg(f.read_bytes(), float(w_pt), float(h_pt))
        writer.close()
    os.replace(tmp, dst)
    shutil.rmtree(parts, ignore_errors=True)
    try:
        parts.parent.rmdir()  # only when empty
    except OSError:
        pass
    return str(dst)


def read_error(task: Task, exc: InputError) -> Outcome:
    return Outcome(PageResult(task.source, 0, error=exc.reason))

"""The FastAPI application: routes only. Limits live in :mod:`~penmark.serve.config`, the pool in
:mod:`~penmark.serve.engine`, the work in :mod:`~penmark.serve.jobs`.

Request life: the body-size middleware refuses oversized uploads (413) -> a request slot is taken
(503 when all are busy) -> the upload is copied into a fresh temporary directory and sniffed from
its bytes (415 if unsupported) -> the job runs in the pool under the time limit (504) -> the
temporary directory is removed, also on every error path.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

import penmark
from penmark.io import parse_page_ranges, sniff
from penmark.region import LABELS
from penmark.runtime import Detector
from penmark.serve import schemas
from penmark.serve.config import ServeConfig
from penmark.serve.docs import make_fastapi
from penmark.serve.engine import Engine
from penmark.serve.errors import ApiError, install_error_handlers
from penmark.serve.jobs import Job, detect_job, redact_job
from penmark.serve.limits import BodySizeLimit
from penmark.serve.params import check_orientation, check_page_spec, parse_labels
from penmark.serve.uploads import (
    CleanupFileResponse,
    Workspace,
    content_disposition,
    save_upload,
    source_name,
)

STATIC_DIR = Path(__file__).parent / "static"

ThresholdField = Annotated[
    float | None,
    Form(ge=0.0, le=1.0, description="Minimum score, 0..1 (default: the server's)."),
]
LabelsField = Annotated[
    list[str] | None,
    Form(description=f"Keep only these labels (repeat the field or comma-separate): {LABELS}."),
]
PagesField = Annotated[
    str | None,
    Form(description="1-based page ranges of a PDF or TIFF, e.g. '1-3,7' (default: all)."),
]
OrientationField = Annotated[
    str,
    Form(
        description="Pages scanned sideways or upside down: auto (default: the orientation "
        "classifier, boxes given on the page as sent), learned, heuristic, or none (trust the "
        "page, ~15 ms faster per page)."
    ),
]
FileField = Annotated[UploadFile, File(description="An image (JPEG, PNG, TIFF, ...) or a PDF.")]


def create_app(config: ServeConfig | None = None, detector: Detector | None = None) -> FastAPI:
    """Build the app. ``detector`` replaces the pretrained one (tests); else it is loaded once, at
    startup."""
    config = config or ServeConfig()
    engine = Engine(config, detector)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        engine.detector  # noqa: B018 - load the model before the first request
        try:
            yield
        finally:
            engine.close()

    app = make_fastapi(
        title="penmark",
        version=penmark.__version__,
        description=schemas.API_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.add_middleware(BodySizeLimit, max_bytes=config.max_upload_bytes)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    async def prepare(
        ws: Workspace,
        file: UploadFile,
        threshold: float | None,
        labels: list[str] | None,
        pages: str | None,
        orientation: str = "auto",
    ) -> Job:
        parsed_labels = parse_labels(labels)
        check_orientation(orientation)
        check_page_spec(pages, config.max_pages)
        try:
            selection = parse_page_ranges(pages)
        except ValueError as exc:
            raise ApiError(422, "invalid_pages", str(exc)) from None
        name = source_name(file)
        path = ws.path / "upload"
        head = await save_upload(file, path, config.max_upload_bytes)
        kind = sniff(head)
        if kind is None:
            raise ApiError(
                415,
                "unsupported_type",
                "the upload is not a supported image or PDF (checked from its content); "
                "send JPEG, PNG, TIFF, BMP, WebP, GIF or PDF",
            )
        return Job(
            path=path,
            name=name,
            kind=kind,
            threshold=config.default_threshold if threshold is None else threshold,
            labels=parsed_labels,
            pages=selection,
            dpi=config.dpi,
            max_pages=config.max_pages,
            orientation=orientation,
        )

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/healthz", response_model=schemas.Health, tags=["service"])
    async def healthz() -> dict[str, Any]:
        """Liveness and what this server runs: model, labels, limits, load."""
        det = engine.detector
        return {
            "status": "ok",
            "version": penmark.__version__,
            "model": det.name,
            "trained": bool(det.metadata.get("trained", True)),
            "labels": list(det.model_labels),
            "default_threshold": config.default_threshold,
            "limits": {
                "max_upload_bytes": config.max_upload_bytes,
                "max_pages": config.max_pages,
                "timeout_s": config.timeout_s,
                "workers": config.workers,
                "max_active": config.max_active,
            },
            "active": engine.active,
        }

    @app.post(
        "/v1/detect",
        tags=["detect"],
        responses={200: {"model": list[schemas.PageOut]}, **schemas.ERROR_RESPONSES},
    )
    async def detect(
        file: FileField,
        threshold: ThresholdField = None,
        labels: LabelsField = None,
        pages: PagesField = None,
        orientation: OrientationField = "auto",
        previews: Annotated[
            bool, Form(description="Add a JPEG preview of each page ('image', a data URL).")
        ] = False,
    ) -> JSONResponse:
        """Detect handwriting and signatures: one JSON Lines page object per selected page."""
        deadline = time.monotonic() + config.timeout_s
        async with engine.admit():
            with Workspace(config.tmp_root) as ws:
                job = await prepare(ws, file, threshold, labels, pages, orientation)
                side = config.preview_max_side if previews else None
                result = await engine.run(deadline, detect_job, engine.detector, job, side)
        return JSONResponse(result)

    @app.post(
        "/v1/redact",
        tags=["redact"],
        response_class=FileResponse,
        responses={
            200: {
                "description": "The redacted copy: PDF for PDFs and multi-page TIFFs; JPEG for a "
                "JPEG; PNG for other images. Header X-Penmark-Regions: boxes painted.",
                "content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
            },
            **schemas.ERROR_RESPONSES,
        },
    )
    async def redact(
        file: FileField,
        threshold: ThresholdField = None,
        labels: LabelsField = None,
        pages: PagesField = None,
        orientation: OrientationField = "auto",
    ) -> FileResponse:
        """Return the upload with detected regions painted over (``labels`` picks which kinds)."""
        deadline = time.monotonic() + config.timeout_s
        async with engine.admit():
            with Workspace(config.tmp_root) as ws:
                job = await prepare(ws, file, threshold, labels, pages, orientation)
                out = await engine.run(deadline, redact_job, engine.detector, job, ws.path)
                ws.kept = True  # removed by the response once sent
        return CleanupFileResponse(
            out.path,
            media_type=out.media_type,
            headers={
                "Content-Disposition": content_disposition(out.filename),
                "X-Penmark-Regions": str(out.regions),
            },
            workspace=ws,
        )

    return app

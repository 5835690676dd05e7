"""Pydantic models that only *document* the API in OpenAPI (``/docs``).

Responses are built by :func:`penmark.formats.page_to_dict`, the one converter every surface shares,
and returned as they are; these models describe that shape for clients and code generators.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

API_DESCRIPTION = """\
Find handwritten text and signatures on document images and PDFs, offline, on a CPU.

* `POST /v1/detect`: multipart `file` (+ `threshold`, `labels`, `pages`) -> a JSON array with one
  page object per page, the same objects `penmark detect` writes as JSON Lines.
* `POST /v1/redact`: the same fields -> the file with the regions painted over.
* Errors are JSON: `{"error": {"status": 415, "code": "unsupported_type", "message": "..."}}`.
"""


class RegionOut(BaseModel):
    label: Literal["handwritten", "signature"]
    score: float = Field(description="0..1")
    box: list[float] = Field(description="[x0, y0, x1, y1] in pixels of the page as displayed")


class PageOut(BaseModel):
    """One page. A page that could not be read has only ``source``, ``page`` and ``error``."""

    model_config = ConfigDict(extra="allow")

    source: str = Field(description="The uploaded file's name")
    page: int = Field(0, description="0-based page index")
    width: int | None = None
    height: int | None = None
    regions: list[RegionOut] | None = None
    error: str | None = None
    image: str | None = Field(None, description="JPEG preview data URL (only with previews=true)")


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class Limits(BaseModel):
    max_upload_bytes: int
    max_pages: int
    timeout_s: float
    workers: int
    max_active: int


class Health(BaseModel):
    status: str
    version: str
    model: str
    trained: bool
    labels: list[str]
    default_threshold: float
    limits: Limits
    active: int


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "Upload or page count over the limit"},
    415: {"model": ErrorOut, "description": "Not a supported image or PDF (sniffed from bytes)"},
    422: {"model": ErrorOut, "description": "Bad field value, empty or unreadable file"},
    503: {"model": ErrorOut, "description": "All request slots busy; retry (Retry-After)"},
    504: {"model": ErrorOut, "description": "Over the per-request time limit"},
}

"""The one result type that flows through penmark: a :class:`Region`.

Every stage (runtime, evaluation, drawing, redaction, Spark, HTTP) speaks in ``Region`` objects so
that converters to JSON, COCO, CSV and Spark rows live in one place (:mod:`penmark.formats`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

LABELS: tuple[str, ...] = ("handwritten", "signature")
"""Class names in model output order. COCO category id = index + 1."""

CATEGORY_IDS: dict[str, int] = {name: i + 1 for i, name in enumerate(LABELS)}


@dataclass(frozen=True)
class Region:
    """One detected (or annotated) region on one page.

    ``box`` is ``(x0, y0, x1, y1)`` in pixels of the page as displayed (EXIF orientation applied),
    with ``x1``/``y1`` exclusive-style float coordinates; ``page`` is the 0-based page index.
    """

    label: str
    score: float
    box: tuple[float, float, float, float]
    page: int = 0

    def __post_init__(self) -> None:
        if self.label not in CATEGORY_IDS:
            raise ValueError(f"unknown label {self.label!r}; expected one of {LABELS}")
        x0, y0, x1, y1 = self.box
        if x1 < x0 or y1 < y0:
            raise ValueError(f"box {self.box} has negative size")

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def category_id(self) -> int:
        return CATEGORY_IDS[self.label]

    def scaled(self, sx: float, sy: float | None = None) -> Region:
        """Return a copy with the box multiplied by ``sx`` (x) and ``sy`` (y)."""
        sy = sx if sy is None else sy
        x0, y0, x1, y1 = self.box
        return replace(self, box=(x0 * sx, y0 * sy, x1 * sx, y1 * sy))

    def clipped(self, width: float, height: float) -> Region:
        """Return a copy with the box clipped to a ``width`` x ``height`` page."""
        x0, y0, x1, y1 = self.box
        return replace(
            self,
            box=(
                min(max(x0, 0.0), width),
                min(max(y0, 0.0), height),
                min(max(x1, 0.0), width),
                min(max(y1, 0.0), height),
            ),
        )


@dataclass
class PageResult:
    """Detections for one page of one source (file, PDF page, TIFF frame, upload).

    ``error`` is set instead of ``regions`` when the page could not be read or processed, so that a
    batch can carry on and report the failure in its output.
    """

    source: str
    page: int = 0
    width: int = 0
    height: int = 0
    regions: list[Region] = field(default_factory=list)
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def signed(self) -> bool:
        return any(r.label == "signature" for r in self.regions)

    def counts(self) -> dict[str, int]:
        return {name: sum(r.label == name for r in self.regions) for name in LABELS}

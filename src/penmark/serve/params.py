"""Checking of the form fields shared by ``/v1/detect`` and ``/v1/redact``.

Page numbers in the ``pages`` field are 1-based ranges like the CLI's ``--pages 1-3,7`` (parsed by
:func:`penmark.io.parse_page_ranges`); the ``page`` field of the returned objects is 0-based (the
JSON Lines schema). Bad values raise :class:`~penmark.serve.errors.ApiError` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from penmark.region import LABELS
from penmark.serve.errors import ApiError

MAX_PAGE_NUMBER = 100_000
"""Largest page number accepted in ``pages``. The range parser expands ranges into a set, so
``1-999999999`` from a client would allocate gigabytes before the page cap is checked."""


def parse_labels(values: Iterable[str] | None) -> tuple[str, ...] | None:
    """``["signature"]``, ``["handwritten,signature"]`` or repeated fields -> label tuple.

    ``None`` or nothing selected means every label; an unknown name is a 422.
    """
    if not values:
        return None
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            name = part.strip()
            if not name:
                continue
            if name not in LABELS:
                expected = f"expected some of {list(LABELS)}"
                raise ApiError(422, "invalid_labels", f"unknown label {name!r}; {expected}")
            if name not in out:
                out.append(name)
    return tuple(out) or None


def check_orientation(mode: str) -> None:
    """An unknown ``orientation`` value is a 422 naming the accepted ones."""
    from penmark.pipeline import check_orientation_mode

    try:
        check_orientation_mode(mode)
    except ValueError as exc:
        raise ApiError(422, "invalid_orientation", str(exc)) from None


def check_page_spec(spec: str | None, max_pages: int) -> None:
    """Refuse a ``pages`` value that is too long or names absurd page numbers, before parsing."""
    if spec is None:
        return
    if len(spec) > 20 * max_pages + 100:
        raise ApiError(422, "invalid_pages", "the 'pages' field is too long")
    numbers = [int(n) for n in re.findall(r"\d+", spec)]
    if numbers and max(numbers) > MAX_PAGE_NUMBER:
        raise ApiError(
            422, "invalid_pages", f"page numbers above {MAX_PAGE_NUMBER} are not accepted"
        )

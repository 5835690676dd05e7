"""Reading images and documents into pages (PIL images in display orientation).

Every reader raises :class:`InputError` with the file name and the reason, never a bare library
exception, so that a batch can record the failure and go on.

- :func:`load_image`: one image (the Detector's input path).
- :func:`iter_pages`: every page of an image, multi-page TIFF or PDF, streamed one at a time.
- :func:`expand_inputs`: command-line style inputs (files, folders, globs, ``-``) -> sources.
"""

from penmark.io.documents import (
    DEFAULT_DPI,
    Page,
    iter_pages,
    page_count,
    parse_page_ranges,
    sniff,
)
from penmark.io.images import MAX_PIXELS, ImageInput, InputError, load_image
from penmark.io.sources import SUFFIXES, Source, expand_inputs

__all__ = [
    "DEFAULT_DPI",
    "MAX_PIXELS",
    "SUFFIXES",
    "ImageInput",
    "InputError",
    "Page",
    "Source",
    "expand_inputs",
    "iter_pages",
    "load_image",
    "page_count",
    "parse_page_ranges",
    "sniff",
]

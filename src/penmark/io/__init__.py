"""Reading images and documents into pages (PIL images in display orientation).

Every reader raises :class:`InputError` with the file name and the reason, never a bare library
exception, so that a batch can record the failure and go on.
"""

from penmark.io.images import InputError, ImageInput, load_image

__all__ = ["ImageInput", "InputError", "load_image"]

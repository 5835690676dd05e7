"""``ImageType`` and ``Color``: the Visual NLP names for image layouts and drawing colours.

Visual NLP pipelines write ``BinaryToImage().setImageType(ImageType.TYPE_3BYTE_BGR)`` and
``ImageDrawRegions().setRectColor(Color.gray)``; these classes let that code run unchanged. Values
are plain ints / RGB tuples so that they are stored as JSON when a pipeline is saved.
"""

from __future__ import annotations

from enum import IntEnum


class ImageType(IntEnum):
    """Pixel layouts of the image struct (the ints are Java ``BufferedImage`` type ids, as in
    Visual NLP). Each maps to an OpenCV ``mode`` of Spark's image schema (see :data:`OPENCV_MODE`).
    """

    TYPE_3BYTE_BGR = 5
    """3 channels, bytes in B, G, R order: Spark's image schema default (OpenCV ``CV_8UC3``)."""
    TYPE_4BYTE_ABGR = 6
    """4 channels stored B, G, R, A (OpenCV ``CV_8UC4``, as Spark's image data source does)."""
    TYPE_BYTE_GRAY = 10
    """1 channel of luminance (OpenCV ``CV_8UC1``)."""


OPENCV_MODE: dict[ImageType, int] = {
    ImageType.TYPE_3BYTE_BGR: 16,
    ImageType.TYPE_4BYTE_ABGR: 24,
    ImageType.TYPE_BYTE_GRAY: 0,
}
"""``mode`` field of the image struct for each :class:`ImageType` (OpenCV type codes)."""

CHANNELS: dict[ImageType, int] = {
    ImageType.TYPE_3BYTE_BGR: 3,
    ImageType.TYPE_4BYTE_ABGR: 4,
    ImageType.TYPE_BYTE_GRAY: 1,
}

RGB = tuple[int, int, int]


class Color:
    """Named RGB colours for :class:`~penmark.spark.ImageDrawRegions` (``Color.gray`` ...)."""

    black: RGB = (0, 0, 0)
    white: RGB = (255, 255, 255)
    gray: RGB = (128, 128, 128)
    darkGray: RGB = (64, 64, 64)
    lightGray: RGB = (192, 192, 192)
    red: RGB = (255, 0, 0)
    green: RGB = (0, 200, 0)
    blue: RGB = (0, 0, 255)
    yellow: RGB = (255, 200, 0)
    orange: RGB = (255, 140, 0)
    magenta: RGB = (255, 0, 255)
    cyan: RGB = (0, 200, 200)
    pink: RGB = (255, 105, 180)

    @classmethod
    def names(cls) -> list[str]:
        return [k for k, v in vars(cls).items() if isinstance(v, tuple)]


ColorLike = str | tuple[int, int, int] | list[int]


def to_rgb(value: ColorLike) -> list[int]:
    """Normalise ``Color.gray``, ``(128, 128, 128)``, ``"gray"`` or ``"#808080"`` to ``[r, g, b]``.

    A list (not a tuple) because Params are saved as JSON and come back as lists.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("#") and len(text) == 7:
            try:
                return [int(text[i : i + 2], 16) for i in (1, 3, 5)]
            except ValueError:
                pass
        named = getattr(Color, text, None)
        if isinstance(named, tuple):
            return list(named)
        raise TypeError(f"unknown colour {value!r}; use '#rrggbb' or one of {Color.names()}")
    rgb = [int(v) for v in value]
    if len(rgb) != 3 or any(not 0 <= v <= 255 for v in rgb):
        raise TypeError(f"colour must be 3 ints in 0..255, got {value!r}")
    return rgb

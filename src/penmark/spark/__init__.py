"""Spark ML stages that mirror John Snow Labs Visual NLP, so its pipelines run with only the
imports changed (``pip install 'penmark[spark]'``; Java 17 needed)::

    from penmark.spark import BinaryToImage, ImageDocumentRegionDetector, ImageDrawRegions
    from penmark.spark import ImageType, Color

See the Spark section of README.md.
"""

try:
    import pyspark  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "penmark.spark needs pyspark: pip install 'penmark[spark]' (and Java 17)"
    ) from exc

from penmark.spark.binary_to_image import BinaryToImage
from penmark.spark.detector import ImageDocumentRegionDetector
from penmark.spark.draw import ImageDrawRegions
from penmark.spark.enums import Color, ImageType
from penmark.spark.pdf_to_image import PdfToImage
from penmark.spark.schema import EXCEPTION_COL, IMAGE_TYPE, REGION_TYPE, REGIONS_TYPE
from penmark.spark.session import spark_session, use_this_python
from penmark.spark.split import ImageSplitRegions

__all__ = [
    "EXCEPTION_COL",
    "IMAGE_TYPE",
    "REGIONS_TYPE",
    "REGION_TYPE",
    "BinaryToImage",
    "Color",
    "ImageDocumentRegionDetector",
    "ImageDrawRegions",
    "ImageSplitRegions",
    "ImageType",
    "PdfToImage",
    "spark_session",
    "use_this_python",
]

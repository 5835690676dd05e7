"""penmark: find handwritten text and signatures on document images and PDFs.

>>> from penmark import Detector
>>> regions = Detector.pretrained().detect("page.jpg")
"""

from penmark.region import LABELS, PageResult, Region
from penmark.runtime import Detector, available_models

__version__ = "0.1.0"

__all__ = ["LABELS", "Detector", "PageResult", "Region", "available_models", "__version__"]

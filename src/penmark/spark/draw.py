"""``ImageDrawRegions``: image + regions -> annotated image (boxes and ``label:score`` text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from pyspark import keyword_only
from pyspark.ml import Transformer
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from penmark.draw import draw_regions
from penmark.formats import region_from_spark_struct
from penmark.region import LABELS
from penmark.spark._batch import (
    error_text,
    is_null,
    map_batches,
    output_schema,
    require_columns,
    with_output,
)
from penmark.spark.enums import ColorLike, to_rgb
from penmark.spark.params import HasInputRegionsCol, HasIO
from penmark.spark.schema import (
    IMAGE_TYPE,
    image_struct_to_pil,
    image_type_of,
    pil_to_image_struct,
)


def draw_batch(
    pdf: pd.DataFrame,
    input_col: str,
    regions_col: str,
    output_col: str,
    draw_args: dict[str, Any],
) -> pd.DataFrame:
    """Draw every row with :func:`penmark.draw.draw_regions` (the same drawing as
    ``penmark detect --draw``); the output keeps the input's image type."""
    images, errors = [], []
    for image, structs in zip(pdf[input_col].tolist(), pdf[regions_col].tolist(), strict=True):
        if is_null(image):
            images.append(None)
            errors.append("no image (null input)")
            continue
        try:
            regions = [] if structs is None else [region_from_spark_struct(s) for s in structs]
            drawn = draw_regions(image_struct_to_pil(image), regions, **draw_args)
            images.append(pil_to_image_struct(drawn, image["origin"] or "", image_type_of(image)))
            errors.append(None)
        except Exception as exc:  # noqa: BLE001 - one bad row must not fail the job
            images.append(None)
            errors.append(error_text(exc))
    return with_output(pdf, output_col, images, errors)


class ImageDrawRegions(
    Transformer, HasIO, HasInputRegionsCol, DefaultParamsReadable, DefaultParamsWritable
):
    """Draw region boxes and ``label:score`` tabs on the page image.

    >>> ImageDrawRegions().setInputCol("image").setInputRegionsCol("regions") \\
    ...     .setOutputCol("image_with_regions").setFilledRect(False).setRectColor(Color.gray)

    Without ``rectColor`` each label keeps penmark's colour (handwritten red, signature blue).
    ``filledRect`` paints boxes solid, as Visual NLP does (useful to hide ink).
    """

    rectColor: Param[list[int]] = Param(
        Params._dummy(),
        "rectColor",
        "one box colour for all labels, [r, g, b] (Color.gray, '#808080'); unset = per label",
        typeConverter=to_rgb,
    )
    filledRect: Param[bool] = Param(
        Params._dummy(),
        "filledRect",
        "paint boxes solid instead of outlining them",
        typeConverter=TypeConverters.toBoolean,
    )
    lineWidth: Param[int] = Param(
        Params._dummy(),
        "lineWidth",
        "box outline width in pixels (0 = scaled to the page, ~3 px at 200 dpi)",
        typeConverter=TypeConverters.toInt,
    )
    fontSize: Param[int] = Param(
        Params._dummy(),
        "fontSize",
        "label text size in pixels (0 = scaled to the page)",
        typeConverter=TypeConverters.toInt,
    )
    showLabels: Param[bool] = Param(
        Params._dummy(),
        "showLabels",
        "write 'label:score' above each box",
        typeConverter=TypeConverters.toBoolean,
    )

    @keyword_only
    def __init__(
        self,
        *,
        inputCol: str = "image",
        inputRegionsCol: str = "regions",
        outputCol: str = "image_with_regions",
        rectColor: ColorLike | None = None,
        filledRect: bool = False,
        lineWidth: int = 0,
        fontSize: int = 0,
        showLabels: bool = True,
    ) -> None:
        super().__init__()
        self._setDefault(
            inputCol="image",
            inputRegionsCol="regions",
            outputCol="image_with_regions",
            filledRect=False,
            lineWidth=0,
            fontSize=0,
            showLabels=True,
        )
        kwargs = {k: v for k, v in self._input_kwargs.items() if v is not None}
        self._set(**kwargs)

    def setRectColor(self, value: ColorLike) -> ImageDrawRegions:
        return self._set(rectColor=value)

    def getRectColor(self) -> list[int] | None:
        return list(self.getOrDefault(self.rectColor)) if self.isDefined(self.rectColor) else None

    def setFilledRect(self, value: bool) -> ImageDrawRegions:
        return self._set(filledRect=value)

    def getFilledRect(self) -> bool:
        return self.getOrDefault(self.filledRect)

    def setLineWidth(self, value: int) -> ImageDrawRegions:
        if int(value) < 0:
            raise ValueError(f"lineWidth must be >= 0, got {value}")
        return self._set(lineWidth=value)

    def getLineWidth(self) -> int:
        return self.getOrDefault(self.lineWidth)

    def setFontSize(self, value: int) -> ImageDrawRegions:
        if int(value) < 0:
            raise ValueError(f"fontSize must be >= 0, got {value}")
        return self._set(fontSize=value)

    def getFontSize(self) -> int:
        return self.getOrDefault(self.fontSize)

    def setShowLabels(self, value: bool) -> ImageDrawRegions:
        return self._set(showLabels=value)

    def getShowLabels(self) -> bool:
        return self.getOrDefault(self.showLabels)

    def draw_kwargs(self) -> dict[str, Any]:
        """Arguments for :func:`penmark.draw.draw_regions` from the Params."""
        rgb: Sequence[int] | None = self.getRectColor()
        return {
            "colors": None if rgb is None else {label: tuple(rgb) for label in LABELS},
            "line_width": self.getLineWidth() or None,
            "font_size": self.getFontSize() or None,
            "filled": self.getFilledRect(),
            "fill_alpha": 1.0,
            "show_labels": self.getShowLabels(),
        }

    def _transform(self, dataset: DataFrame) -> DataFrame:
        in_col, regions_col, out_col = (
            self.getInputCol(),
            self.getInputRegionsCol(),
            self.getOutputCol(),
        )
        require_columns(dataset, "ImageDrawRegions", in_col, regions_col)
        schema = output_schema(dataset.schema, [T.StructField(out_col, IMAGE_TYPE, True)])
        draw_args = self.draw_kwargs()

        def fn(pdf: pd.DataFrame) -> pd.DataFrame:
            return draw_batch(pdf, in_col, regions_col, out_col, draw_args)

        return map_batches(dataset, fn, schema)

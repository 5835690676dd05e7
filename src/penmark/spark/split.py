"""``ImageSplitRegions``: image + regions -> one row per region with the cropped image."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from pyspark import keyword_only
from pyspark.ml import Transformer
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from penmark.draw import crop_region
from penmark.formats import region_from_spark_struct
from penmark.spark._batch import error_text, is_null, map_batches, output_schema, require_columns
from penmark.spark._rows import RowFanout
from penmark.spark.params import HasInputRegionsCol, HasIO, HasKeepInput
from penmark.spark.schema import (
    IMAGE_TYPE,
    REGION_TYPE,
    image_struct_to_pil,
    image_type_of,
    pil_to_image_struct,
)


def split_batch(
    pdf: pd.DataFrame,
    input_col: str,
    regions_col: str,
    output_col: str,
    region_col: str,
    padding: int,
) -> Iterator[pd.DataFrame]:
    """Crop every region of every row with :func:`penmark.draw.crop_region` (as ``penmark detect
    --crop`` does). A row with no regions gives no rows; a row that failed (here or earlier)
    gives one row with null crop and region, so its ``exception`` is not lost."""
    rows = RowFanout(pdf)
    for i, (image, structs) in enumerate(
        zip(pdf[input_col].tolist(), pdf[regions_col].tolist(), strict=True)
    ):
        try:
            if is_null(image):
                if rows.prior_error(i):  # keep the failure visible downstream
                    rows.add(i, {output_col: None, region_col: None})
                continue
            structs = [] if is_null(structs) else list(structs)
            if not structs:
                continue
            page = image_struct_to_pil(image)
            kind, origin = image_type_of(image), image["origin"] or ""
            for s in structs:
                crop = crop_region(page, region_from_spark_struct(s), pad=padding)
                rows.add(i, {output_col: pil_to_image_struct(crop, origin, kind), region_col: s})
                if rows.full():
                    yield from rows.flush()
        except Exception as exc:  # noqa: BLE001 - one bad row must not fail the job
            rows.add(i, {output_col: None, region_col: None}, error_text(exc))
    yield from rows.flush()


class ImageSplitRegions(
    Transformer,
    HasIO,
    HasInputRegionsCol,
    HasKeepInput,
    DefaultParamsReadable,
    DefaultParamsWritable,
):
    """Explode detections into one row per region, each with its crop (e.g. for signature
    verification). The region struct goes in ``outputRegionCol``; the full-page image column is
    dropped unless ``keepInput`` (it would be copied once per region).

    >>> ImageSplitRegions().setInputCol("image").setInputRegionsCol("regions") \\
    ...     .setOutputCol("region_image").setPadding(8)
    """

    outputRegionCol: Param[str] = Param(
        Params._dummy(),
        "outputRegionCol",
        "output column holding the region struct of each crop",
        typeConverter=TypeConverters.toString,
    )
    padding: Param[int] = Param(
        Params._dummy(),
        "padding",
        "pixels added around each box (clipped to the page)",
        typeConverter=TypeConverters.toInt,
    )

    @keyword_only
    def __init__(
        self,
        *,
        inputCol: str = "image",
        inputRegionsCol: str = "regions",
        outputCol: str = "region_image",
        outputRegionCol: str = "region",
        padding: int = 0,
        keepInput: bool = False,
    ) -> None:
        super().__init__()
        self._setDefault(
            inputCol="image",
            inputRegionsCol="regions",
            outputCol="region_image",
            outputRegionCol="region",
            padding=0,
            keepInput=False,
        )
        self._set(**self._input_kwargs)

    def setOutputRegionCol(self, value: str) -> ImageSplitRegions:
        return self._set(outputRegionCol=value)

    def getOutputRegionCol(self) -> str:
        return self.getOrDefault(self.outputRegionCol)

    def setPadding(self, value: int) -> ImageSplitRegions:
        if int(value) < 0:
            raise ValueError(f"padding must be >= 0, got {value}")
        return self._set(padding=value)

    def getPadding(self) -> int:
        return self.getOrDefault(self.padding)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        in_col, regions_col = self.getInputCol(), self.getInputRegionsCol()
        out_col, region_col = self.getOutputCol(), self.getOutputRegionCol()
        require_columns(dataset, "ImageSplitRegions", in_col, regions_col)
        drop = [] if self.getKeepInput() or in_col == out_col else [in_col]
        add = [
            T.StructField(out_col, IMAGE_TYPE, True),
            T.StructField(region_col, REGION_TYPE, True),
        ]
        schema = output_schema(dataset.schema, add, drop)
        padding = self.getPadding()

        def fn(pdf: pd.DataFrame) -> Iterator[pd.DataFrame]:
            return split_batch(pdf, in_col, regions_col, out_col, region_col, padding)

        return map_batches(dataset, fn, schema)

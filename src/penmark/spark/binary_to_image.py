"""``BinaryToImage``: encoded image bytes (``binaryFile``'s ``content``) -> image struct."""

from __future__ import annotations

import pandas as pd
from pyspark import keyword_only
from pyspark.ml import Transformer
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from penmark.io import load_image
from penmark.spark._batch import (
    error_text,
    is_null,
    map_batches,
    output_schema,
    require_columns,
    with_output,
)
from penmark.spark.enums import ImageType
from penmark.spark.params import HasImageType, HasIO, HasKeepInput, HasOriginCol, HasPartitionNum
from penmark.spark.schema import IMAGE_TYPE, pil_to_image_struct


def decode_batch(
    pdf: pd.DataFrame, input_col: str, output_col: str, origin_col: str, image_type: int
) -> pd.DataFrame:
    """Decode every row of a batch with :func:`penmark.io.load_image` (EXIF applied, RGB), the
    same reader the plain API uses, so pixels, and therefore detections, match it exactly."""
    origins = pdf[origin_col].tolist() if origin_col in pdf.columns else [""] * len(pdf)
    images, errors = [], []
    for data, origin in zip(pdf[input_col].tolist(), origins, strict=True):
        origin = "" if is_null(origin) else str(origin)
        try:
            if is_null(data):
                raise ValueError("no input bytes (null)")
            image = load_image(bytes(data), name=origin or None)
            images.append(pil_to_image_struct(image, origin, image_type))
            errors.append(None)
        except Exception as exc:  # noqa: BLE001 - one bad file must not fail the job
            images.append(None)
            errors.append(error_text(exc))
    return with_output(pdf, output_col, images, errors)


class BinaryToImage(
    Transformer,
    HasIO,
    HasImageType,
    HasOriginCol,
    HasKeepInput,
    HasPartitionNum,
    DefaultParamsReadable,
    DefaultParamsWritable,
):
    """Decode JPEG/PNG/TIFF(first frame)/BMP/WebP/GIF bytes into Spark's image struct.

    >>> BinaryToImage().setImageType(ImageType.TYPE_3BYTE_BGR)   # content -> image

    A row that cannot be decoded gets a null image and its reason in ``exception``.
    """

    @keyword_only
    def __init__(
        self,
        *,
        inputCol: str = "content",
        outputCol: str = "image",
        imageType: ImageType | int = ImageType.TYPE_3BYTE_BGR,
        originCol: str = "path",
        keepInput: bool = False,
        partitionNum: int = 0,
    ) -> None:
        super().__init__()
        self._setDefault(
            inputCol="content",
            outputCol="image",
            imageType=int(ImageType.TYPE_3BYTE_BGR),
            originCol="path",
            keepInput=False,
            partitionNum=0,
        )
        self._set(**self._input_kwargs)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        in_col, out_col = self.getInputCol(), self.getOutputCol()
        origin_col, image_type = self.getOriginCol(), int(self.getImageType())
        require_columns(dataset, "BinaryToImage", in_col)
        if self.getPartitionNum() > 0:
            dataset = dataset.repartition(self.getPartitionNum())
        drop = [] if self.getKeepInput() or in_col == out_col else [in_col]
        schema = output_schema(dataset.schema, [T.StructField(out_col, IMAGE_TYPE, True)], drop)

        def fn(pdf: pd.DataFrame) -> pd.DataFrame:
            return decode_batch(pdf, in_col, out_col, origin_col, image_type)

        return map_batches(dataset, fn, schema)

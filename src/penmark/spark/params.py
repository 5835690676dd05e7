"""Param mixins shared by the stages (typed setters on top of pyspark's shared params).

pyspark's ``HasInputCol``/``HasOutputCol`` give getters only; Visual NLP code calls
``setInputCol(...)`` etc. in chains, so every setter returns ``self``.
"""

from __future__ import annotations

from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasInputCol, HasOutputCol

from penmark.spark.enums import ImageType


def _to_image_type(value: object) -> int:
    """Accept an :class:`ImageType` member, its int or its name; store the int (JSON-friendly)."""
    if isinstance(value, str):
        try:
            return int(ImageType[value])
        except KeyError:
            raise TypeError(f"unknown image type {value!r}; use one of {list(ImageType)}") from None
    try:
        return int(ImageType(int(value)))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise TypeError(f"unknown image type {value!r}; use one of {list(ImageType)}") from None


class HasIO(HasInputCol, HasOutputCol):
    def setInputCol(self, value: str):
        """Column the stage reads."""
        return self._set(inputCol=value)

    def setOutputCol(self, value: str):
        """Column the stage writes."""
        return self._set(outputCol=value)


class HasImageType(Params):
    imageType: Param[int] = Param(
        Params._dummy(),
        "imageType",
        "pixel layout of the output image struct: ImageType.TYPE_3BYTE_BGR (default), "
        "TYPE_4BYTE_ABGR or TYPE_BYTE_GRAY",
        typeConverter=_to_image_type,
    )

    def setImageType(self, value: ImageType | int | str):
        return self._set(imageType=value)

    def getImageType(self) -> ImageType:
        return ImageType(self.getOrDefault(self.imageType))


class HasPartitionNum(Params):
    partitionNum: Param[int] = Param(
        Params._dummy(),
        "partitionNum",
        "repartition the input to this many partitions before decoding (0 = leave as is). "
        "binaryFile packs many small files into one partition, which would use one core only",
        typeConverter=TypeConverters.toInt,
    )

    def setPartitionNum(self, value: int):
        return self._set(partitionNum=value)

    def getPartitionNum(self) -> int:
        return self.getOrDefault(self.partitionNum)


class HasKeepInput(Params):
    keepInput: Param[bool] = Param(
        Params._dummy(),
        "keepInput",
        "keep the input (encoded bytes) column; dropping it saves memory downstream",
        typeConverter=TypeConverters.toBoolean,
    )

    def setKeepInput(self, value: bool):
        return self._set(keepInput=value)

    def getKeepInput(self) -> bool:
        return self.getOrDefault(self.keepInput)


class HasOriginCol(Params):
    originCol: Param[str] = Param(
        Params._dummy(),
        "originCol",
        "column with the file path, copied into the image struct's origin (binaryFile: 'path')",
        typeConverter=TypeConverters.toString,
    )

    def setOriginCol(self, value: str):
        return self._set(originCol=value)

    def getOriginCol(self) -> str:
        return self.getOrDefault(self.originCol)


class HasInputRegionsCol(Params):
    inputRegionsCol: Param[str] = Param(
        Params._dummy(),
        "inputRegionsCol",
        "column of regions (array<struct<index, page, x, y, width, height, score, label>>)",
        typeConverter=TypeConverters.toString,
    )

    def setInputRegionsCol(self, value: str):
        return self._set(inputRegionsCol=value)

    def getInputRegionsCol(self) -> str:
        return self.getOrDefault(self.inputRegionsCol)

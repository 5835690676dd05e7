"""``PdfToImage``: PDF (or multi-page TIFF, or image) bytes -> one row per page."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from pyspark import keyword_only
from pyspark.ml import Transformer
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from penmark.io import DEFAULT_DPI, iter_pages, parse_page_ranges
from penmark.spark._batch import error_text, is_null, map_batches, output_schema, require_columns
from penmark.spark._rows import RowFanout
from penmark.spark.enums import ImageType
from penmark.spark.params import HasImageType, HasIO, HasKeepInput, HasOriginCol, HasPartitionNum
from penmark.spark.schema import IMAGE_TYPE, PAGE_COL, pil_to_image_struct


def render_batch(
    pdf: pd.DataFrame,
    input_col: str,
    output_col: str,
    origin_col: str,
    page_col: str,
    image_type: int,
    dpi: float,
    pages: list[int] | None,
) -> Iterator[pd.DataFrame]:
    """Render the pages of every row with :func:`penmark.io.iter_pages` (the CLI's reader, so pages
    are identical to ``penmark detect``'s). A file that cannot be opened gives one row (page 0)
    with a null image and the reason; a page that cannot be rendered gives its own such row."""
    rows = RowFanout(pdf)
    origins = pdf[origin_col].tolist() if origin_col in pdf.columns else [""] * len(pdf)
    for i, (data, origin) in enumerate(zip(pdf[input_col].tolist(), origins, strict=True)):
        origin = "" if is_null(origin) else str(origin)
        try:
            if is_null(data):
                raise ValueError("no input bytes (null)")
            for page in iter_pages(bytes(data), dpi, pages, name=origin or None, errors="yield"):
                image = None
                if page.image is not None:
                    image = pil_to_image_struct(page.image, origin, image_type)
                rows.add(i, {output_col: image, page_col: page.index}, page.error)
                if rows.full():
                    yield from rows.flush()
        except Exception as exc:  # noqa: BLE001 - one broken file must not fail the job
            rows.add(i, {output_col: None, page_col: 0}, error_text(exc))
    yield from rows.flush()


class PdfToImage(
    Transformer,
    HasIO,
    HasImageType,
    HasOriginCol,
    HasKeepInput,
    HasPartitionNum,
    DefaultParamsReadable,
    DefaultParamsWritable,
):
    """Render each PDF page (pypdfium2, ``resolution`` dpi) into an image row with ``pagenum``.

    >>> PdfToImage().setResolution(200).setPages("1-3")   # content -> image, pagenum

    Multi-page TIFFs give one row per frame and plain images one row, so a folder of mixed
    documents can go through this one stage.
    """

    resolution: Param[float] = Param(
        Params._dummy(),
        "resolution",
        "PDF render resolution, dpi",
        typeConverter=TypeConverters.toFloat,
    )
    pages: Param[str] = Param(
        Params._dummy(),
        "pages",
        "1-based page ranges to render, e.g. '1-3,7'; empty = every page",
        typeConverter=TypeConverters.toString,
    )
    pageNumCol: Param[str] = Param(
        Params._dummy(),
        "pageNumCol",
        "output column of 0-based page indices",
        typeConverter=TypeConverters.toString,
    )

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
        resolution: float = DEFAULT_DPI,
        pages: str = "",
        pageNumCol: str = PAGE_COL,
    ) -> None:
        super().__init__()
        self._setDefault(
            inputCol="content",
            outputCol="image",
            imageType=int(ImageType.TYPE_3BYTE_BGR),
            originCol="path",
            keepInput=False,
            partitionNum=0,
            resolution=float(DEFAULT_DPI),
            pages="",
            pageNumCol=PAGE_COL,
        )
        self._set(**self._input_kwargs)
        parse_page_ranges(self.getPages())  # fail early on a bad range

    def setResolution(self, value: float) -> PdfToImage:
        if float(value) <= 0:
            raise ValueError(f"resolution must be positive, got {value}")
        return self._set(resolution=value)

    def getResolution(self) -> float:
        return self.getOrDefault(self.resolution)

    def setPages(self, value: str) -> PdfToImage:
        parse_page_ranges(value)  # raises ValueError on a bad range
        return self._set(pages=value)

    def getPages(self) -> str:
        return self.getOrDefault(self.pages)

    def setPageNumCol(self, value: str) -> PdfToImage:
        return self._set(pageNumCol=value)

    def getPageNumCol(self) -> str:
        return self.getOrDefault(self.pageNumCol)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        in_col, out_col, page_col = self.getInputCol(), self.getOutputCol(), self.getPageNumCol()
        require_columns(dataset, "PdfToImage", in_col)
        if self.getPartitionNum() > 0:
            dataset = dataset.repartition(self.getPartitionNum())
        drop = [] if self.getKeepInput() or in_col == out_col else [in_col]
        add = [
            T.StructField(out_col, IMAGE_TYPE, True),
            T.StructField(page_col, T.IntegerType(), True),
        ]
        schema = output_schema(dataset.schema, add, drop)
        args = dict(
            input_col=in_col,
            output_col=out_col,
            origin_col=self.getOriginCol(),
            page_col=page_col,
            image_type=int(self.getImageType()),
            dpi=self.getResolution(),
            pages=parse_page_ranges(self.getPages()),
        )

        def fn(pdf: pd.DataFrame) -> Iterator[pd.DataFrame]:
            return render_batch(pdf, **args)

        return map_batches(dataset, fn, schema)

"""``ImageDocumentRegionDetector``: image struct -> regions (Visual NLP coordinate schema)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pandas as pd
from pyspark import keyword_only
from pyspark.ml import Transformer
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from penmark.formats import spark_region_structs
from penmark.pipeline import check_orientation_mode
from penmark.region import LABELS, PageResult
from penmark.runtime.detector import DEFAULT_MODEL, DEFAULT_THRESHOLD
from penmark.spark._batch import (
    error_text,
    is_null,
    map_batches,
    output_schema,
    require_columns,
    with_output,
)
from penmark.spark.inference import (
    ALIASES,
    WeightsRef,
    broadcast_weights,
    executor_detector,
    record_batch,
)
from penmark.spark.inference import resolve_model as _resolve_model
from penmark.spark.params import HasIO
from penmark.spark.schema import PAGE_COL, REGIONS_TYPE, image_struct_to_pil


def detect_batch(
    pdf: pd.DataFrame,
    ref: WeightsRef,
    num_threads: int,
    threshold: float,
    labels: Sequence[str] | None,
    input_col: str,
    output_col: str,
    page_col: str,
    verify: bool = True,
    orientation: str = "none",
    print_check: bool = True,
) -> pd.DataFrame:
    """Detect on every row of one Arrow batch with this process's cached detector.

    ``orientation`` other than ``none`` runs the page through
    :meth:`penmark.pipeline.PageProcessor.detect` (pages turned 90/180/270 degrees are found
    upright and boxes mapped back to the image as given), as ``penmark detect`` does."""
    from penmark.io.documents import Page
    from penmark.pipeline import Options, PageProcessor, ThresholdedDetector

    pages = pdf[page_col].tolist() if page_col in pdf.columns else [0] * len(pdf)
    results: list[list[dict[str, Any]]] = []
    errors: list[str | None] = []
    proc = None  # the orientation + detection pipeline, built on the first page
    for image, page in zip(pdf[input_col].tolist(), pages, strict=True):
        page = 0 if is_null(page) else int(page)
        if is_null(image):
            results.append([])
            errors.append("no image (null input)")
            continue
        try:
            # built once per process, cached
            det = executor_detector(ref, num_threads, verify, print_check)
            pil = image_struct_to_pil(image)
            if orientation == "none":
                regions = det.detect(pil, threshold=threshold, labels=labels, page=page)
            else:
                if proc is None:
                    opts = Options(orientation=orientation, threshold=threshold,
                                   threads=num_threads or None)
                    proc = PageProcessor(opts, detector=ThresholdedDetector(det, threshold, labels))
                regions, _, _ = proc.detect(Page(image.get("origin") or "", page, pil))
            result = PageResult(image.get("origin") or "", page, pil.width, pil.height, regions)
            results.append(spark_region_structs(result))
            errors.append(None)
        except Exception as exc:  # noqa: BLE001 - one bad page must not fail the job
            results.append([])
            errors.append(error_text(exc))
    record_batch()
    return with_output(pdf, output_col, results, errors)


class ImageDocumentRegionDetector(Transformer, HasIO, DefaultParamsReadable, DefaultParamsWritable):
    """Find ``handwritten`` and ``signature`` regions with penmark's ONNX model.

    >>> det = ImageDocumentRegionDetector.pretrained("image_handwritten_detector", "en") \\
    ...     .setInputCol("image").setOutputCol("regions").setScoreThreshold(0.4)

    Output: ``array<struct<index, page, x, y, width, height, score, label>>`` (page from the
    ``pagenum`` column when present). Rows whose image is null or undecodable get ``[]`` and a
    reason in ``exception``. ``setOrientation("auto")`` finds pages scanned sideways or upside
    down, detects on them upright and gives the boxes on the image as it is (as ``penmark
    detect`` does); the default ``"none"`` trusts the image, as Visual NLP's detector and
    :meth:`penmark.Detector.detect` do.
    """

    modelName: Param[str] = Param(
        Params._dummy(),
        "modelName",
        "penmark model (or Visual NLP alias) whose shipped weights are used",
        typeConverter=TypeConverters.toString,
    )
    weightsPath: Param[str] = Param(
        Params._dummy(),
        "weightsPath",
        "ONNX file or folder (pretrained's remote_loc); empty = the weights shipped in penmark",
        typeConverter=TypeConverters.toString,
    )
    scoreThreshold: Param[float] = Param(
        Params._dummy(),
        "scoreThreshold",
        "minimum region score (0..1)",
        typeConverter=TypeConverters.toFloat,
    )
    labels: Param[list[str]] = Param(
        Params._dummy(),
        "labels",
        f"keep only these labels (subset of {list(LABELS)}); empty = all",
        typeConverter=TypeConverters.toListString,
    )
    numThreads: Param[int] = Param(
        Params._dummy(),
        "numThreads",
        "onnxruntime threads per executor Python process (1: Spark already runs one task per "
        "core; 0 = onnxruntime's default)",
        typeConverter=TypeConverters.toInt,
    )
    pageCol: Param[str] = Param(
        Params._dummy(),
        "pageCol",
        "column with the 0-based page index copied into each region (missing column -> 0)",
        typeConverter=TypeConverters.toString,
    )
    useVerifier: Param[bool] = Param(
        Params._dummy(),
        "useVerifier",
        "rescore regions with the verifier inside the model file, if it has one (false: the "
        "detector alone)",
        typeConverter=TypeConverters.toBoolean,
    )
    usePrintCheck: Param[bool] = Param(
        Params._dummy(),
        "usePrintCheck",
        "halve the score of handwritten regions whose glyphs repeat pixel for pixel, as only "
        "print does (penmark.runtime.twins)",
        typeConverter=TypeConverters.toBoolean,
    )
    orientation: Param[str] = Param(
        Params._dummy(),
        "orientation",
        "pages turned 90/180/270 degrees: none (default: trust the image, as Visual NLP and "
        "Detector.detect do), auto (as penmark detect: the orientation classifier, a turn that "
        "leaves nothing found is undone), learned, or heuristic",
        typeConverter=TypeConverters.toString,
    )

    @keyword_only
    def __init__(
        self,
        *,
        inputCol: str = "image",
        outputCol: str = "regions",
        modelName: str = DEFAULT_MODEL,
        weightsPath: str = "",
        scoreThreshold: float = DEFAULT_THRESHOLD,
        labels: Sequence[str] = (),
        numThreads: int = 1,
        pageCol: str = PAGE_COL,
        useVerifier: bool = True,
        orientation: str = "none",
        usePrintCheck: bool = True,
    ) -> None:
        super().__init__()
        self._setDefault(
            inputCol="image",
            outputCol="regions",
            modelName=DEFAULT_MODEL,
            weightsPath="",
            scoreThreshold=DEFAULT_THRESHOLD,
            labels=[],
            numThreads=1,
            pageCol=PAGE_COL,
            useVerifier=True,
            orientation="none",
            usePrintCheck=True,
        )
        kwargs = self._input_kwargs
        if "orientation" in kwargs:
            check_orientation_mode(kwargs["orientation"])
        self._set(**kwargs)

    @classmethod
    def pretrained(
        cls,
        name: str = "image_handwritten_detector",
        lang: str = "en",
        remote_loc: str | os.PathLike | None = None,
    ) -> ImageDocumentRegionDetector:
        """Visual NLP's entry point. ``name`` is a Visual NLP alias (``image_handwritten_detector``,
        ``image_signature_detector``) or a penmark model name; ``lang`` is accepted for
        compatibility (the models read ink, not language); ``remote_loc`` is a local ONNX file or
        folder (nothing is downloaded). Fails now, on the driver, if the weights are missing."""
        model, path = _resolve_model(name, remote_loc)
        stage = cls(modelName=model, weightsPath=str(path) if remote_loc is not None else "")
        default_labels = ALIASES.get(name, (model, None))[1]
        if default_labels:
            stage.setLabels(list(default_labels))
        return stage

    def setScoreThreshold(self, value: float) -> ImageDocumentRegionDetector:
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"scoreThreshold must be in 0..1, got {value}")
        return self._set(scoreThreshold=value)

    def getScoreThreshold(self) -> float:
        return self.getOrDefault(self.scoreThreshold)

    def setLabels(self, value: Sequence[str]) -> ImageDocumentRegionDetector:
        unknown = [x for x in value if x not in LABELS]
        if unknown:
            raise ValueError(f"unknown labels {unknown}; expected a subset of {list(LABELS)}")
        return self._set(labels=list(value))

    def getLabels(self) -> list[str]:
        return list(self.getOrDefault(self.labels))

    def setModelName(self, value: str) -> ImageDocumentRegionDetector:
        return self._set(modelName=value)

    def getModelName(self) -> str:
        return self.getOrDefault(self.modelName)

    def setWeightsPath(self, value: str) -> ImageDocumentRegionDetector:
        return self._set(weightsPath=value)

    def getWeightsPath(self) -> str:
        return self.getOrDefault(self.weightsPath)

    def setNumThreads(self, value: int) -> ImageDocumentRegionDetector:
        return self._set(numThreads=value)

    def getNumThreads(self) -> int:
        return self.getOrDefault(self.numThreads)

    def setPageCol(self, value: str) -> ImageDocumentRegionDetector:
        return self._set(pageCol=value)

    def getPageCol(self) -> str:
        return self.getOrDefault(self.pageCol)

    def setUseVerifier(self, value: bool) -> ImageDocumentRegionDetector:
        return self._set(useVerifier=value)

    def getUseVerifier(self) -> bool:
        return self.getOrDefault(self.useVerifier)

    def setUsePrintCheck(self, value: bool) -> ImageDocumentRegionDetector:
        return self._set(usePrintCheck=value)

    def getUsePrintCheck(self) -> bool:
        return self.getOrDefault(self.usePrintCheck)

    def setOrientation(self, value: str) -> ImageDocumentRegionDetector:
        return self._set(orientation=check_orientation_mode(value))

    def getOrientation(self) -> str:
        return self.getOrDefault(self.orientation)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        require_columns(dataset, "ImageDocumentRegionDetector", self.getInputCol())
        name, path = _resolve_model(self.getModelName(), self.getWeightsPath() or None)
        spark = SparkSession.getActiveSession() or dataset.sparkSession
        ref = broadcast_weights(spark.sparkContext, name, path)
        args = dict(
            ref=ref,
            num_threads=self.getNumThreads(),
            threshold=self.getScoreThreshold(),
            labels=self.getLabels() or None,
            input_col=self.getInputCol(),
            output_col=self.getOutputCol(),
            page_col=self.getPageCol(),
            verify=self.getUseVerifier(),
            orientation=self.getOrientation(),
            print_check=self.getUsePrintCheck(),
        )
        schema = output_schema(
            dataset.schema, [T.StructField(self.getOutputCol(), REGIONS_TYPE, True)]
        )

        def fn(pdf: pd.DataFrame) -> pd.DataFrame:
            return detect_batch(pdf, **args)

        return map_batches(dataset, fn, schema)

"""Visual NLP's handwriting pipeline on Spark, with penmark's stages (only the imports changed).

    pip install 'penmark[spark]'            # and Java 17: apt-get install openjdk-17-jre-headless
    python examples/spark_pipeline.py PAGES_DIR OUT_DIR [--master local[2]] [--threshold 0.4]

Writes ``OUT_DIR/regions.parquet`` (path, pagenum, regions, exception; one row per page) and,
with ``--draw``, ``OUT_DIR/drawn/<name>.p<page>.png`` annotated copies. PDFs and multi-page TIFFs
in the folder give one row per page (``--pdf``, on by default when the folder holds PDFs).

Drawn images are written by the executors, in the same pass as the Parquet file: on a cluster
``OUT_DIR`` must be on a filesystem every executor can reach (local mode always can).
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from pyspark.ml import PipelineModel
from pyspark.sql import types as T

from penmark.runtime.detector import DEFAULT_THRESHOLD
from penmark.spark import (
    BinaryToImage,
    Color,
    ImageDocumentRegionDetector,
    ImageDrawRegions,
    ImageType,
    PdfToImage,
    spark_session,
)
from penmark.spark.schema import PAGE_COL, REGIONS_TYPE, image_struct_to_pil

RESULT_SCHEMA = T.StructType(
    [
        T.StructField("path", T.StringType()),
        T.StructField(PAGE_COL, T.IntegerType()),
        T.StructField("regions", REGIONS_TYPE),
        T.StructField("drawn", T.StringType()),
        T.StructField("exception", T.StringType()),
    ]
)


def build_pipeline(threshold: float, pdf: bool, draw: bool, partitions: int) -> PipelineModel:
    """The issue's snippet; PdfToImage instead of BinaryToImage when the folder has PDFs."""
    if pdf:
        to_image = PdfToImage().setImageType(ImageType.TYPE_3BYTE_BGR)
    else:
        to_image = BinaryToImage().setImageType(ImageType.TYPE_3BYTE_BGR)
    to_image.setPartitionNum(partitions)  # binaryFile packs small files into few partitions
    text_detector = (
        ImageDocumentRegionDetector.pretrained("image_handwritten_detector", "en")
        .setInputCol("image")
        .setOutputCol("regions")
        .setScoreThreshold(threshold)
    )
    draw_regions = (
        ImageDrawRegions()
        .setInputCol("image")
        .setInputRegionsCol("regions")
        .setOutputCol("image_with_regions")
        .setFilledRect(False)
        .setRectColor(Color.gray)
    )
    stages = [to_image, text_detector] + ([draw_regions] if draw else [])
    return PipelineModel(stages=stages)


def save_drawn(out_dir: str | None):
    """mapInPandas function: write each drawn page as PNG, keep only the small columns."""

    def fn(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            pages = pdf[PAGE_COL] if PAGE_COL in pdf.columns else pd.Series([0] * len(pdf))
            drawn = []
            for path, page, image in zip(
                pdf["path"], pages, pdf.get("image_with_regions", [None] * len(pdf)), strict=True
            ):
                if out_dir is None or image is None:
                    drawn.append(None)
                    continue
                target = Path(out_dir) / f"{Path(path).stem}.p{int(page) + 1:04d}.png"
                buf = io.BytesIO()
                image_struct_to_pil(image).save(buf, "PNG")
                target.write_bytes(buf.getvalue())
                drawn.append(str(target))
            yield pd.DataFrame(
                {
                    "path": pdf["path"],
                    PAGE_COL: pages.astype("int32").values,
                    "regions": pdf["regions"],
                    "drawn": drawn,
                    "exception": pdf["exception"],
                }
            )

    return fn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("pages", type=Path, help="folder of page images and/or PDFs")
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--draw", action="store_true", help="also write annotated PNGs")
    ap.add_argument("--pdf", action="store_true", help="use PdfToImage (default if PDFs found)")
    ap.add_argument("--partitions", type=int, default=0, help="default: 4 x cores")
    ap.add_argument("--driver-memory", default="1g")
    args = ap.parse_args()

    spark = spark_session(args.master, "penmark-example", driver_memory=args.driver_memory)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        has_pdf = any(p.suffix.lower() == ".pdf" for p in args.pages.rglob("*"))
        partitions = args.partitions or 4 * spark.sparkContext.defaultParallelism
        pipeline = build_pipeline(args.threshold, args.pdf or has_pdf, args.draw, partitions)
        drawn_dir = None
        if args.draw:
            drawn_dir = str((args.out / "drawn").resolve())
            Path(drawn_dir).mkdir(parents=True, exist_ok=True)

        started = time.perf_counter()
        source = spark.read.format("binaryFile").option("recursiveFileLookup", "true")
        result = pipeline.transform(source.load(str(args.pages.resolve())))
        if PAGE_COL not in result.columns:  # BinaryToImage: one page per file
            from pyspark.sql import functions as F

            result = result.withColumn(PAGE_COL, F.lit(0))
        if args.draw:  # one pass: executors write PNGs, the small columns go to Parquet
            cols = ["path", PAGE_COL, "regions", "image_with_regions", "exception"]
            small = result.select(*cols).mapInPandas(save_drawn(drawn_dir), RESULT_SCHEMA)
        else:  # never ship the decoded pages to the writer
            small = result.select("path", PAGE_COL, "regions", "exception")
        small.write.mode("overwrite").parquet(str(args.out / "regions.parquet"))
        elapsed = time.perf_counter() - started

        saved = spark.read.parquet(str(args.out / "regions.parquet"))
        pages = saved.count()
        failed = saved.filter("exception IS NOT NULL").count()
        regions = saved.selectExpr("sum(size(regions))").first()[0] or 0
        print(
            f"{pages} pages ({failed} failed), {regions} regions in {elapsed:.1f} s "
            f"= {pages / elapsed:.2f} pages/s on {args.master}; results in {args.out}"
        )
    finally:
        spark.stop()


if __name__ == "__main__":
    main()

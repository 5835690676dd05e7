"""Spark stages in local mode (one SparkSession, ``local[2]``, for the whole module).

Every stage is compared with what the plain Python API gives on the same pages: the weights are an
untrained placeholder until the trained model lands, so the tests never assume what is found, only
that Spark and the plain API find the same thing (threshold 0 so there is always something).
"""

from __future__ import annotations

import datetime
import io
import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

pytest.importorskip("pyspark", reason="penmark[spark] not installed (pip install 'penmark[spark]')")
if shutil.which("java") is None:
    pytest.skip(
        "Spark needs Java 17: apt-get install openjdk-17-jre-headless", allow_module_level=True
    )

from pyspark.ml import Pipeline, PipelineModel  # noqa: E402
from pyspark.ml.image import ImageSchema  # noqa: E402

from penmark.draw import crop_region, draw_regions  # noqa: E402
from penmark.formats import region_from_spark_struct, spark_region_structs  # noqa: E402
from penmark.io import iter_pages, load_image  # noqa: E402
from penmark.region import PageResult  # noqa: E402
from penmark.runtime import Detector  # noqa: E402
from penmark.spark import (  # noqa: E402
    EXCEPTION_COL,
    BinaryToImage,
    Color,
    ImageDocumentRegionDetector,
    ImageDrawRegions,
    ImageSplitRegions,
    ImageType,
    PdfToImage,
    spark_session,
)
from penmark.spark.schema import image_struct_to_pil  # noqa: E402

pytestmark = pytest.mark.spark

THRESHOLD = 0.0  # always some regions to compare, whatever the weights
PDF_DPI = 100
NOW = datetime.datetime(2026, 1, 1)


def make_page(seed: int, size: tuple[int, int]) -> Image.Image:
    """A form-like page: printed lines and blue scribbles (signature / handwriting stand-ins)."""
    rng = random.Random(seed)
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    w, h = size
    for y in range(50, h - 80, 34):
        d.rectangle((40, y, w - 40 - rng.randint(0, w // 3), y + 9), fill=(70, 70, 70))
    for _ in range(3):
        x0, y0 = rng.randint(40, w // 2), rng.randint(h // 3, h - 90)
        pts = [(x0 + 11 * i, y0 + rng.gauss(0, 9)) for i in range(rng.randint(12, 25))]
        d.line(pts, fill=(25, 35, 150), width=4)
    return img


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("spark_data")
    pages, bad, pdfs = root / "pages", root / "bad", root / "pdfs"
    for p in (pages, bad, pdfs):
        p.mkdir()
    make_page(1, (850, 1100)).save(pages / "a.png")
    make_page(2, (1100, 850)).save(pages / "b.jpg", quality=90)
    make_page(3, (700, 990)).save(pages / "c.png")
    doc = [make_page(10 + i, (850, 1100)) for i in range(3)]
    doc[0].save(pdfs / "doc.pdf", save_all=True, append_images=doc[1:], resolution=PDF_DPI)
    (pdfs / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage")
    buf = io.BytesIO()
    make_page(4, (400, 500)).save(buf, "JPEG")
    (bad / "truncated.jpg").write_bytes(buf.getvalue()[:600])
    (bad / "notes.jpg").write_text("not an image")
    shutil.copy(pages / "a.png", bad / "good.png")
    shutil.copy(pdfs / "broken.pdf", bad / "broken.pdf")
    return {"root": root, "pages": pages, "bad": bad, "pdfs": pdfs, "events": root / "events"}


@pytest.fixture(scope="module")
def spark(data, tmp_path_factory):
    cache = tmp_path_factory.mktemp("weights_cache")
    session = spark_session(
        "local[2]",
        app_name="penmark-tests",
        extra={
            "spark.executorEnv.PENMARK_SPARK_EVENTS": str(data["events"]),
            "spark.executorEnv.PENMARK_SPARK_CACHE": str(cache),
            "spark.default.parallelism": "2",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
        },
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def plain() -> Detector:
    return Detector.pretrained(num_threads=1)  # the stage's default numThreads


def read(spark, folder: Path):
    return spark.read.format("binaryFile").load(str(folder))


def by_path(rows) -> dict:
    return {(Path(r["path"]).name, r["pagenum"] if "pagenum" in r else 0): r for r in rows}


def expected_structs(
    det: Detector, image: Image.Image, page: int = 0, threshold: float = THRESHOLD, **kw
) -> list[dict]:
    regions = det.detect(image, threshold=threshold, page=page, **kw)
    return spark_region_structs(PageResult("", page, image.width, image.height, regions))


def as_dicts(regions) -> list[dict]:
    return [r.asDict() for r in regions]


# ---- BinaryToImage ---------------------------------------------------------------------------


def test_binary_to_image_writes_spark_image_schema(spark, data):
    stage = BinaryToImage().setImageType(ImageType.TYPE_3BYTE_BGR)
    df = stage.transform(read(spark, data["pages"]))
    assert df.schema["image"].dataType == ImageSchema.columnSchema
    assert "content" not in df.columns and EXCEPTION_COL in df.columns
    rows = df.collect()
    assert len(rows) == 3
    for r in rows:
        assert r.exception is None and r.image.origin == r.path
        assert (r.image.nChannels, r.image.mode) == (3, 16)
        bgr = ImageSchema.toNDArray(r.image)  # Spark's own reader of the struct
        np.testing.assert_array_equal(bgr[:, :, ::-1], np.asarray(load_image(r.path[5:])))
    kept = BinaryToImage(keepInput=True).transform(read(spark, data["pages"]))
    assert "content" in kept.columns


def test_binary_to_image_gray_and_abgr(spark, data):
    src = read(spark, data["pages"]).filter("path LIKE '%a.png'")
    gray = BinaryToImage().setImageType(ImageType.TYPE_BYTE_GRAY).transform(src).first().image
    abgr = BinaryToImage().setImageType(ImageType.TYPE_4BYTE_ABGR).transform(src).first().image
    page = load_image(data["pages"] / "a.png")
    assert (gray.nChannels, gray.mode, abgr.nChannels, abgr.mode) == (1, 0, 4, 24)
    np.testing.assert_array_equal(
        ImageSchema.toNDArray(gray)[:, :, 0], np.asarray(page.convert("L"))
    )
    np.testing.assert_array_equal(ImageSchema.toNDArray(abgr)[:, :, 2::-1], np.asarray(page))


# ---- PdfToImage ------------------------------------------------------------------------------


def test_pdf_to_image_one_row_per_page(spark, data):
    df = PdfToImage().setResolution(PDF_DPI).transform(read(spark, data["pdfs"]))
    rows = by_path(df.collect())
    assert set(rows) == {("doc.pdf", 0), ("doc.pdf", 1), ("doc.pdf", 2), ("broken.pdf", 0)}
    plain_pages = list(iter_pages(data["pdfs"] / "doc.pdf", dpi=PDF_DPI))
    for page in plain_pages:
        r = rows[("doc.pdf", page.index)]
        assert r.exception is None
        assert (r.image.width, r.image.height) == (page.width, page.height)
        assert abs(r.image.width - 850) <= 1  # 850 px saved at 100 dpi, rendered at 100 dpi
        np.testing.assert_array_equal(
            np.asarray(image_struct_to_pil(r.image.asDict())), np.asarray(page.image)
        )
    broken = rows[("broken.pdf", 0)]
    assert broken.image is None and "PDF" in broken.exception


def test_pdf_to_image_page_range_and_resolution(spark, data):
    df = PdfToImage(resolution=50, pages="2-3").transform(read(spark, data["pdfs"]))
    rows = [r for r in df.collect() if r.path.endswith("doc.pdf")]
    assert sorted(r.pagenum for r in rows) == [1, 2]
    assert all(abs(r.image.width - 425) <= 1 for r in rows)


# ---- ImageDocumentRegionDetector ------------------------------------------------------------


def test_detector_equals_plain_api_on_images_and_pdf_pages(spark, data, plain):
    detector = (
        ImageDocumentRegionDetector.pretrained("image_handwritten_detector", "en")
        .setInputCol("image")
        .setOutputCol("regions")
        .setScoreThreshold(THRESHOLD)
    )
    images = PipelineModel(stages=[BinaryToImage(), detector]).transform(read(spark, data["pages"]))
    pdf = PipelineModel(stages=[PdfToImage(resolution=PDF_DPI), detector])
    pages = pdf.transform(read(spark, data["pdfs"]).filter("path LIKE '%doc.pdf'"))
    n = 0
    for r in images.collect():
        assert r.exception is None
        assert as_dicts(r.regions) == expected_structs(plain, load_image(r.path[5:]))
        n += len(r.regions)
    plain_pages = {p.index: p.image for p in iter_pages(data["pdfs"] / "doc.pdf", dpi=PDF_DPI)}
    for r in pages.collect():
        got = as_dicts(r.regions)
        assert got == expected_structs(plain, plain_pages[r.pagenum], page=r.pagenum)
        assert {g["page"] for g in got} == {r.pagenum}
        n += len(got)
    assert n > 0, "nothing was compared"


def test_detector_threshold_and_labels(spark, data, plain):
    df = BinaryToImage().transform(read(spark, data["pages"]).filter("path NOT LIKE '%c.png'"))
    df = df.cache()
    try:
        base = ImageDocumentRegionDetector().setScoreThreshold(THRESHOLD)
        everything = by_path(base.transform(df).collect())
        sig = by_path(base.copy().setLabels(["signature"]).transform(df).collect())
        scores = [s.score for r in everything.values() for s in r.regions]
        distinct = sorted(set(scores))
        assert len(distinct) > 1, "need two score levels to test the threshold"
        hi_thr = float(distinct[len(distinct) // 2])  # above the lowest: some regions must go
        high = by_path(base.copy().setScoreThreshold(hi_thr).transform(df).collect())
        assert sum(len(r.regions) for r in high.values()) < len(scores)
        for key, r in everything.items():
            page = load_image(r.path[5:])
            assert all(s.label == "signature" for s in sig[key].regions)
            assert as_dicts(sig[key].regions) == expected_structs(plain, page, labels=["signature"])
            assert all(s.score >= np.float32(hi_thr) for s in high[key].regions)
            assert as_dicts(high[key].regions) == expected_structs(plain, page, threshold=hi_thr)
    finally:
        df.unpersist()


def test_remote_loc_weights(spark, data, plain, tmp_path):
    from penmark.runtime.detector import DEFAULT_MODEL

    shutil.copy(plain.weights, tmp_path / f"{DEFAULT_MODEL}.onnx")
    det = ImageDocumentRegionDetector.pretrained("image_handwritten_detector", "en", str(tmp_path))
    det.setScoreThreshold(THRESHOLD)
    r = det.transform(BinaryToImage().transform(read(spark, data["pages"]))).first()
    assert as_dicts(r.regions) == expected_structs(plain, load_image(r.path[5:]))


# ---- ImageDrawRegions / ImageSplitRegions -----------------------------------------------------


def test_draw_regions_equals_penmark_draw(spark, data, plain):
    draw = (
        ImageDrawRegions()
        .setInputCol("image")
        .setInputRegionsCol("regions")
        .setOutputCol("image_with_regions")
        .setFilledRect(False)
        .setRectColor(Color.gray)
        .setLineWidth(2)
        .setFontSize(14)
    )
    detector = ImageDocumentRegionDetector().setScoreThreshold(0.5)  # few boxes
    model = PipelineModel(stages=[BinaryToImage(), detector, draw])
    rows = model.transform(read(spark, data["pages"])).collect()
    for r in rows:
        regions = [region_from_spark_struct(s) for s in r.regions]
        page = load_image(r.path[5:])
        want = draw_regions(page, regions, **draw.draw_kwargs())
        got = image_struct_to_pil(r.image_with_regions.asDict())
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    # With boxes forced in, the drawing must differ from the page (the test can fail).
    forced = [{"index": 0, "page": 0, "x": 50, "y": 60, "width": 200, "height": 80,
               "score": 0.9, "label": "signature"}]  # fmt: skip
    df = BinaryToImage().transform(read(spark, data["pages"]).limit(1))
    from pyspark.sql import functions as F

    from penmark.spark.schema import REGIONS_TYPE

    df = df.withColumn("regions", F.from_json(F.lit(json.dumps(forced)), REGIONS_TYPE))
    r = ImageDrawRegions().setFilledRect(True).setRectColor(Color.gray).transform(df).first()
    drawn = ImageSchema.toNDArray(r.image_with_regions)
    assert (drawn[100, 150] == [128, 128, 128]).all()  # BGR of gray, inside the filled box


def test_split_regions_one_row_per_region(spark, data):
    detector = ImageDocumentRegionDetector().setScoreThreshold(THRESHOLD)
    split = ImageSplitRegions().setPadding(3)
    src = read(spark, data["pages"])
    pages = PipelineModel(stages=[BinaryToImage(), detector]).transform(src).collect()
    crops = PipelineModel(stages=[BinaryToImage(), detector, split]).transform(src).collect()
    assert len(crops) == sum(len(p.regions) for p in pages) > 0
    assert "image" not in crops[0].asDict()
    first = {Path(p.path).name: p for p in pages}
    for c in crops[:20]:
        page = load_image(c.path[5:])
        want = crop_region(page, region_from_spark_struct(c.region.asDict()), pad=3)
        got = image_struct_to_pil(c.region_image.asDict())
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
        assert c.region in first[Path(c.path).name].regions


# ---- save / load, bad rows, one session per process -------------------------------------------


def test_pipeline_save_and_load(spark, data, tmp_path):
    stages = [
        PdfToImage(resolution=PDF_DPI, pages="1").setImageType(ImageType.TYPE_3BYTE_BGR),
        ImageDocumentRegionDetector.pretrained("image_signature_detector", "en")
        .setScoreThreshold(THRESHOLD)
        .setOutputCol("sig"),
        ImageDrawRegions(inputRegionsCol="sig").setRectColor(Color.gray).setLineWidth(3),
        ImageSplitRegions(inputRegionsCol="sig").setPadding(2),
    ]
    src = read(spark, data["pdfs"]).filter("path LIKE '%doc.pdf'")
    model = Pipeline(stages=stages).fit(src)
    model.write().overwrite().save(str(tmp_path / "pipeline"))
    PipelineModel(stages=stages).write().save(str(tmp_path / "model"))
    loaded = PipelineModel.load(str(tmp_path / "pipeline"))
    again = PipelineModel.load(str(tmp_path / "model"))
    for a, b, c in zip(stages, loaded.stages, again.stages, strict=True):
        assert type(a) is type(b) is type(c) and a.uid == b.uid
        params = a.extractParamMap().items()
        assert b.extractParamMap() == {b.getParam(p.name): v for p, v in params}
        assert c.explainParams() == b.explainParams()
    assert loaded.stages[1].getLabels() == ["signature"]
    assert loaded.stages[2].getRectColor() == [128, 128, 128]

    def result(stages, cols):
        rows = PipelineModel(stages=stages).transform(src).select(*cols).collect()
        return sorted(map(str, rows))

    # The split stage makes one row per region: run it without the drawn full-page column.
    drawn = ["path", "pagenum", "sig", "image_with_regions", "exception"]
    split = ["path", "pagenum", "region", "region_image", "exception"]
    assert result(loaded.stages[:3], drawn) == result(stages[:3], drawn)
    assert result(loaded.stages[:2] + loaded.stages[3:], split) == result(
        stages[:2] + stages[3:], split
    )
    assert len(result(stages[:2] + stages[3:], split)) > 1


def test_bad_rows_get_exception_and_job_goes_on(spark, data, plain):
    stages = [
        BinaryToImage(),
        ImageDocumentRegionDetector().setScoreThreshold(THRESHOLD),
        ImageDrawRegions(),
    ]
    # binaryFile skips 0-byte files, so empty and null contents are added by hand.
    src = read(spark, data["bad"])
    extra = spark.createDataFrame(
        [("file:/x/empty.png", NOW, 0, bytearray()), ("file:/x/null.png", NOW, 0, None)],
        src.schema,
    )
    rows = by_path(PipelineModel(stages=stages).transform(src.union(extra)).collect())
    bad = ("truncated.jpg", "empty.png", "null.png", "notes.jpg", "broken.pdf")
    assert set(rows) == {(n, 0) for n in (*bad, "good.png")}
    for name in bad:
        r = rows[(name, 0)]
        assert r.exception, name
        assert r.regions == [] and r.image is None and r.image_with_regions is None
    assert "empty" in rows[("empty.png", 0)].exception
    good = rows[("good.png", 0)]
    assert good.exception is None
    assert as_dicts(good.regions) == expected_structs(plain, load_image(good.path[5:]))
    # Through PdfToImage too: the broken PDF is one row with the reason.
    pdf_rows = PipelineModel(stages=[PdfToImage(), *stages[1:]]).transform(read(spark, data["bad"]))
    broken = [r for r in pdf_rows.collect() if r.path.endswith("broken.pdf")]
    assert len(broken) == 1 and broken[0].regions == [] and "PDF" in broken[0].exception


def test_one_onnx_session_per_python_process(spark, data):
    """Many Arrow batches, few processes: every process built its session once."""
    key = "spark.sql.execution.arrow.maxRecordsPerBatch"
    spark.conf.set(key, "1")
    try:
        src = read(spark, data["pages"]).union(read(spark, data["pages"])).repartition(2)
        stages = [BinaryToImage(), ImageDocumentRegionDetector().setScoreThreshold(THRESHOLD)]
        assert PipelineModel(stages=stages).transform(src).count() == 6
    finally:
        spark.conf.set(key, "16")
    logs = {}
    for f in data["events"].glob("*.jsonl"):
        lines = [json.loads(x) for x in f.read_text().splitlines()]
        logs[f.name] = lines[-1]
    batches = sum(s["batches"] for s in logs.values())
    assert batches >= 6 and batches > len(logs)  # processes were reused across batches
    # A process whose batches had only failed rows never needed a session (0); none built two.
    assert all(s["sessions_created"] <= 1 for s in logs.values())
    assert any(s["sessions_created"] == 1 for s in logs.values())
    assert all(s["broadcast_reads"] <= 1 for s in logs.values())
    assert 1 <= sum(s["broadcast_reads"] for s in logs.values()) <= 2  # fresh cache: 1 per core


def test_missing_input_column_fails_on_the_driver(spark, data):
    src = read(spark, data["pages"])
    with pytest.raises(ValueError, match="nope"):
        ImageDocumentRegionDetector().setInputCol("nope").transform(src)
    with pytest.raises(ValueError, match="regions"):
        ImageDrawRegions().transform(BinaryToImage().transform(src))

"""Spark stages without a JVM: params, schema conversions and the batch functions that run in the
Python workers (called here on pandas frames, exactly as ``mapInPandas`` calls them)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

pytest.importorskip("pyspark", reason="penmark[spark] not installed (pip install 'penmark[spark]')")
pd = pytest.importorskip("pandas")

from penmark.formats import region_from_spark_struct, spark_region_structs  # noqa: E402
from penmark.region import PageResult  # noqa: E402
from penmark.runtime import Detector  # noqa: E402
from penmark.runtime.detector import (  # noqa: E402
    DEFAULT_MODEL,
    DEFAULT_THRESHOLD,
    _weights_path,
)
from penmark.spark import (  # noqa: E402
    BinaryToImage,
    Color,
    ImageDocumentRegionDetector,
    ImageDrawRegions,
    ImageSplitRegions,
    ImageType,
    PdfToImage,
    inference,  # noqa: E402
)
from penmark.spark._batch import output_schema  # noqa: E402
from penmark.spark._rows import RowFanout  # noqa: E402
from penmark.spark.binary_to_image import decode_batch  # noqa: E402
from penmark.spark.detector import detect_batch  # noqa: E402
from penmark.spark.schema import (  # noqa: E402
    EXCEPTION_COL,
    IMAGE_TYPE,
    image_struct_to_array,
    image_type_of,
    pil_to_image_struct,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_page.jpg"


def _page(seed: int = 0, size: tuple[int, int] = (500, 640)) -> Image.Image:
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    for y in range(40, size[1] - 40, 36):
        d.rectangle((30, y, size[0] - 30 - int(rng.integers(0, 200)), y + 10), fill=(60, 60, 60))
    pts = [(200 + 12 * i, 520 + float(rng.normal(0, 12))) for i in range(20)]
    d.line(pts, fill=(20, 30, 150), width=4)
    return img


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


class FakeBroadcast:
    """Stands in for ``pyspark.Broadcast``: counts reads of ``.value``."""

    def __init__(self, data: bytes) -> None:
        self._data, self.reads = data, 0

    @property
    def value(self) -> bytes:
        self.reads += 1
        return self._data


@pytest.fixture()
def weights_ref(tmp_path, monkeypatch):
    monkeypatch.setenv("PENMARK_SPARK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(inference, "_DETECTORS", {})
    monkeypatch.setattr(
        inference, "STATS", {"sessions_created": 0, "broadcast_reads": 0, "batches": 0}
    )
    data = _weights_path(DEFAULT_MODEL).read_bytes()
    return inference.WeightsRef(
        DEFAULT_MODEL, hashlib.sha256(data).hexdigest(), FakeBroadcast(data)
    )


# ---- params ----------------------------------------------------------------------------------


def test_params_defaults_setters_and_explain():
    det = ImageDocumentRegionDetector()
    assert (det.getInputCol(), det.getOutputCol(), det.getScoreThreshold()) == (
        "image",
        "regions",
        DEFAULT_THRESHOLD,
    )
    same = det.setInputCol("img").setOutputCol("r").setScoreThreshold(0.5).setLabels(["signature"])
    assert same is det
    assert (det.getInputCol(), det.getOutputCol(), det.getScoreThreshold()) == ("img", "r", 0.5)
    assert det.getLabels() == ["signature"]
    assert det.getUseVerifier() is True and det.setUseVerifier(False).getUseVerifier() is False
    assert det.getOrientation() == "none" and det.setOrientation("auto").getOrientation() == "auto"
    text = det.explainParams()
    for name in ("scoreThreshold", "labels", "inputCol", "outputCol", "modelName", "numThreads",
                 "useVerifier", "orientation"):
        assert name in text
    with pytest.raises(ValueError):
        det.setScoreThreshold(1.5)
    with pytest.raises(ValueError):
        det.setLabels(["stamp"])

    b2i = BinaryToImage().setImageType(ImageType.TYPE_BYTE_GRAY)
    assert b2i.getImageType() is ImageType.TYPE_BYTE_GRAY
    assert b2i.getInputCol() == "content" and b2i.getOutputCol() == "image"
    with pytest.raises(TypeError):
        b2i.setImageType(99)

    draw = ImageDrawRegions()
    assert draw.getRectColor() is None
    assert draw.setRectColor(Color.gray).getRectColor() == [128, 128, 128]
    assert draw.setRectColor("#ff0000").getRectColor() == [255, 0, 0]
    with pytest.raises(TypeError):
        draw.setRectColor("nocolour")
    assert draw.setFilledRect(True).setLineWidth(5).setFontSize(20).draw_kwargs() == {
        "colors": {"handwritten": (255, 0, 0), "signature": (255, 0, 0)},
        "line_width": 5,
        "font_size": 20,
        "filled": True,
        "fill_alpha": 1.0,
        "show_labels": True,
    }

    pdf = PdfToImage().setResolution(150).setPages("1-3,5")
    assert (pdf.getResolution(), pdf.getPages(), pdf.getPageNumCol()) == (150.0, "1-3,5", "pagenum")
    with pytest.raises(ValueError):
        pdf.setPages("3-1")
    assert ImageSplitRegions().setPadding(4).getPadding() == 4


def test_pretrained_names(tmp_path):
    alias = ImageDocumentRegionDetector.pretrained("image_handwritten_detector", "en")
    assert alias.getModelName() == DEFAULT_MODEL and alias.getLabels() == []
    sig = ImageDocumentRegionDetector.pretrained("image_signature_detector", "en")
    assert sig.getLabels() == ["signature"]
    assert ImageDocumentRegionDetector.pretrained("penmark-hw-sig-v1").getWeightsPath() == ""
    (tmp_path / f"{DEFAULT_MODEL}.onnx").write_bytes(_weights_path(DEFAULT_MODEL).read_bytes())
    local = ImageDocumentRegionDetector.pretrained(
        "image_handwritten_detector", "en", str(tmp_path)
    )
    assert local.getWeightsPath() == str(tmp_path / f"{DEFAULT_MODEL}.onnx")
    with pytest.raises(FileNotFoundError):
        ImageDocumentRegionDetector.pretrained("image_handwritten_detector", "en", tmp_path / "x")
    with pytest.raises(ValueError):
        ImageDocumentRegionDetector.pretrained("no_such_model")


# ---- schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,channels,mode",
    [
        (ImageType.TYPE_3BYTE_BGR, 3, 16),
        (ImageType.TYPE_4BYTE_ABGR, 4, 24),
        (ImageType.TYPE_BYTE_GRAY, 1, 0),
    ],
)
def test_image_struct_round_trip(kind, channels, mode):
    img = _page(1, (37, 23))
    s = pil_to_image_struct(img, "a.png", kind)
    assert (s["origin"], s["width"], s["height"], s["nChannels"], s["mode"]) == (
        "a.png",
        37,
        23,
        channels,
        mode,
    )
    assert [f.name for f in IMAGE_TYPE.fields] == list(s)
    assert image_type_of(s) is kind
    raw = np.frombuffer(s["data"], np.uint8).reshape(23, 37, channels)
    rgb = np.asarray(img)
    if kind is ImageType.TYPE_BYTE_GRAY:
        np.testing.assert_array_equal(raw[:, :, 0], np.asarray(img.convert("L")))
    else:
        np.testing.assert_array_equal(raw[:, :, :3], rgb[:, :, ::-1])  # B, G, R order
        np.testing.assert_array_equal(image_struct_to_array(s), rgb)


def test_image_struct_rejects_bad_data():
    s = pil_to_image_struct(_page(0, (10, 10)), "x")
    with pytest.raises(ValueError):
        image_struct_to_array({**s, "data": s["data"][:-1]})
    with pytest.raises(ValueError):
        image_struct_to_array({**s, "mode": 24})


def test_output_schema_adds_exception_once():
    from pyspark.sql import types as T

    base = T.StructType(
        [T.StructField("path", T.StringType()), T.StructField("content", T.BinaryType())]
    )
    out = output_schema(base, [T.StructField("image", IMAGE_TYPE)], drop=["content"])
    assert out.fieldNames() == ["path", "image", EXCEPTION_COL]
    assert output_schema(out, [T.StructField("image", IMAGE_TYPE)]).fieldNames() == out.fieldNames()


def test_region_struct_round_trip():
    page = PageResult("p", 2, 100, 100, [])
    from penmark.region import Region

    page.regions = [Region("signature", 0.5, (10.0, 20.0, 40.0, 60.0), 2)]
    (s,) = spark_region_structs(page)
    assert region_from_spark_struct(s) == page.regions[0]


def test_row_fanout_chunks_and_keeps_prior_errors():
    pdf = pd.DataFrame({"a": [1, 2], EXCEPTION_COL: [None, "earlier"]})
    rows = RowFanout(pdf, chunk_rows=2)
    frames = []
    for k in range(3):
        rows.add(0, {"b": k}, None)
        if rows.full():
            frames += list(rows.flush())
    rows.add(1, {"b": 9}, "mine")
    frames += list(rows.flush())
    assert [len(f) for f in frames] == [2, 2]
    both = pd.concat(frames)
    assert both["b"].tolist() == [0, 1, 2, 9]
    assert both[EXCEPTION_COL].tolist() == [None, None, None, "earlier"]


# ---- batch functions (what runs in the Python workers) ----------------------------------------


def test_decode_batch_records_bad_rows():
    good = _png(_page(2))
    pdf = pd.DataFrame(
        {"path": ["good.png", "bad.png", "null.png"], "content": [good, b"junk", None]}
    )
    out = decode_batch(pdf, "content", "image", "path", int(ImageType.TYPE_3BYTE_BGR))
    assert out["image"][0]["origin"] == "good.png" and out[EXCEPTION_COL][0] is None
    assert out["image"][1] is None and "cannot read image" in out[EXCEPTION_COL][1]
    assert out["image"][2] is None and "null" in out[EXCEPTION_COL][2]


def test_detect_batch_equals_plain_api_and_builds_one_session(weights_ref):
    pages = [_page(3), _page(4, (640, 480))]
    structs = [
        pil_to_image_struct(p, f"p{i}", ImageType.TYPE_3BYTE_BGR) for i, p in enumerate(pages)
    ]
    pdf = pd.DataFrame({"image": structs + [None], "pagenum": [0, 5, 0]})
    args = dict(
        ref=weights_ref,
        num_threads=1,
        threshold=0.0,
        labels=None,
        input_col="image",
        output_col="regions",
        page_col="pagenum",
    )
    out = [detect_batch(pdf, **args) for _ in range(3)][-1]
    plain = Detector.pretrained(num_threads=1)
    for i, (page, pagenum) in enumerate(zip(pages, [0, 5], strict=True)):
        regions = plain.detect(page, threshold=0.0, page=pagenum)
        assert regions, "threshold 0 must give regions to compare"
        expected = spark_region_structs(
            PageResult(f"p{i}", pagenum, page.width, page.height, regions)
        )
        assert out["regions"][i] == expected
    assert out["regions"][2] == [] and out[EXCEPTION_COL][2].startswith("no image")
    assert inference.STATS["sessions_created"] == 1  # three batches, one ONNX session
    assert inference.STATS["batches"] == 3
    assert weights_ref.broadcast.reads == 1
    # A new process on the same machine finds the weights file and never reads the broadcast.
    inference._DETECTORS.clear()
    detect_batch(pdf, **args)
    assert weights_ref.broadcast.reads == 1 and inference.STATS["sessions_created"] == 2
    # useVerifier=False: the detector alone, a separately cached session, same broadcast file
    alone = detect_batch(pdf, **args, verify=False)
    assert inference.STATS["sessions_created"] == 3 and weights_ref.broadcast.reads == 1
    plain_alone = Detector.pretrained(num_threads=1, verifier=False)
    assert plain.verifier is not None and plain_alone.verifier is None
    expected = spark_region_structs(
        PageResult("p0", 0, pages[0].width, pages[0].height,
                   plain_alone.detect(pages[0], threshold=0.0, page=0))
    )
    assert alone["regions"][0] == expected


def test_detect_batch_orientation_auto_matches_the_cli_pipeline(weights_ref):
    """setOrientation("auto"): a page scanned upside down gives the regions `penmark detect`
    gives (found upright, boxes on the image as given); "none" trusts the image."""
    from penmark.io.documents import Page
    from penmark.pipeline import Options, PageProcessor

    upright = Image.open(EXAMPLE).convert("RGB")
    shown = upright.rotate(180, expand=True)
    pdf = pd.DataFrame({"image": [pil_to_image_struct(shown, "s", ImageType.TYPE_3BYTE_BGR)]})
    args = dict(ref=weights_ref, num_threads=1, threshold=DEFAULT_THRESHOLD, labels=None,
                input_col="image", output_col="regions", page_col="pagenum")
    auto = detect_batch(pdf, **args, orientation="auto")["regions"][0]
    proc = PageProcessor(Options(orientation="auto"), detector=Detector.pretrained(num_threads=1))
    regions, angle, _ = proc.detect(Page("s", 0, shown))
    assert angle == 180 and regions
    assert auto == spark_region_structs(PageResult("s", 0, shown.width, shown.height, regions))
    # the same ink as on the upright page, turned: signatures found either way
    labels_upright = sorted(r.label for r in proc.detect(Page("u", 0, upright))[0])
    assert sorted(r["label"] for r in auto) == labels_upright
    none = detect_batch(pdf, **args)["regions"][0]
    assert len(none) < len(auto)  # upside down, the model alone misses most of it
    with pytest.raises(ValueError, match="orientation must be one of"):
        ImageDocumentRegionDetector().setOrientation("sideways")

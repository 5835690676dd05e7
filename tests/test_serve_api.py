"""HTTP API of ``penmark serve``: success paths and every error path, through FastAPI's TestClient.

Most tests use a fake detector with fixed boxes so they check the API (schema, fields, limits,
errors), not the shipped weights; a few run the real pretrained model for the schema end to end.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

pytest.importorskip("fastapi")
pytest.importorskip("multipart")  # python-multipart, needed for File/Form fields
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from penmark.io import Page  # noqa: E402
from penmark.region import LABELS, Region  # noqa: E402
from penmark.serve import ServeConfig, create_app  # noqa: E402


class FakeDetector:
    """Stands in for :class:`penmark.runtime.Detector`: a handwritten box (score 0.9) and a
    signature box (score 0.4) at fixed fractions of the page, filtered like the real one."""

    name = "fake-detector"
    metadata = {"trained": True}
    model_labels = LABELS

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.calls: list[dict] = []
        self.gate = gate  # when set, detect() blocks until the event is set

    def detect(self, image, threshold=None, labels=None, page=0) -> list[Region]:
        self.calls.append({"threshold": threshold, "labels": labels, "page": page})
        if self.gate is not None:
            self.gate.wait(30)
        w, h = image.size
        found = [
            Region("handwritten", 0.9, (0.1 * w, 0.1 * h, 0.6 * w, 0.2 * h), page),
            Region("signature", 0.4, (0.55 * w, 0.75 * h, 0.9 * w, 0.88 * h), page),
        ]
        thr = 0.25 if threshold is None else threshold
        return [r for r in found if r.score >= thr and (labels is None or r.label in labels)]


def jpeg_bytes(size=(400, 520), color="white") -> bytes:
    img = Image.new("RGB", size, color)
    d = ImageDraw.Draw(img)
    for y in range(40, size[1] - 40, 30):
        d.line([(30, y), (size[0] - 30, y)], fill=(80, 80, 80), width=2)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def png_bytes(size=(300, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes(n: int = 3) -> bytes:
    pages = [Image.new("RGB", (300, 400), "white") for _ in range(n)]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=72)
    return buf.getvalue()


def tiff_bytes(n: int = 2) -> bytes:
    frames = [Image.new("RGB", (240, 320), "white") for _ in range(n)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    return buf.getvalue()


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == response.status_code
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def tmp_root(tmp_path: Path) -> Path:
    root = tmp_path / "serve-tmp"
    root.mkdir()
    return root


@pytest.fixture
def fake() -> FakeDetector:
    return FakeDetector()


@pytest.fixture
def client(fake: FakeDetector, tmp_root: Path):
    config = ServeConfig(max_upload_bytes=200_000, max_pages=3, tmp_root=tmp_root)
    with TestClient(create_app(config, detector=fake)) as c:
        yield c
    assert list(tmp_root.iterdir()) == [], "a request left files in the temporary directory"


@pytest.fixture(scope="module")
def real_client():
    with TestClient(create_app(ServeConfig(workers=1))) as c:
        yield c


def post(client, path="/v1/detect", data=None, name="page.jpg", body=None, mime="image/jpeg"):
    body = jpeg_bytes() if body is None else body
    return client.post(path, files={"file": (name, body, mime)}, data=data or {})


# --- success ------------------------------------------------------------------------------------


def test_healthz_reports_model_and_limits(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    info = r.json()
    assert info["status"] == "ok"
    assert info["model"] == "fake-detector"
    assert info["labels"] == list(LABELS)
    assert info["limits"]["max_pages"] == 3
    assert info["limits"]["max_upload_bytes"] == 200_000


def test_detect_real_model_returns_json_lines_page_objects(real_client):
    r = post(real_client, data={"threshold": "0.05"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    (page,) = r.json()
    assert page["source"] == "page.jpg"
    assert (page["page"], page["width"], page["height"]) == (0, 400, 520)
    assert isinstance(page["regions"], list)
    for region in page["regions"]:
        assert region["label"] in LABELS
        assert 0.05 <= region["score"] <= 1
        x0, y0, x1, y1 = region["box"]
        assert 0 <= x0 <= x1 <= 400 and 0 <= y0 <= y1 <= 520


def test_healthz_real_model(real_client):
    info = real_client.get("/healthz").json()
    from penmark.runtime.detector import DEFAULT_MODEL

    assert info["model"] == DEFAULT_MODEL
    assert isinstance(info["trained"], bool)


def test_detect_uses_page_to_dict_schema(client):
    r = post(client, data={"threshold": "0.5"})
    assert r.status_code == 200
    (page,) = r.json()
    assert page["regions"] == [
        {"label": "handwritten", "score": 0.9, "box": [40.0, 52.0, 240.0, 104.0]}
    ]


def test_threshold_and_labels_reach_the_detector(client, fake):
    r = post(client, data={"threshold": "0.05", "labels": "signature"})
    assert r.status_code == 200
    assert [x["label"] for x in r.json()[0]["regions"]] == ["signature"]
    assert fake.calls[-1]["threshold"] == 0.05
    assert fake.calls[-1]["labels"] == ("signature",)


@pytest.mark.parametrize(
    "fields",
    [
        [("labels", "handwritten"), ("labels", "signature")],
        [("labels", "handwritten, signature")],
    ],
)
def test_labels_repeated_or_comma_separated(client, fake, fields):
    r = client.post("/v1/detect", files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")},
                    data=dict(fields) if len(fields) == 1 else {"labels": [v for _, v in fields]})
    assert r.status_code == 200
    assert fake.calls[-1]["labels"] == ("handwritten", "signature")


def test_default_threshold_is_the_servers(client, fake):
    assert post(client).status_code == 200
    from penmark.runtime.detector import DEFAULT_THRESHOLD

    assert fake.calls[-1]["threshold"] == DEFAULT_THRESHOLD


def test_type_is_sniffed_from_bytes_not_name_or_header(client):
    r = post(client, name="scan.pdf", body=png_bytes(), mime="application/pdf")
    assert r.status_code == 200
    assert r.json()[0]["width"] == 300


def test_pdf_pages_and_selection(client):
    r = post(client, name="doc.pdf", body=pdf_bytes(3), mime="application/pdf")
    assert r.status_code == 200
    pages = r.json()
    assert [p["page"] for p in pages] == [0, 1, 2]
    assert all("pdf" in p and "box_pt" in p["regions"][0] for p in pages)
    r = post(client, data={"pages": "2-3"}, name="doc.pdf", body=pdf_bytes(3))
    assert [p["page"] for p in r.json()] == [1, 2]


def test_multipage_tiff(client):
    r = post(client, name="fax.tif", body=tiff_bytes(2), mime="image/tiff")
    assert r.status_code == 200
    assert [p["page"] for p in r.json()] == [0, 1]


def test_previews_are_jpeg_data_urls(client):
    r = post(client, data={"previews": "true"})
    image = r.json()[0]["image"]
    assert image.startswith("data:image/jpeg;base64,")
    assert "image" not in post(client).json()[0]


def test_unreadable_page_of_a_document_becomes_an_error_object(client, monkeypatch):
    import penmark.serve.jobs as jobs

    def pages(path, dpi, pages, name, errors):
        yield Page(name, 0, Image.new("RGB", (100, 100), "white"), kind="tiff", count=2)
        yield Page(name, 1, None, kind="tiff", count=2, error="page 2: cannot decode image")

    monkeypatch.setattr(jobs, "iter_pages", pages)
    r = post(client, name="fax.tif", body=tiff_bytes(2))
    assert r.status_code == 200
    ok, bad = r.json()
    assert ok["page"] == 0 and "regions" in ok
    assert bad == {"source": "fax.tif", "page": 1, "error": "page 2: cannot decode image"}


def test_source_is_the_base_name_only(client):
    r = post(client, name="../../etc/C:\\evil\\scan.jpg")
    assert r.json()[0]["source"] == "scan.jpg"


def test_redact_jpeg_paints_the_boxes(client):
    r = post(client, "/v1/redact", data={"labels": "handwritten"}, name="letter.jpg")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert 'filename="letter-redacted.jpg"' in r.headers["content-disposition"]
    assert r.headers["x-penmark-regions"] == "1"
    out = Image.open(io.BytesIO(r.content)).convert("L")
    assert out.size == (400, 520)
    assert out.getpixel((140, 78)) < 40  # inside the handwritten box: painted black
    assert out.getpixel((300, 440)) > 200  # the signature was not selected


def test_redact_png_returns_png(client):
    r = post(client, "/v1/redact", name="a.png", body=png_bytes(), mime="image/png")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).format == "PNG"


def test_redact_pdf_returns_an_image_only_pdf(client):
    pypdfium2 = pytest.importorskip("pypdfium2")
    r = post(client, "/v1/redact", name="doc.pdf", body=pdf_bytes(2), mime="application/pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert 'filename="doc-redacted.pdf"' in r.headers["content-disposition"]
    assert r.headers["x-penmark-regions"] == "4"  # both fake boxes on each of the two pages
    assert len(pypdfium2.PdfDocument(r.content)) == 2


def test_index_page_and_its_assets(client):
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert 'id="file-input"' in r.text
    for asset in ("/static/app.js", "/static/style.css", "/static/favicon.svg"):
        assert client.get(asset).status_code == 200, asset
    assert "http://" not in r.text and "https://" not in r.text  # nothing from a CDN


def test_docs_are_served_offline(client):
    pytest.importorskip("fastapi_offline")
    for page in ("/docs", "/redoc"):
        r = client.get(page)
        assert r.status_code == 200
        assert "cdn" not in r.text.lower() and "googleapis" not in r.text.lower()
        scripts = re.findall(r'<script src="([^"]+)"', r.text)
        assert scripts and all(src.startswith("/") for src in scripts), scripts
        for src in scripts:
            assert client.get(src).status_code == 200, src
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/detect", "/v1/redact", "/healthz"} <= set(paths)


# --- errors -------------------------------------------------------------------------------------


def test_not_an_image_is_415(client):
    r = post(client, name="scan.jpg", body=b"%!PS-Adobe-3.0 not an image at all\n" * 10)
    assert r.status_code == 415
    assert error_of(r)["code"] == "unsupported_type"


def test_empty_upload_is_422(client):
    r = post(client, body=b"")
    assert r.status_code == 422
    assert error_of(r)["code"] == "empty_upload"


def test_truncated_image_is_422(client):
    r = post(client, body=jpeg_bytes()[:600])
    assert r.status_code == 422
    assert error_of(r)["code"] == "unreadable"


def test_broken_pdf_is_422(client):
    r = post(client, name="x.pdf", body=b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog" + b"\0" * 64)
    assert r.status_code == 422
    assert error_of(r)["code"] == "unreadable"


def test_missing_file_is_422(client):
    r = client.post("/v1/detect", data={"threshold": "0.5"})
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "invalid_request"
    assert "file" in err["message"]


@pytest.mark.parametrize("value", ["1.5", "-0.1", "abc"])
def test_bad_threshold_is_422(client, value):
    r = post(client, data={"threshold": value})
    assert r.status_code == 422
    assert error_of(r)["fields"][0]["field"] == "threshold"


def test_unknown_orientation_is_422(client):
    r = post(client, data={"orientation": "sideways"})
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "invalid_orientation" and "auto" in err["message"]


def test_upside_down_page_is_found_upright_unless_told_not_to(real_client):
    sample = Path(__file__).resolve().parents[1] / "examples" / "sample_page.jpg"
    buf = io.BytesIO()
    Image.open(sample).convert("RGB").rotate(180, expand=True).save(buf, "JPEG", quality=90)
    (auto,) = post(real_client, body=buf.getvalue()).json()
    assert auto["orientation"] == 180
    assert {r["label"] for r in auto["regions"]} == {"handwritten", "signature"}
    (trusted,) = post(real_client, body=buf.getvalue(), data={"orientation": "none"}).json()
    assert "orientation" not in trusted
    assert len(trusted["regions"]) < len(auto["regions"])


def test_unknown_label_is_422(client):
    r = post(client, data={"labels": "stamp"})
    assert r.status_code == 422
    assert error_of(r)["code"] == "invalid_labels"


@pytest.mark.parametrize("spec", ["abc", "3-1", "0", "1-999999999"])
def test_bad_page_ranges_are_422(client, spec):
    r = post(client, data={"pages": spec}, name="doc.pdf", body=pdf_bytes(2))
    assert r.status_code == 422
    assert error_of(r)["code"] == "invalid_pages"


def test_pages_past_the_end_are_422(client):
    r = post(client, data={"pages": "7"}, name="doc.pdf", body=pdf_bytes(2))
    assert r.status_code == 422
    assert "2 page" in error_of(r)["message"]


def test_too_many_pages_is_413(client):
    r = post(client, name="doc.pdf", body=pdf_bytes(4))
    assert r.status_code == 413
    assert error_of(r)["code"] == "too_many_pages"
    assert post(client, data={"pages": "1-3"}, name="doc.pdf", body=pdf_bytes(4)).status_code == 200
    r = post(client, "/v1/redact", data={"pages": "1"}, name="doc.pdf", body=pdf_bytes(4))
    assert r.status_code == 413  # a redacted PDF re-renders every page


def test_too_large_by_content_length_is_413(client):
    big = jpeg_bytes() + b"\0" * 300_000
    r = post(client, body=big)
    assert r.status_code == 413
    assert error_of(r)["code"] == "too_large"


def test_too_large_streamed_without_length_is_413(client):
    boundary = "penmarkboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()

    def chunks():
        yield head + jpeg_bytes()
        for _ in range(40):
            yield b"\0" * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post(
        "/v1/detect",
        content=chunks(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 413
    assert error_of(r)["code"] == "too_large"


def test_unknown_route_and_wrong_method_are_json(client):
    r = client.get("/v1/nothing")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    r = client.get("/v1/detect")
    assert r.status_code == 405 and error_of(r)["code"] == "method_not_allowed"


def test_time_limit_is_504_and_cleans_up(tmp_root):
    gate = threading.Event()
    config = ServeConfig(timeout_s=0.2, tmp_root=tmp_root)
    try:
        with TestClient(create_app(config, detector=FakeDetector(gate))) as c:
            r = post(c)
            assert r.status_code == 504
            assert error_of(r)["code"] == "timeout"
            assert list(tmp_root.iterdir()) == []
    finally:
        gate.set()


def test_busy_server_answers_503_with_retry_after(tmp_root):
    gate = threading.Event()
    config = ServeConfig(max_active=1, workers=1, tmp_root=tmp_root)
    with TestClient(create_app(config, detector=FakeDetector(gate))) as c:
        engine = c.app.state.engine
        first: dict = {}
        worker = threading.Thread(target=lambda: first.update(r=post(c)))
        worker.start()
        try:
            for _ in range(500):  # wait (bounded) until the first request holds the only slot
                if engine.active == 1:
                    break
                gate.wait(0.01)
            assert engine.active == 1
            r = post(c)
            assert r.status_code == 503
            assert error_of(r)["code"] == "busy"
            assert r.headers["retry-after"] == "1"
        finally:
            gate.set()
            worker.join(30)
        assert first["r"].status_code == 200
    assert list(tmp_root.iterdir()) == []


def test_config_rejects_nonsense():
    with pytest.raises(ValueError):
        ServeConfig(max_pages=0)
    with pytest.raises(ValueError):
        ServeConfig(timeout_s=0)
    with pytest.raises(ValueError):
        ServeConfig(default_threshold=2.0)


def test_redact_multipage_tiff_returns_a_pdf(client):
    r = post(client, "/v1/redact", name="fax.tif", body=tiff_bytes(2), mime="image/tiff")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert 'filename="fax-redacted.pdf"' in r.headers["content-disposition"]


def test_redact_errors_are_json(client):
    r = post(client, "/v1/redact", body=b"GIF89a" + b"\0" * 20)
    assert r.status_code == 422
    assert error_of(r)["code"] == "unreadable"
    r = post(client, "/v1/redact", body=b"just text")
    assert r.status_code == 415


class BrokenDetector(FakeDetector):
    def detect(self, image, threshold=None, labels=None, page=0):
        raise RuntimeError("onnxruntime exploded")


def test_detector_failure_is_a_json_500_not_a_422(tmp_root):
    app = create_app(ServeConfig(tmp_root=tmp_root), detector=BrokenDetector())
    with TestClient(app, raise_server_exceptions=False) as c:
        r = post(c)
        assert r.status_code == 500
        assert error_of(r)["code"] == "detection_failed"
        r = post(c, "/v1/redact")
        assert r.status_code == 500
        err = error_of(r)
        assert err["code"] == "internal_error"
        assert "exploded" not in err["message"]  # no internals leak to clients
    assert list(tmp_root.iterdir()) == []


def test_model_work_does_not_block_the_event_loop(tmp_root):
    gate = threading.Event()
    with TestClient(create_app(ServeConfig(tmp_root=tmp_root), detector=FakeDetector(gate))) as c:
        engine = c.app.state.engine
        first: dict = {}
        worker = threading.Thread(target=lambda: first.update(r=post(c)))
        worker.start()
        try:
            for _ in range(500):  # bounded wait until the request is inside the pool
                if engine.active == 1:
                    break
                gate.wait(0.01)
            # If detection ran on the event loop, this would only be answered after the gate
            # opened (30 s), with no request left in progress.
            assert c.get("/healthz").json()["active"] == 1
        finally:
            gate.set()
            worker.join(30)
        assert first["r"].status_code == 200


def test_model_is_loaded_once(monkeypatch, tmp_root):
    from penmark.runtime import Detector

    loads = []
    real = Detector.pretrained.__func__

    def counting(cls, *args, **kwargs):
        loads.append(args)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(Detector, "pretrained", classmethod(counting))
    with TestClient(create_app(ServeConfig(tmp_root=tmp_root))) as c:
        for _ in range(3):
            assert post(c, body=png_bytes()).status_code == 200
        assert c.get("/healthz").status_code == 200
    assert len(loads) == 1


def test_redacted_download_name_survives_non_ascii(client):
    r = post(client, "/v1/redact", name="résumé v2.jpg")
    assert r.status_code == 200
    disposition = r.headers["content-disposition"]
    assert 'filename="r_sum_ v2-redacted.jpg"' in disposition
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9%20v2-redacted.jpg" in disposition

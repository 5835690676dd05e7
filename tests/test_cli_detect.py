"""``penmark detect`` end to end with the real shipped model (schema, files, exit codes, resume).

The weights may be an untrained placeholder, so nothing here depends on what is detected, only on
the shape of what is written; detection-dependent logic is tested with fake detectors elsewhere.
"""

from __future__ import annotations

import csv
import io
import json

import pypdfium2 as pdfium
import pytest
from PIL import Image
from typer.testing import CliRunner

from docgen import many_pages_pdf
from penmark.cli import app

runner = CliRunner()


def _run(*args, input=None):
    return runner.invoke(app, ["detect", *map(str, args)], input=input)


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def docs(tmp_path):
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    Image.new("RGB", (340, 440), "white").save(root / "a.png")
    Image.new("RGB", (340, 440), "white").save(root / "sub" / "c.jpg")
    (root / "b.pdf").write_bytes(many_pages_pdf(2, size=(170, 220)))
    return root


def test_every_output_for_a_folder(tmp_path, docs):
    (docs / "bad.jpg").write_bytes(b"this is text")
    out = tmp_path / "out.jsonl"
    res = _run(
        docs, "-o", out, "--dpi", 100, "--coco", tmp_path / "coco.json",
        "--coco-results", tmp_path / "res.json", "--csv", tmp_path / "r.csv",
        "--summary", tmp_path / "sum.json", "--draw", tmp_path / "draw",
        "--crop", tmp_path / "crops", "--redact", tmp_path / "red", "--no-progress",
    )
    assert res.exit_code == 1, res.output  # one bad file -> 1, the rest still processed
    lines = _lines(out)
    keys = [(d["source"].split("in/")[-1], d.get("page", 0)) for d in lines]
    assert keys == [("a.png", 0), ("b.pdf", 0), ("b.pdf", 1), ("bad.jpg", 0), ("sub/c.jpg", 0)]
    bad = lines[3]
    assert bad["error"].startswith("not an image or PDF") and "regions" not in bad
    for d in (lines[0], lines[1], lines[4]):
        assert set(d) >= {"source", "page", "width", "height", "regions", "orientation"}
        for r in d["regions"]:
            assert set(r) >= {"label", "score", "box"} and len(r["box"]) == 4
    assert lines[1]["width"] in (236, 237) and lines[1]["height"] == 306  # 170x220 pt, 100 dpi
    assert lines[1]["pdf"]["points_per_pixel"] == pytest.approx(0.72, rel=1e-3)
    assert lines[1]["pdf"]["size_pt"] == pytest.approx([170, 220])

    coco = json.loads((tmp_path / "coco.json").read_text())
    assert [im["file_name"].split("in/")[-1] for im in coco["images"]] == [
        "a.png", "b.pdf", "b.pdf", "sub/c.jpg"]
    assert {c["name"] for c in coco["categories"]} == {"handwritten", "signature"}
    from pycocotools.coco import COCO

    ds = COCO()
    ds.dataset = coco
    ds.createIndex()  # opens as a COCO dataset
    assert isinstance(json.loads((tmp_path / "res.json").read_text()), list)

    with open(tmp_path / "r.csv", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["source", "page", "label", "score", "x0", "y0", "x1", "y1"]
    summary = json.loads((tmp_path / "sum.json").read_text())
    docs_ = {d["source"].split("in/")[-1]: d for d in summary["documents"]}
    assert docs_["b.pdf"]["pages"] == 2 and "signed" in docs_["b.pdf"]
    assert docs_["bad.jpg"]["pages_failed"] == 1
    assert summary["totals"]["pages"] == 5 and summary["totals"]["pages_failed"] == 1

    drawn = sorted(p.relative_to(tmp_path / "draw").as_posix()
                   for p in (tmp_path / "draw").rglob("*") if p.is_file())
    assert drawn == ["a.png", "b.p0001.png", "b.p0002.png", "sub/c.jpg"]
    red = sorted(p.relative_to(tmp_path / "red").as_posix()
                 for p in (tmp_path / "red").rglob("*") if p.is_file())
    assert red == ["a.png", "b.pdf", "sub/c.jpg"]  # PDF parts assembled and cleaned up
    assert len(pdfium.PdfDocument(str(tmp_path / "red" / "b.pdf"))) == 2


def test_exit_code_0_and_stdout(docs):
    res = _run(docs / "a.png", "--orientation", "none")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout.strip().splitlines()[0])
    assert d["source"].endswith("a.png") and "orientation" not in d


@pytest.mark.parametrize(
    "args",
    [
        ["--pages", "3-1"],
        ["--labels", "stamp"],
        ["--orientation", "sideways"],
        ["--skip-done"],
        ["--colors", "signature=notacolour"],
        ["--model", "no-such-model"],
        ["--workers", "0"],
    ],
)
def test_usage_errors_exit_2(docs, args):
    res = _run(docs / "a.png", *args)
    assert res.exit_code == 2, res.output


def test_no_inputs_found_is_a_usage_error(tmp_path):
    res = _run(tmp_path / "*.png")
    assert res.exit_code == 2
    assert "no input documents" in res.output


def test_stdin_pages_and_labels(docs):
    data = (docs / "b.pdf").read_bytes()
    res = _run("-", "--pages", "2", "--dpi", 72, "--labels", "signature", input=data)
    assert res.exit_code == 0, res.output
    (d,) = [json.loads(x) for x in res.stdout.strip().splitlines()]
    assert (d["source"], d["page"]) == ("<stdin>", 1)
    assert all(r["label"] == "signature" for r in d["regions"])


def test_skip_done_resumes_from_its_own_output(tmp_path, docs):
    out = tmp_path / "o.jsonl"
    assert _run(docs, "-o", out, "--dpi", 72).exit_code == 0
    full = _lines(out)
    # simulate a run killed while writing: keep two pages and half of the third line
    text = out.read_text().splitlines(keepends=True)
    out.write_text(text[0] + text[1] + text[2][: len(text[2]) // 2])
    res = _run(docs, "-o", out, "--dpi", 72, "--skip-done")
    assert res.exit_code == 0, res.output
    assert "2 skipped" in res.output
    again = _lines(out)
    key = lambda d: (d["source"], d["page"])  # noqa: E731
    assert sorted(map(key, again)) == sorted(map(key, full))  # each page exactly once
    res = _run(docs, "-o", out, "--dpi", 72, "--skip-done")
    assert len(_lines(out)) == len(full)  # nothing left to do


def test_two_workers_give_the_same_results(tmp_path, docs):
    one = _run(docs, "--dpi", 72)
    two = _run(docs, "--dpi", 72, "--workers", 2)
    assert one.exit_code == two.exit_code == 0, two.output
    assert one.stdout == two.stdout


def test_progress_bar_only_when_asked_or_on_a_tty(docs):
    quiet = _run(docs / "a.png")
    assert "pages/s" not in quiet.stderr
    shown = _run(docs / "a.png", "--progress")
    assert "pages/s" in shown.stderr


def test_tiff_pages_option(tmp_path):
    frames = [Image.new("L", (200, 150), v) for v in (255, 200, 150)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    path = tmp_path / "f.tif"
    path.write_bytes(buf.getvalue())
    res = _run(path, "--pages", "1,3")
    assert [json.loads(x)["page"] for x in res.stdout.splitlines()] == [0, 2]


def test_weights_file_option(docs):
    from penmark.runtime.detector import DEFAULT_MODEL, _weights_path

    shipped = _weights_path(DEFAULT_MODEL)
    a = _run(docs / "a.png", "--weights", shipped)
    b = _run(docs / "a.png")
    assert a.exit_code == b.exit_code == 0 and a.stdout == b.stdout
    assert _run(docs / "a.png", "--weights", docs / "missing.onnx").exit_code == 2

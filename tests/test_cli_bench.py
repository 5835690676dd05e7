"""``penmark bench`` runs the real pipeline and reports every number the README table needs
(values are not asserted: speed lives in the benchmark, not in tests)."""

from __future__ import annotations

from typer.testing import CliRunner

from penmark.cli import app
from penmark.cli.bench import make_page, run_bench, to_markdown


def test_bench_report_shape(tmp_path):
    report = run_bench(pages=2, workers=(1,), kinds=("jpeg", "pdf"), workdir=tmp_path)
    assert [(r["input"], r["workers"], r["pages"], r["failed"]) for r in report["runs"]] == [
        ("200-dpi letter JPEG", 1, 2, 0),
        ("PDF at 200 dpi", 1, 2, 0),
    ]
    for r in report["runs"]:
        assert r["pages_per_s"] > 0 and 0 < r["p50_ms"] <= r["p95_ms"]
        assert r["peak_rss_mb_per_worker"] > 0
    md = to_markdown(report)
    assert md.count("\n| ") == 3 and "orientation check" in md
    assert list(tmp_path.iterdir()) == []  # generated pages are cleaned up


def test_bench_pages_are_letter_at_200_dpi():
    assert make_page(0).size == (1700, 2200)


def test_bench_usage_errors():
    res = CliRunner().invoke(app, ["bench", "--workers", "0"])
    assert res.exit_code == 2
    res = CliRunner().invoke(app, ["bench", "--inputs", "png"])
    assert res.exit_code == 2

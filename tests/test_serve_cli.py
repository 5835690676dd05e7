"""``penmark serve``: option wiring, and the message when the ``[serve]`` extra is missing."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from penmark.cli import app


def test_missing_extra_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # makes "import uvicorn" fail
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "pip install 'penmark[serve]'" in result.output
    assert "uvicorn" in result.output


def test_options_reach_the_server_config(monkeypatch):
    uvicorn = pytest.importorskip("uvicorn")
    pytest.importorskip("fastapi")
    seen = {}

    def fake_run(served_app, host, port, log_level):
        seen.update(config=served_app.state.engine.config, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    args = ["serve", "--port", "8123", "--max-pages", "5", "--max-upload-mb", "2", "--timeout", "9",
            "--workers", "1", "--max-active", "7"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    config = seen["config"]
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert (config.max_pages, config.max_upload_bytes) == (5, 2 * 1024 * 1024)
    assert (config.timeout_s, config.workers, config.max_active) == (9.0, 1, 7)


def test_unknown_model_is_a_usage_error():
    pytest.importorskip("uvicorn")
    pytest.importorskip("fastapi")
    result = CliRunner().invoke(app, ["serve", "--model", "no-such-model"])
    assert result.exit_code == 2
    assert "no-such-model" in result.output

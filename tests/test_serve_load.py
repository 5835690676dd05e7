"""Load test: 50 concurrent ``POST /v1/detect`` against a real uvicorn server on 127.0.0.1.

The server runs in its own process (started and stopped here) with the real pretrained model and
the default pool, so its memory can be read from ``/proc``. Bounded: 50 requests, each with a
time limit, the whole batch under an overall limit, the server killed in ``finally``.
Asserts: every request succeeds with a well-formed page object, and the server's peak memory stays
bounded (well under what 50 decoded pages held at once would need).
"""

from __future__ import annotations

import asyncio
import io
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("multipart")
httpx = pytest.importorskip("httpx")

REQUESTS = 50
PEAK_RSS_LIMIT_MB = 800
"""Measured ~320 MB here (2 workers). A server that ran all 50 at once would hold 50 decoded pages,
network inputs and onnxruntime activations (~100 MB each), several GB."""

SERVER = """
import sys, uvicorn
from penmark.serve import ServeConfig, create_app
app = create_app(ServeConfig(tmp_root=sys.argv[2]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def _page() -> bytes:
    img = Image.new("RGB", (1275, 1650), "white")  # US letter at 150 dpi
    d = ImageDraw.Draw(img)
    for y in range(150, 1500, 36):
        d.line([(120, y), (1150, y)], fill=(60, 60, 60), width=3)
    d.line([(700, 1560), (760, 1530), (820, 1575), (900, 1520)], fill=(20, 40, 160), width=4)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


async def _fire(base: str, body: bytes) -> tuple[list, list[float]]:
    limits = httpx.Limits(max_connections=REQUESTS, max_keepalive_connections=REQUESTS)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def one(i: int):
            t0 = time.perf_counter()
            r = await client.post(
                "/v1/detect",
                files={"file": (f"page{i}.jpg", body, "image/jpeg")},
                data={"threshold": "0.05"},
            )
            return r, time.perf_counter() - t0

        done = await asyncio.gather(*(one(i) for i in range(REQUESTS)))
    return [r for r, _ in done], [s for _, s in done]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc")
def test_fifty_concurrent_requests(tmp_path, capsys):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    tmp_root = tmp_path / "tmp"
    tmp_root.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(tmp_root)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        for _ in range(300):  # up to ~30 s for the server to come up
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "server exited during start-up"
            time.sleep(0.1)
        else:
            pytest.fail("server did not come up")
        body = _page()
        warm = httpx.post(f"{base}/v1/detect", files={"file": ("w.jpg", body)}, timeout=60)
        assert warm.status_code == 200
        rss_warm = _status_mb(proc.pid, "VmRSS")

        t0 = time.perf_counter()
        responses, seconds = asyncio.run(asyncio.wait_for(_fire(base, body), timeout=240))
        wall = time.perf_counter() - t0
        peak = _status_mb(proc.pid, "VmHWM")

        assert [r.status_code for r in responses] == [200] * REQUESTS, [
            r.text[:200] for r in responses if r.status_code != 200
        ]
        for i, r in enumerate(responses):
            (page,) = r.json()
            assert (page["source"], page["width"], page["height"]) == (f"page{i}.jpg", 1275, 1650)
        assert peak < PEAK_RSS_LIMIT_MB
        assert list(tmp_root.iterdir()) == []
        q = statistics.quantiles(seconds, n=20)
        with capsys.disabled():
            print(
                f"\n[load] {REQUESTS} concurrent requests: all 200 in {wall:.1f} s "
                f"({REQUESTS / wall:.1f} req/s); latency p50 {statistics.median(seconds):.1f} s, "
                f"p95 {q[18]:.1f} s, max {max(seconds):.1f} s; server RSS after warm-up "
                f"{rss_warm:.0f} MB, peak {peak:.0f} MB"
            )
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

"""The pipeline on a real Spark standalone cluster on loopback: a master and two workers (1 core
each), started here from pyspark's bundled ``spark-class`` and stopped here. Results must equal
local mode's, and both executors must have run inference (each with one ONNX session).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

pyspark = pytest.importorskip("pyspark", reason="penmark[spark] not installed")
if shutil.which("java") is None:
    pytest.skip(
        "Spark needs Java 17 (apt-get install openjdk-17-jre-headless)", allow_module_level=True
    )

from pyspark.ml import PipelineModel  # noqa: E402

from penmark.spark import (  # noqa: E402
    Color,
    ImageDocumentRegionDetector,
    ImageDrawRegions,
    PdfToImage,
    spark_session,
)

pytestmark = pytest.mark.spark

SPARK_HOME = Path(pyspark.__file__).resolve().parent
LOOPBACK = "127.0.0.1"
START_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def _page(seed: int, size: tuple[int, int]) -> Image.Image:
    rng = random.Random(seed)
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    for y in range(40, size[1] - 60, 30):
        d.rectangle((30, y, size[0] - 30 - rng.randint(0, 200), y + 8), fill=(60, 60, 60))
    pts = [(60 + 10 * i, size[1] - 120 + rng.gauss(0, 8)) for i in range(25)]
    d.line(pts, fill=(20, 30, 150), width=4)
    return img


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cluster_pages")
    for i in range(3):
        _page(i, (600, 780)).save(root / f"p{i}.png")
    doc = [_page(10 + i, (600, 780)) for i in range(2)]
    doc[0].save(root / "doc.pdf", save_all=True, append_images=doc[1:], resolution=100)
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return root


class Cluster:
    """Master + workers as child processes of the test (``spark-class`` execs the JVM, so the
    Popen pid is the daemon's pid and terminating it stops exactly what we started)."""

    def __init__(self, root: Path, workers: int = 2) -> None:
        self.root = root
        self.port, self.ui_port = _free_port(), _free_port()
        self.url = f"spark://{LOOPBACK}:{self.port}"
        self.procs: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "SPARK_HOME": str(SPARK_HOME),
            "SPARK_LOCAL_IP": LOOPBACK,
            "SPARK_DAEMON_MEMORY": "256m",
            "SPARK_LOG_DIR": str(root / "logs"),
            "SPARK_WORKER_DIR": str(root / "work"),
            "PYSPARK_PYTHON": sys.executable,
        }
        self._start("master", "org.apache.spark.deploy.master.Master",
                    "--host", LOOPBACK, "--port", str(self.port),
                    "--webui-port", str(self.ui_port))  # fmt: skip
        for i in range(workers):
            self._start(f"worker{i}", "org.apache.spark.deploy.worker.Worker", self.url,
                        "--host", LOOPBACK, "--cores", "1", "--memory", "1g",
                        "--webui-port", str(_free_port()),
                        "--work-dir", str(root / f"work{i}"))  # fmt: skip

    def _start(self, name: str, cls: str, *args: str) -> None:
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        cmd = [str(SPARK_HOME / "bin" / "spark-class"), cls, *args]
        self.procs.append(subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT))

    def alive_workers(self) -> int:
        try:
            with urllib.request.urlopen(f"http://{LOOPBACK}:{self.ui_port}/json/", timeout=2) as r:
                state = json.load(r)
        except OSError:
            return 0
        return sum(w.get("state") == "ALIVE" for w in state.get("workers", []))

    def wait_for_workers(self, n: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                break
            if self.alive_workers() >= n:
                return
            time.sleep(1.0)
        logs = "\n".join(f.read_text(errors="replace")[-2000:] for f in self.root.glob("*.log"))
        raise AssertionError(f"standalone cluster did not come up with {n} workers:\n{logs}")

    def stop(self) -> None:
        for p in reversed(self.procs):  # workers first (they stop their executors), then master
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("standalone"))
    try:
        c.wait_for_workers(2)
        yield c
    finally:
        c.stop()
    assert all(p.poll() is not None for p in c.procs)


def _run_pipeline(spark, pages: Path) -> dict:
    stages = [
        PdfToImage(resolution=100, partitionNum=4),
        ImageDocumentRegionDetector.pretrained("image_handwritten_detector", "en")
        .setInputCol("image")
        .setOutputCol("regions")
        .setScoreThreshold(0.0),
        ImageDrawRegions()
        .setInputCol("image")
        .setInputRegionsCol("regions")
        .setOutputCol("image_with_regions")
        .setRectColor(Color.gray),
    ]
    df = PipelineModel(stages=stages).transform(spark.read.format("binaryFile").load(str(pages)))
    out = {}
    for r in df.select("path", "pagenum", "regions", "image_with_regions", "exception").collect():
        drawn = r.image_with_regions
        out[f"{Path(r.path).name}#{r.pagenum}"] = {
            "regions": [x.asDict() for x in r.regions],
            "drawn": hashlib.sha256(drawn.data).hexdigest() if drawn else None,
            "exception": r.exception,
        }
    return out


def _session(master: str, events: Path, cache: Path, **extra: str):
    conf = {
        "spark.driver.host": LOOPBACK,
        "spark.driver.bindAddress": LOOPBACK,
        "spark.executorEnv.PENMARK_SPARK_EVENTS": str(events),
        "spark.executorEnv.PENMARK_SPARK_CACHE": str(cache),
        **extra,
    }
    spark = spark_session(master, app_name="penmark-cluster-test", extra=conf)
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def test_pipeline_on_standalone_cluster_equals_local_mode(cluster, pages, tmp_path):
    local = _session("local[2]", tmp_path / "local_events", tmp_path / "local_cache")
    try:
        expected = _run_pipeline(local, pages)
    finally:
        local.stop()

    events = tmp_path / "cluster_events"
    spark = _session(
        cluster.url,
        events,
        tmp_path / "cluster_cache",
        **{"spark.executor.memory": "512m", "spark.executor.cores": "1", "spark.cores.max": "2"},
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        executors = spark.sparkContext._jsc.sc().getExecutorMemoryStatus()
        while executors.size() < 3 and time.monotonic() < deadline:  # driver + 2 executors
            time.sleep(1.0)
            executors = spark.sparkContext._jsc.sc().getExecutorMemoryStatus()
        assert executors.size() == 3, "two executors did not register"
        got = _run_pipeline(spark, pages)
    finally:
        spark.stop()

    assert set(got) == {
        "p0.png#0",
        "p1.png#0",
        "p2.png#0",
        "doc.pdf#0",
        "doc.pdf#1",
        "broken.jpg#0",
    }
    assert got == expected
    assert got["broken.jpg#0"]["exception"] and got["broken.jpg#0"]["regions"] == []
    assert sum(len(v["regions"]) for v in got.values()) > 0

    # Both executors (one per worker, separate work dirs) ran inference, one session each.
    last = {}
    for f in events.glob("*.jsonl"):
        line = json.loads(f.read_text().splitlines()[-1])
        last[line["cwd"]] = line
    ran = {cwd: s for cwd, s in last.items() if s["sessions_created"]}
    assert len(ran) == 2, f"inference ran in {sorted(last)}"
    assert all(s["sessions_created"] == 1 for s in ran.values())
    assert all(str(cluster.root) in cwd for cwd in ran)  # executor work dirs of our workers

"""The worker pool: ordered streaming results and survival of a worker that dies."""

from __future__ import annotations

import os

from PIL import Image

from penmark.io.sources import Source
from penmark.pipeline import Options, PageProcessor
from penmark.region import Region
from penmark.runtime import batch
from penmark.runtime.batch import BatchRunner, plan


class FixedDetector:
    def detect(self, image, threshold=None, labels=None, page=0):
        return [Region("signature", 0.5, (1, 1, 5, 5), page)]


class CrashingProcessor(PageProcessor):
    """Kills its worker process (like a segfault in a native decoder) on ``crash.png``."""

    def run(self, task):
        if task.name == "crash.png":
            os._exit(3)
        return super().run(task)


def crashing_worker_init(options: Options) -> None:
    batch._PROCESSOR = CrashingProcessor(options, detector=FixedDetector())


class CrashRunner(BatchRunner):
    _initializer = staticmethod(crashing_worker_init)


def test_a_dying_worker_fails_only_its_document(tmp_path):
    names = ["a.png", "b.png", "crash.png", "c.png", "d.png"]
    for n in names:
        Image.new("RGB", (40, 30), "white").save(tmp_path / n)
    opts = Options(orientation="none")
    sources = [Source(str(tmp_path / n), n) for n in names]
    got = [
        (o.result.source.rsplit("/", 1)[-1], o.result.error, len(o.result.regions))
        for _, o in CrashRunner(opts, workers=2).run(plan(sources, opts))
    ]
    assert got == [
        ("a.png", None, 1),
        ("b.png", None, 1),
        ("crash.png", "worker process crashed on this document", 0),
        ("c.png", None, 1),
        ("d.png", None, 1),
    ]


class FailingOnThirdPage:
    def __init__(self):
        self.calls = 0

    def detect(self, image, threshold=None, labels=None, page=0):
        self.calls += 1
        if page == 2:
            raise RuntimeError("boom")
        return []


def test_in_process_results_stream_and_errors_keep_done_pages(tmp_path):
    from docgen import many_pages_pdf

    pdf = tmp_path / "d.pdf"
    pdf.write_bytes(many_pages_pdf(4, size=(72, 72)))
    opts = Options(orientation="none", dpi=36)
    tasks = plan([Source(str(pdf), "d.pdf")], opts)
    det = FailingOnThirdPage()
    stream = BatchRunner(opts, detector=det).run(tasks)
    _, first = next(stream)
    assert first.result.page == 0 and first.result.ok
    assert det.calls == 1  # streamed: the rest of the task is not processed yet
    rest = [(o.result.page, o.result.error) for _, o in stream]
    assert rest == [(1, None), (2, "detection failed: boom"), (3, None)]

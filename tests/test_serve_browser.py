"""The demo page in headless Chromium (Debian ``chromium`` + ``chromium-driver``, via Selenium).

A uvicorn server started here serves the page; the browser uploads a page, sees the boxes and the
"signed" badge, moves the score slider, toggles a label and downloads the JSON, the annotated PNG
and the redacted copy. The UI logic is checked with a fake detector (fixed boxes, so the assertions
do not depend on the shipped weights); a second test runs the real model on the sample page and
takes a screenshot (into the test's temporary folder; with ``PENMARK_UPDATE_SCREENSHOT=1`` into
``docs/serve_screenshot.png`` for the README, so a test run leaves the repository unchanged).

Skipped (with the reason) when Chromium, chromedriver or Selenium are missing; CI installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip(
        "needs Debian packages chromium and chromium-driver", allow_module_level=True
    )
pytest.importorskip("fastapi")
pytest.importorskip("multipart")
uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("selenium")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from penmark.region import LABELS, Region  # noqa: E402
from penmark.runtime.detector import DEFAULT_THRESHOLD  # noqa: E402
from penmark.serve import ServeConfig, create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_page.jpg"
SCREENSHOT = ROOT / "docs" / "serve_screenshot.png"
WAIT_S = 60


class FakeDetector:
    """Fixed boxes: handwritten 0.9 near the top, signature 0.4 near the bottom right."""

    name = "fake-detector"
    metadata = {"trained": True}
    model_labels = LABELS

    def detect(self, image, threshold=None, labels=None, page=0) -> list[Region]:
        w, h = image.size
        found = [
            Region("handwritten", 0.9, (0.1 * w, 0.1 * h, 0.6 * w, 0.2 * h), page),
            Region("signature", 0.4, (0.55 * w, 0.75 * h, 0.9 * w, 0.88 * h), page),
        ]
        thr = 0.25 if threshold is None else threshold
        return [r for r in found if r.score >= thr and (labels is None or r.label in labels)]


class ThreadServer:
    """uvicorn in a daemon thread on a socket bound here (no port race); stops on exit."""

    def __init__(self, app) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        for _ in range(300):
            if self.server.started:
                return self
            time.sleep(0.1)
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(tmp_path_factory, downloads):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=1440,1100",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(arg)
    opts.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    drv = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    drv.set_page_load_timeout(WAIT_S)
    drv.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield drv
    finally:
        drv.quit()


def wait(drv, condition, timeout: float = WAIT_S):
    return WebDriverWait(drv, timeout, poll_frequency=0.1).until(condition)


def wait_file(folder: Path, pattern: str, timeout: float = WAIT_S) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        # Chromium may create the final name before writing to it: wait for bytes too
        found = [p for p in folder.glob(pattern)
                 if not p.name.endswith(".crdownload") and p.stat().st_size > 0]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {pattern} downloaded into {folder}: {list(folder.iterdir())}")


def open_and_upload(drv, url: str, path: Path):
    drv.get(url)
    wait(drv, lambda d: "loading" not in d.find_element(By.ID, "model-chip").text)
    drv.find_element(By.ID, "file-input").send_keys(str(path))
    return wait(drv, lambda d: d.find_element(By.CSS_SELECTOR, ".page-card canvas[data-boxes]"))


def boxes(drv) -> int:
    return int(drv.find_element(By.CSS_SELECTOR, ".page-card canvas").get_attribute("data-boxes"))


def badge(drv) -> str:
    return drv.find_element(By.CSS_SELECTOR, ".page-card .badge").text


def slider_to(drv, value: float) -> None:
    """Move the slider with the keyboard, like a person (arrow keys step by 0.01)."""
    slider = drv.find_element(By.ID, "threshold")
    slider.click()
    current = float(slider.get_attribute("value"))
    steps = round((value - current) / 0.01)
    slider.send_keys((Keys.ARROW_RIGHT if steps > 0 else Keys.ARROW_LEFT) * abs(steps))
    assert float(slider.get_attribute("value")) == pytest.approx(value)


def pixel(drv, fx: float, fy: float) -> list[int]:
    """RGBA of the page canvas at fractions (fx, fy) of its size."""
    return drv.execute_script(
        "const c = document.querySelector('.page-card canvas');"
        "return Array.from(c.getContext('2d').getImageData("
        "Math.round(c.width * arguments[0]), Math.round(c.height * arguments[1]), 1, 1).data);",
        fx,
        fy,
    )


@pytest.fixture
def page_file(tmp_path) -> Path:
    img = Image.new("RGB", (850, 1100), "white")
    d = ImageDraw.Draw(img)
    for y in range(80, 1020, 34):
        d.line([(80, y), (770, y)], fill=(120, 120, 120), width=2)
    path = tmp_path / "letter.png"
    img.save(path)
    return path


def test_page_shows_boxes_badge_filters_and_downloads(driver, downloads, page_file):
    with ThreadServer(create_app(ServeConfig(), detector=FakeDetector())) as srv:
        open_and_upload(driver, srv.url, page_file)
        assert boxes(driver) == 2
        assert badge(driver) == "signed: yes"
        r, g, b, _ = pixel(driver, 0.1, 0.15)  # left edge of the handwritten box
        assert r > 180 and g < 120 and b < 120, (r, g, b)  # drawn in the handwritten red
        assert driver.find_element(By.CSS_SELECTOR, '[data-count="signature"]').text == "1"

        slider_to(driver, 0.45)  # above the signature's 0.4: filtered in the page, no new call
        assert driver.find_element(By.ID, "threshold-value").text == "0.45"
        assert boxes(driver) == 1
        assert badge(driver) == "signed: no"
        assert driver.find_element(By.CSS_SELECTOR, '[data-count="signature"]').text == "0"

        toggle = driver.find_element(By.CSS_SELECTOR, 'input[data-label="handwritten"]')
        toggle.click()
        assert boxes(driver) == 0
        toggle.click()
        assert boxes(driver) == 1

        driver.find_element(By.ID, "download-json").click()
        data = json.loads(wait_file(downloads, "letter.penmark.json").read_text())
        assert [r["label"] for r in data[0]["regions"]] == ["handwritten"]
        assert (data[0]["width"], data[0]["height"]) == (850, 1100)
        assert "image" not in data[0]

        driver.find_element(By.CSS_SELECTOR, ".page-card .page-download").click()
        annotated = wait_file(downloads, "letter-p1-annotated.png")
        assert Image.open(annotated).size[0] > 0

        driver.find_element(By.ID, "download-redacted").click()
        redacted = wait_file(downloads, "letter-redacted.png")
        assert Image.open(redacted).size == (850, 1100)


def test_real_model_on_sample_page_and_screenshot(driver, downloads, tmp_path):
    sample = SAMPLE
    if not sample.exists():  # the lead's sample page; a drawn page otherwise
        sample = tmp_path / "sample_page.jpg"
        Image.new("RGB", (1700, 2200), "white").save(sample)
    with ThreadServer(create_app(ServeConfig())) as srv:
        open_and_upload(driver, srv.url, sample)
        assert badge(driver) in ("signed: yes", "signed: no")
        at_default = boxes(driver)
        slider_to(driver, 1.0)
        assert boxes(driver) == 0 and badge(driver) == "signed: no"
        slider_to(driver, 0.05)
        assert boxes(driver) >= at_default
        slider_to(driver, DEFAULT_THRESHOLD)  # back to the server's default
        assert boxes(driver) == at_default
        driver.execute_script("document.activeElement.blur()")  # no focus ring in the picture
        time.sleep(0.3)  # let the last frame paint before the screenshot (not an assertion)
        shot = SCREENSHOT if os.environ.get("PENMARK_UPDATE_SCREENSHOT") else tmp_path / "page.png"
        assert driver.save_screenshot(str(shot))
        assert Image.open(shot).size[0] > 0


def test_api_docs_render_offline(driver):
    pytest.importorskip("fastapi_offline")
    with ThreadServer(create_app(ServeConfig(), detector=FakeDetector())) as srv:
        driver.get(srv.url + "/docs")
        paths = wait(
            driver,
            lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")]
            or False,
        )
        assert {"/v1/detect", "/v1/redact", "/healthz"} <= {p.replace("\u200b", "") for p in paths}


def test_upside_down_scan_is_read_upright_and_said_so(driver, tmp_path):
    if not SAMPLE.exists():
        pytest.skip("sample page not available")
    turned = tmp_path / "upside_down.jpg"
    Image.open(SAMPLE).convert("RGB").rotate(180, expand=True).save(turned, quality=90)
    with ThreadServer(create_app(ServeConfig())) as srv:
        open_and_upload(driver, srv.url, turned)
        assert badge(driver) == "signed: yes"
        summary = wait(driver, lambda d: d.find_element(By.ID, "summary").text)
        assert "1 page read turned by 180°" in summary
        driver.save_screenshot(str(tmp_path / "turned.png"))

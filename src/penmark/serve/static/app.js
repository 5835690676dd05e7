// penmark demo page: one call to POST /v1/detect at a low threshold, then every control (score
// slider, label toggles) only filters and redraws in the browser; the model never runs again
// for them. The redacted copy is a second call (POST /v1/redact) with the current settings.
"use strict";

const API_MIN_THRESHOLD = 0.05; // what the page asks the API for; the slider cannot go lower
const COLORS = { handwritten: "rgb(230, 57, 70)", signature: "rgb(29, 78, 216)" }; // = penmark.draw
const FALLBACK_COLOR = "rgb(16, 160, 16)";

const state = {
  file: null, // the File the user gave
  pagesSpec: "", // the pages field used for that file
  pages: [], // page objects from /v1/detect (with "image" previews)
  images: [], // HTMLImageElement per page (null for error pages)
  threshold: 0.25,
  labels: ["handwritten", "signature"],
  enabled: new Set(["handwritten", "signature"]),
  elapsed: 0,
};

const $ = (sel) => document.querySelector(sel);

function colorOf(label) {
  return COLORS[label] || FALLBACK_COLOR;
}

function visibleRegions(page) {
  return (page.regions || []).filter(
    (r) => r.score >= state.threshold && state.enabled.has(r.label),
  );
}

function showMessage(text, kind = "error", spinner = false) {
  const box = $("#message");
  box.className = "message" + (kind === "info" ? " info" : "");
  box.textContent = "";
  if (spinner) {
    const s = document.createElement("span");
    s.className = "spinner";
    box.appendChild(s);
  }
  box.appendChild(document.createTextNode(text));
  box.hidden = false;
}

function hideMessage() {
  $("#message").hidden = true;
}

async function errorText(response) {
  try {
    const body = await response.json();
    if (body && body.error) return `${body.error.message} (HTTP ${response.status})`;
  } catch (_) {
    /* not JSON */
  }
  return `The server answered HTTP ${response.status}.`;
}

// ---- service info -----------------------------------------------------------------------

async function loadHealth() {
  const chip = $("#model-chip");
  try {
    const res = await fetch("/healthz");
    const info = await res.json();
    chip.textContent = info.trained ? info.model : `${info.model} · untrained placeholder`;
    chip.classList.toggle("warn", !info.trained);
    state.labels = info.labels;
    state.enabled = new Set(info.labels);
    setThreshold(Math.max(info.default_threshold, API_MIN_THRESHOLD));
    const mb = (info.limits.max_upload_bytes / 1048576).toFixed(0);
    $("#limits").textContent = `up to ${mb} MB · ${info.limits.max_pages} pages`;
  } catch (_) {
    chip.textContent = "server unreachable";
    chip.classList.add("warn");
  }
  buildToggles();
}

function buildToggles() {
  const box = $("#label-toggles");
  box.textContent = "";
  for (const label of state.labels) {
    const row = document.createElement("label");
    row.className = "toggle";
    row.innerHTML =
      `<input type="checkbox" data-label="${label}" checked>` +
      `<span class="swatch" style="background:${colorOf(label)}"></span>` +
      `<span>${label}</span><span class="count" data-count="${label}">–</span>`;
    row.querySelector("input").addEventListener("change", (ev) => {
      if (ev.target.checked) state.enabled.add(label);
      else state.enabled.delete(label);
      render();
    });
    box.appendChild(row);
  }
}

function setThreshold(value) {
  state.threshold = Math.round(value * 100) / 100;
  $("#threshold").value = String(state.threshold);
  $("#threshold-value").textContent = state.threshold.toFixed(2);
}

// ---- detection --------------------------------------------------------------------------

async function detect(file) {
  state.file = file;
  state.pagesSpec = $("#pages").value.trim();
  const form = new FormData();
  form.append("file", file);
  form.append("threshold", String(API_MIN_THRESHOLD));
  form.append("previews", "true");
  if (state.pagesSpec) form.append("pages", state.pagesSpec);

  $("#dropzone").classList.add("busy");
  $("#empty").hidden = true;
  showMessage(`Detecting on ${file.name}…`, "info", true);
  const started = performance.now();
  try {
    const res = await fetch("/v1/detect", { method: "POST", body: form });
    if (!res.ok) {
      showMessage(await errorText(res));
      return;
    }
    const pages = await res.json();
    state.elapsed = (performance.now() - started) / 1000;
    state.images = await Promise.all(pages.map((p) => (p.image ? loadImage(p.image) : null)));
    state.pages = pages;
    hideMessage();
    buildPages();
    render();
  } catch (err) {
    showMessage(`Request failed: ${err}`);
  } finally {
    $("#dropzone").classList.remove("busy");
  }
}

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("cannot show the page preview"));
    img.src = src;
  });
}

// ---- rendering --------------------------------------------------------------------------

function buildPages() {
  const list = $("#pages-list");
  list.textContent = "";
  state.pages.forEach((page, i) => {
    const card = $("#page-template").content.firstElementChild.cloneNode(true);
    const n = (page.page || 0) + 1;
    card.dataset.index = String(i);
    card.querySelector(".page-title").textContent = page.error
      ? `Page ${n}`
      : `Page ${n} · ${page.width}×${page.height} px`;
    if (page.error) {
      card.querySelector(".badge").remove();
      card.querySelector(".page-download").remove();
      const wrap = card.querySelector(".canvas-wrap");
      wrap.className = "page-error";
      wrap.textContent = `This page could not be read: ${page.error}`;
    } else {
      card.querySelector(".page-download").addEventListener("click", () => downloadAnnotated(i));
    }
    list.appendChild(card);
  });
  for (const id of ["#download-json", "#download-annotated", "#download-redacted"]) {
    $(id).disabled = false;
  }
}

function drawPage(canvas, page, img) {
  const ctx = canvas.getContext("2d");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  ctx.drawImage(img, 0, 0);
  const sx = img.naturalWidth / page.width;
  const sy = img.naturalHeight / page.height;
  // Line width and label size in screen pixels, whatever the canvas is scaled to on screen.
  const shownHeight = canvas.getBoundingClientRect().height || canvas.height;
  const unit = Math.max(1, canvas.height / shownHeight);
  const font = Math.round(unit * 11);
  ctx.font = `600 ${font}px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif`;
  ctx.textBaseline = "top";
  const shown = visibleRegions(page);
  // Low scores first, and every box before any label: the strongest boxes and all the
  // label:score tags stay readable where boxes overlap.
  const ordered = [...shown].sort((a, b) => a.score - b.score);
  const rects = ordered.map((r) => [r.box[0] * sx, r.box[1] * sy, r.box[2] * sx, r.box[3] * sy]);
  ctx.lineWidth = unit * 2;
  ordered.forEach((r, i) => {
    const [x0, y0, x1, y1] = rects[i];
    const color = colorOf(r.label);
    ctx.fillStyle = color.replace("rgb(", "rgba(").replace(")", ", 0.10)");
    ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    ctx.strokeStyle = color;
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
  });
  ordered.forEach((r, i) => {
    const [x0, y0] = rects[i];
    const text = `${r.label}:${r.score.toFixed(2)}`;
    const pad = unit * 3;
    const tw = ctx.measureText(text).width + 2 * pad;
    const th = font + 2 * pad;
    const ty = y0 - th >= 0 ? y0 - th : y0; // above the box, or inside when at the top edge
    ctx.fillStyle = colorOf(r.label);
    ctx.fillRect(x0 - ctx.lineWidth / 2, ty, tw, th);
    ctx.fillStyle = "#fff";
    ctx.fillText(text, x0 - ctx.lineWidth / 2 + pad, ty + pad);
  });
  canvas.dataset.boxes = String(shown.length);
}

function render() {
  const totals = Object.fromEntries(state.labels.map((l) => [l, 0]));
  document.querySelectorAll(".page-card").forEach((card) => {
    const i = Number(card.dataset.index);
    const page = state.pages[i];
    if (page.error) return;
    const shown = visibleRegions(page);
    for (const r of shown) totals[r.label] = (totals[r.label] || 0) + 1;
    drawPage(card.querySelector("canvas"), page, state.images[i]);
    const signed = shown.some((r) => r.label === "signature");
    const badge = card.querySelector(".badge");
    badge.dataset.signed = signed ? "yes" : "no";
    badge.textContent = `signed: ${signed ? "yes" : "no"}`;
    const parts = state.labels
      .filter((l) => state.enabled.has(l))
      .map((l) => `${shown.filter((r) => r.label === l).length} ${l}`);
    card.querySelector(".counts").textContent = parts.join(" · ");
  });
  for (const label of state.labels) {
    const el = document.querySelector(`[data-count="${label}"]`);
    if (el) el.textContent = state.pages.length ? String(totals[label] || 0) : "–";
  }
  renderSummary();
}

function renderSummary() {
  const box = $("#summary");
  if (!state.pages.length) {
    box.hidden = true;
    return;
  }
  const ok = state.pages.filter((p) => !p.error);
  const signedPages = ok.filter((p) =>
    visibleRegions(p).some((r) => r.label === "signature"),
  ).length;
  box.innerHTML = "<h2>Document</h2><dl></dl>";
  const dl = box.querySelector("dl");
  const rows = [
    ["file", state.file.name],
    ["pages", `${state.pages.length}${ok.length < state.pages.length ? ` (${state.pages.length - ok.length} unreadable)` : ""}`],
    ["signed", `${signedPages} of ${ok.length} page${ok.length === 1 ? "" : "s"}`],
    ["time", `${state.elapsed.toFixed(1)} s`],
  ];
  // pages scanned sideways or upside down were read upright; boxes are on the page as shown
  const turned = ok.filter((p) => p.orientation);
  if (turned.length) {
    const angles = [...new Set(turned.map((p) => `${p.orientation}°`))].join(", ");
    rows.splice(2, 0, ["turned", `${turned.length} page${turned.length === 1 ? "" : "s"} read turned by ${angles}`]);
  }
  for (const [k, v] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    dl.append(dt, dd);
  }
  box.hidden = false;
}

// ---- downloads --------------------------------------------------------------------------

function stem() {
  const name = state.file ? state.file.name : "upload";
  return name.replace(/\.[^.]+$/, "") || "upload";
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function currentJson() {
  // The JSON Lines page objects as the API returned them, filtered like the view, no previews.
  return state.pages.map((p) => {
    const out = { ...p };
    delete out.image;
    if (!p.error) out.regions = visibleRegions(p);
    return out;
  });
}

function downloadJson() {
  const body = JSON.stringify(currentJson(), null, 2) + "\n";
  saveBlob(new Blob([body], { type: "application/json" }), `${stem()}.penmark.json`);
}

function downloadAnnotated(i) {
  const card = document.querySelector(`.page-card[data-index="${i}"]`);
  const page = state.pages[i];
  card.querySelector("canvas").toBlob((blob) => {
    saveBlob(blob, `${stem()}-p${(page.page || 0) + 1}-annotated.png`);
  }, "image/png");
}

function downloadAllAnnotated() {
  state.pages.forEach((p, i) => {
    if (!p.error) downloadAnnotated(i);
  });
}

function filenameFrom(res, fallback) {
  const cd = res.headers.get("content-disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="([^"]+)"/i.exec(cd);
  return plain ? plain[1] : fallback;
}

async function downloadRedacted() {
  if (!state.file) return;
  if (state.enabled.size === 0) {
    showMessage("Turn on at least one label to redact.", "info");
    return;
  }
  const form = new FormData();
  form.append("file", state.file);
  form.append("threshold", String(state.threshold));
  for (const label of state.enabled) form.append("labels", label);
  if (state.pagesSpec) form.append("pages", state.pagesSpec);
  const button = $("#download-redacted");
  button.disabled = true;
  showMessage("Redacting…", "info", true);
  try {
    const res = await fetch("/v1/redact", { method: "POST", body: form });
    if (!res.ok) {
      showMessage(await errorText(res));
      return;
    }
    saveBlob(await res.blob(), filenameFrom(res, `${stem()}-redacted`));
    hideMessage();
  } catch (err) {
    showMessage(`Request failed: ${err}`);
  } finally {
    button.disabled = false;
  }
}

// ---- wiring -----------------------------------------------------------------------------

function wire() {
  const input = $("#file-input");
  const zone = $("#dropzone");
  input.addEventListener("change", () => {
    if (input.files.length) detect(input.files[0]);
    input.value = "";
  });
  zone.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone.classList.remove("over");
    if (ev.dataTransfer.files.length) detect(ev.dataTransfer.files[0]);
  });
  $("#threshold").addEventListener("input", (ev) => {
    setThreshold(Number(ev.target.value));
    render();
  });
  $("#pages").addEventListener("change", () => {
    // A new page selection needs the model again (other pages are rendered and detected).
    if (state.file && $("#pages").value.trim() !== state.pagesSpec) detect(state.file);
  });
  $("#download-json").addEventListener("click", downloadJson);
  $("#download-annotated").addEventListener("click", downloadAllAnnotated);
  $("#download-redacted").addEventListener("click", downloadRedacted);
}

wire();
loadHealth();

"""OpenAPI docs at ``/docs`` that work offline.

FastAPI's default ``/docs`` page loads Swagger UI from a CDN, which a machine without internet (or
a locked-down intranet) cannot reach. The ``swagger-ui-bundle`` package ships the same files; when
it is installed they are served from ``/docs-static``. Without it ``/docs`` says so and links to
the raw ``/openapi.json`` instead of showing a blank page.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_PREFIX = "/docs-static"


def _swagger_dir() -> str | None:
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    return str(swagger_ui_path)


def install_docs(app: FastAPI, title: str) -> None:
    """Add ``/docs`` (call with ``docs_url=None`` given to :class:`FastAPI`)."""
    assets = _swagger_dir()
    if assets is not None:
        app.mount(STATIC_PREFIX, StaticFiles(directory=assets), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        if assets is None:
            return HTMLResponse(
                "<!doctype html><title>penmark API</title><h1>penmark API</h1>"
                "<p>The interactive docs need the <code>swagger-ui-bundle</code> package "
                "(<code>pip install 'penmark[serve]'</code>). The schema itself is at "
                '<a href="/openapi.json">/openapi.json</a>.</p>'
            )
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} - API docs",
            swagger_js_url=f"{STATIC_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_PREFIX}/favicon-32x32.png",
        )

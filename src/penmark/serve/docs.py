"""A FastAPI app whose OpenAPI docs (``/docs``, ``/redoc``) work offline.

FastAPI's default docs pages load Swagger UI and ReDoc from a CDN, which a machine without internet
(or a locked-down intranet) cannot reach. The ``fastapi-offline`` package (part of the ``[serve]``
extra) ships Swagger UI 5 and ReDoc and serves them from the app itself; Swagger UI 5 is needed
for the OpenAPI 3.1 schemas FastAPI writes (older bundles refuse them). Without the package,
``/docs`` says so and links to the raw ``/openapi.json`` instead of showing a blank page.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

FALLBACK_DOCS = (
    "<!doctype html><title>penmark API</title><h1>penmark API</h1>"
    "<p>The interactive docs need the <code>fastapi-offline</code> package "
    "(<code>pip install 'penmark[serve]'</code>). The schema itself is at "
    '<a href="/openapi.json">/openapi.json</a>.</p>'
)


def make_fastapi(**kwargs: Any) -> FastAPI:
    """``FastAPI(**kwargs)`` with offline ``/docs`` and ``/redoc``."""
    try:
        from fastapi_offline import FastAPIOffline
    except ImportError:
        app = FastAPI(docs_url=None, redoc_url=None, **kwargs)

        @app.get("/docs", include_in_schema=False)
        async def docs() -> HTMLResponse:
            return HTMLResponse(FALLBACK_DOCS)

        return app
    return FastAPIOffline(**kwargs)

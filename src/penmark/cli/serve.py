"""``penmark serve``: the local web page and HTTP API (needs the ``[serve]`` extra).

FastAPI and uvicorn are imported only when the command runs, so the rest of the CLI works without
them; when they are missing the command says which extra to install instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from penmark.runtime.detector import DEFAULT_MODEL, DEFAULT_THRESHOLD

MISSING_EXTRA = (
    "penmark serve needs FastAPI and uvicorn: pip install 'penmark[serve]' (missing: {})"
)


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0 for every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    model: Annotated[str, typer.Option(help="Pretrained model name.")] = DEFAULT_MODEL,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Default minimum score of the API.")
    ] = DEFAULT_THRESHOLD,
    max_upload_mb: Annotated[
        float, typer.Option(min=0.1, help="Upload size cap in MB (413 above).")
    ] = 25.0,
    max_pages: Annotated[int, typer.Option(min=1, help="Pages per request (413 above).")] = 20,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Per-request time limit in seconds (504 above).")
    ] = 120.0,
    workers: Annotated[
        Optional[int],  # noqa: UP045 - typer reads this annotation at run time on Python 3.10
        typer.Option(min=1, help="Threads running the model (default: min(2, CPU count))."),
    ] = None,
    max_active: Annotated[
        int, typer.Option(min=1, help="Requests admitted at once, running or queued (503 above).")
    ] = 64,
    dpi: Annotated[int, typer.Option(min=36, max=600, help="PDF rendering resolution.")] = 200,
    tmp_dir: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Where per-request temporary folders go (default: the system temp dir)."),
    ] = None,
) -> None:
    """Serve the demo page at http://HOST:PORT/ and the HTTP API (docs at /docs)."""
    try:
        import uvicorn

        from penmark.serve import ServeConfig, create_app
    except ModuleNotFoundError as exc:
        typer.echo(MISSING_EXTRA.format(exc.name), err=True)
        raise typer.Exit(2) from None

    options: dict[str, Any] = {
        "model": model,
        "default_threshold": threshold,
        "max_upload_bytes": int(max_upload_mb * 1024 * 1024),
        "max_pages": max_pages,
        "timeout_s": timeout,
        "max_active": max_active,
        "dpi": dpi,
        "tmp_root": tmp_dir,
    }
    if workers is not None:
        options["workers"] = workers
    try:
        app = create_app(ServeConfig(**options))
        app.state.engine.detector  # noqa: B018 - fail fast on a bad model name, before listening
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"penmark serve: http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(app, host=host, port=port, log_level="info")

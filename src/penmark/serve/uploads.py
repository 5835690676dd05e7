"""Uploads on disk: the per-request temporary directory, copying the upload into it under the size
cap, and a file response that removes the directory once sent.

Why a directory per request: PDFs are read from a file, redacted copies are written next to the
upload, and removing one directory on every exit path is how "nothing is left behind" is kept.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from penmark.serve.errors import ApiError

CHUNK = 1024 * 1024


def source_name(upload: UploadFile) -> str:
    """The client's file name without any directory part (it is only echoed back, never used as a
    path)."""
    raw = (upload.filename or "").replace("\\", "/")
    name = PurePosixPath(raw).name.strip()
    return name[:200] or "upload"


async def save_upload(upload: UploadFile, dst: Path, max_bytes: int) -> bytes:
    """Copy the upload to ``dst`` in chunks; return its first bytes. 413/422 on size problems."""
    size = 0
    head = b""
    with open(dst, "wb") as fh:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise ApiError(
                    413, "too_large", f"upload is over the limit of {max_bytes / 2**20:.1f} MB"
                )
            if len(head) < 1024:
                head += chunk[: 1024 - len(head)]
            await run_in_threadpool(fh.write, chunk)
    if size == 0:
        raise ApiError(422, "empty_upload", "the uploaded file is empty (0 bytes)")
    return head


def content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


class CleanupFileResponse(FileResponse):
    """A file response that removes its workspace after sending, also when the client went away
    mid-download (a background task would be skipped then and leave the directory behind)."""

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.workspace.cleanup()


class Workspace:
    """A per-request temporary directory that is removed on exit unless handed to a response."""

    def __init__(self, root: Path | None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="penmark-serve-", dir=root))
        self.kept = False

    def cleanup(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.kept:
            self.cleanup()

"""One JSON error shape for every failure, so API clients parse errors the same way everywhere::

    {"error": {"status": 413, "code": "too_large", "message": "upload is 31.0 MB; ..."}}

FastAPI's own errors (validation 422, unknown route 404, wrong method 405) are converted too, and
so is any unexpected exception (500, without internals in the message).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """Raised anywhere in a request to answer ``status`` with a JSON error body."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_body(status: int, code: str, message: str, **more: Any) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, **more}}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **more: Any
) -> JSONResponse:
    return JSONResponse(error_body(status, code, message, **more), status, headers=headers)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    fields = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "form")]
        fields.append({"field": ".".join(loc) or "request", "message": err.get("msg", "invalid")})
    text = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or "invalid request"
    return text, fields


def install_error_handlers(app: FastAPI) -> None:
    """Route ApiError, HTTP errors and validation errors through :func:`error_response`."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Starlette logs the traceback after this handler has answered.
        return error_response(500, "internal_error", f"internal error: {type(exc).__name__}")

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, fields = _validation_message(exc)
        return error_response(422, "invalid_request", message, fields=fields)

"""Server-rendered web pages (placeholder; filled in below)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)


def error_page(
    request: Request, status: int, code: str, field: str | None, params: dict[str, Any]
) -> Response:
    return HTMLResponse(f"<p>{status} {code}</p>", status_code=status)

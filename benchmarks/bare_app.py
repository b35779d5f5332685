"""A bare FastAPI endpoint, the floor for the office's export check (benchmarks/office_load.py).

One GET route answering a fixed JSON body of the same size as the office's export answer,
with no middleware, database or engine: what FastAPI and uvicorn alone cost per request.
"""

from __future__ import annotations

import json
import os

from fastapi import FastAPI
from fastapi.responses import Response

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
_BODY = json.dumps({"pad": "x" * max(0, int(os.environ.get("BARE_BODY_BYTES", "1500")) - 11)})


@app.get("/api/check/export")
async def check_export(to: str = "", on: str = "", hs: str = "") -> Response:
    return Response(_BODY, media_type="application/json")

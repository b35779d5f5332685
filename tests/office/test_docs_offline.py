"""/docs and /redoc work on a closed network: every asset is same-origin and served."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from conftest import Office

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def _assets(html: str) -> list[str]:
    return EXTERNAL.findall(html)


def test_docs_use_only_same_origin_assets(sqlite_office: Office) -> None:
    c = sqlite_office.client
    for page in ("/docs", "/redoc"):
        r = c.get(page)
        assert r.status_code == 200, page
        assert "cdn." not in r.text and "googleapis" not in r.text, page
        assets = _assets(r.text)
        assert assets, page
        for url in assets:
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"{page} refers to {url}"
            assert url.startswith("/"), url
            got = c.get(url)
            assert got.status_code == 200, url
            assert len(got.content) > 1000, url
    swagger = c.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in swagger
    assert "/docs-assets/swagger-ui.css" in swagger
    assert "url: '/openapi.json'" in swagger
    assert (
        c.get("/docs-assets/swagger-ui-bundle.js")
        .headers["content-type"]
        .startswith(("text/javascript", "application/javascript"))
    )
    # Swagger UI 5 (reads OpenAPI 3.1, which FastAPI emits)
    assert c.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert c.get("/docs/oauth2-redirect").status_code == 200


def test_docs_bundle_is_swagger_ui_5(sqlite_office: Office) -> None:
    js = sqlite_office.client.get("/docs-assets/swagger-ui-bundle.js").text
    assert re.search(r'"5\.\d+\.\d+"', js), "Swagger UI 4 cannot render OpenAPI 3.1"

"""The API reference at /docs: Swagger UI over the registry's own OpenAPI document, from the files vendored in
`swagger_ui/`, so that it works on a machine without internet and under the pages' Content-Security-Policy
(no script from elsewhere, none inline). ReDoc is not offered: its standalone bundle writes style elements
into the page, which that policy refuses."""

from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from ..web.templating import PAGE_HEADERS

router = APIRouter(include_in_schema=False)
SWAGGER_UI = resources.files("sabt.api") / "swagger_ui"

ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sabt civil registry API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/docs")
def reference() -> HTMLResponse:
    return HTMLResponse(PAGE, headers=PAGE_HEADERS)


@router.get("/docs/{name}")
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(status_code=404)
    headers = {**PAGE_HEADERS, "Cache-Control": "public, max-age=86400"}
    return FileResponse(str(SWAGGER_UI / name), media_type=ASSETS[name], headers=headers)

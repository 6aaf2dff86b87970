"""The interactive API docs at /docs: Swagger UI served from this server, so they work with no network.

Swagger UI's script and stylesheet come from the fastapi-offline package; the page and the few lines that start
Swagger UI are our own, served as files of this origin, so the docs need no inline script and their content
security policy (kroniek.server.security.DOCS_POLICY) allows scripts from this server only.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS = "/docs"
ASSETS = DOCS + "/assets"
START = DOCS + "/start.js"


def assets_dir() -> Path:
    """Where the fastapi-offline package keeps Swagger UI's files."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


def _page(title: str) -> str:
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f'<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">\n'
            f'<link rel="icon" href="{ASSETS}/favicon.png">\n</head>\n<body>\n<div id="swagger-ui"></div>\n'
            f'<script src="{ASSETS}/swagger-ui-bundle.js"></script>\n<script src="{START}"></script>\n'
            "</body>\n</html>\n")


def _start_script(openapi_url: str) -> str:
    # validatorUrl null: no badge fetched from the public validator
    return ("window.ui = SwaggerUIBundle({\n"
            f"  url: {json.dumps(openapi_url)},\n"
            '  dom_id: "#swagger-ui",\n'
            '  layout: "BaseLayout",\n'
            "  deepLinking: true,\n"
            "  validatorUrl: null,\n"
            "  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]\n"
            "});\n")


def install(app: FastAPI) -> None:
    """Serve the docs page, its start script and Swagger UI's files; the app is made with `docs_url=None`."""
    page = _page(f"{app.title} API")
    script = _start_script(app.openapi_url or "/openapi.json")

    @app.get(DOCS, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(START, include_in_schema=False)
    def start() -> Response:
        return Response(script, media_type="text/javascript")

    app.mount(ASSETS, StaticFiles(directory=assets_dir()), name="docs-assets")

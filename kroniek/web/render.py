"""Rendering pages: the Jinja2 environment (autoescaped), the interface language of a request, the error page."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kroniek.model import Listing
from kroniek.server.deps import MAX_OFFSET
from kroniek.web import i18n

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
LANG_COOKIE = "kroniek_lang"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "svg"], default=True),
                   trim_blocks=True, lstrip_blocks=True)


def entity_url(name: str) -> str:
    return "/entities/" + quote(name, safe="")


def speaker_url(name: str) -> str:
    return "/speakers/" + quote(name, safe="")


def article_url(article_id: str) -> str:
    return "/articles/" + quote(article_id, safe="")


def story_url(story_id: str) -> str:
    return "/stories/" + quote(story_id, safe="")


def search_url(**params: Any) -> str:
    """A search page address with the non-empty parameters."""
    return page_url("/search", **params)


def page_url(path: str, **params: Any) -> str:
    """An address on this site with the non-empty parameters."""
    kept = [(k, v) for k, v in params.items() if v not in (None, "", 0)]
    return path + ("?" + urlencode(kept) if kept else "")


def pager(listing: Listing[Any], path: str, **params: Any) -> dict[str, str | None]:
    """The links to the page before and after this one of a list (None where there is none), keeping the other
    parameters of the page; a page past the largest offset a request may ask for has no link."""
    before = max(listing.offset - listing.limit, 0) if listing.offset > 0 else None
    after = listing.offset + listing.limit
    return {"prev": page_url(path, **params, offset=before) if before is not None else None,
            "next": page_url(path, **params, offset=after) if listing.more and after <= MAX_OFFSET else None}


_env.globals.update(entity_url=entity_url, speaker_url=speaker_url, article_url=article_url, search_url=search_url,
                    story_url=story_url)


def language(request: Request) -> str:
    """The interface language: ?lang=, then the cookie, then Accept-Language, then Dutch."""
    asked = request.query_params.get("lang")
    if asked in i18n.LANGUAGES:
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in i18n.LANGUAGES:
        return cookie
    return i18n.from_accept_language(request.headers.get("accept-language")) or i18n.DEFAULT


def text_for(request: Request, key: str, **values: Any) -> str:
    """An interface text in the request's language (for text made outside a template, such as chart titles)."""
    return i18n.translate(key, language(request), **values)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page rendered in the request's interface language."""
    lang = language(request)
    other = "en" if lang == "nl" else "nl"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other)]
    # A query-only link: it stays on this page, whatever the path (a path such as //evil.example/x, written out,
    # would be a link to another site).
    html = _env.get_template(template).render(
        lang=lang, other_lang=other, switch_lang_url="?" + urlencode(params),
        t=lambda key, **kw: i18n.translate(key, lang, **kw), **context)
    # the security headers are added to every response by kroniek.server.security.SecurityHeaders
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


def error_page(request: Request, status: int, error: dict[str, Any]) -> HTMLResponse:
    """The error page for a status and the one error shape's body."""
    return page(request, "error.html", status=status, error=error)

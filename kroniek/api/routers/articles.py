"""An article: its text, structure and every annotation, with its references resolved to archived articles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from kroniek.api.deps import ArchiveDep
from kroniek.api.schemas import ArticleOut, ErrorResponse

router = APIRouter(tags=["articles"])

ArticleId = Annotated[str, Path(min_length=1, max_length=200, description="the article's id")]


def article_out(archive: Any, article_id: str) -> ArticleOut:
    """The API view of a stored article (shared with the web page)."""
    art = archive.get_article(article_id)
    data = art.to_dict()
    refs = data["structure"].get("references", [])
    targets = archive.resolve_references([r["text"] for r in refs]) if refs else {}
    for ref in refs:
        ref["article_id"] = targets.get(ref["text"])
    return ArticleOut.model_validate(data)


@router.get("/articles/{article_id:path}", response_model=ArticleOut, responses={404: {"model": ErrorResponse}})
def article(archive: ArchiveDep, article_id: ArticleId) -> ArticleOut:
    """An article with its structure, entities, quotations and time expressions (offsets into `text`)."""
    return article_out(archive, article_id)

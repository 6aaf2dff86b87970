"""An article: its text, structure and every annotation, with its references resolved to archived articles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kroniek.api.schemas import ArticleOut, ErrorResponse
from kroniek.server.deps import ArchiveDep

router = APIRouter(tags=["articles"])

ArticleId = Annotated[str, Path(min_length=1, max_length=200, description="the article's id")]


@router.get("/articles/{article_id:path}", response_model=ArticleOut, responses={404: {"model": ErrorResponse}})
def article(archive: ArchiveDep, article_id: ArticleId) -> ArticleOut:
    """An article with its structure, entities, quotations and time expressions (offsets into `text`); each
    reference names the archived article it points to (`article_id`), where there is one."""
    return ArticleOut.model_validate(archive.get_article(article_id).to_dict())

"""Data values kept in both languages (``name_zh`` / ``name_en`` of the programme's
catalogues, the districts): the one choice between them."""

from __future__ import annotations

from django.utils.translation import get_language


def in_language(zh: str, en: str | None) -> str:
    """The English of a bilingual data value on English pages, else the Chinese."""
    return en if en and (get_language() or "").startswith("en") else zh

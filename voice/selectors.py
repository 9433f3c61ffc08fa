"""Public reads of residents' voice: published suggestions of one public community.

Runs inside :func:`public.selectors.public_query` (the public role, statement timeout):
the role reads the view ``voice_publishedsuggestion`` (migration 0002: published rows,
no contact) and the published community snapshot, nothing else of this app.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from .models import Kind, Topic

#: the keys of one published item (tests/accounts/test_sentinel_crawl.py allowlist)
ITEM_FIELDS = ("id", "topic", "kind", "text", "reply", "date")
TOPIC_FIELDS = ("topic", "label", "count")
MAX_ITEMS = 50

_COMMUNITY = "SELECT source_id FROM public_publishedcommunity WHERE code = %s"
_COUNTS = (
    "SELECT topic, count(*) FROM voice_publishedsuggestion"
    " WHERE community_id = %s GROUP BY topic"
)
_ITEMS = (
    "SELECT id, topic, kind, text, reply, published_at FROM voice_publishedsuggestion"
    " WHERE community_id = %s ORDER BY published_at DESC, id DESC LIMIT %s"
)


def community_voice(code: str) -> dict[str, Any] | None:
    """Counts by topic and the published replies of the public community ``code``;
    None when no such community is published."""
    with connection.cursor() as cur:
        cur.execute(_COMMUNITY, [code])
        row = cur.fetchone()
        if row is None:
            return None
        source_id = row[0]
        cur.execute(_COUNTS, [source_id])
        counts = dict(cur.fetchall())
        cur.execute(_ITEMS, [source_id, MAX_ITEMS])
        rows = cur.fetchall()
    labels = dict(Topic.choices)
    kinds = set(Kind.values)
    topics = [
        {"topic": t, "label": str(labels[t]), "count": counts[t]}
        for t in Topic.values
        if counts.get(t)
    ]
    items = [
        {
            "id": pk,
            "topic": topic,
            "kind": kind if kind in kinds else Kind.SUGGESTION,
            "text": text,
            "reply": reply,
            "date": published.date().isoformat() if published else None,
        }
        for pk, topic, kind, text, reply, published in rows
    ]
    return {"community": code, "topics": topics, "items": items}

"""``{% project_voice project %}``: residents' suggestions on a project page.

A template tag, so that the programme app (below this one) shows them without
importing it: the suggestions about the project and its community, with status.
"""

from django import template
from django.urls import reverse

from voice.models import CONTACT_MAX, TEXT_MAX, TEXT_MIN, Kind, Suggestion, Topic

register = template.Library()


@register.inclusion_tag("voice/_project_voice.html")
def project_voice(project) -> dict:
    qs = Suggestion.objects.filter(project=project)
    if project.community_id:
        qs = Suggestion.objects.filter(community_id=project.community_id) | qs
    items = list(qs.order_by("-created_at", "-id")[:50])
    counts: dict[str, int] = {}
    for s in items:
        counts[s.status] = counts.get(s.status, 0) + 1
    return {"items": items, "counts": counts, "project": project}


@register.simple_tag
def voice_config() -> dict:
    """What the public map's "留言/建议" form needs (``#voice-config``): the URLs, the
    choices and the length limits."""
    return {
        "submit": reverse("public-voice-submit"),
        "read": reverse("public-voice", kwargs={"code": "CODE"}),
        "topics": [[v, str(label)] for v, label in Topic.choices],
        "kinds": [[v, str(label)] for v, label in Kind.choices],
        "text_min": TEXT_MIN,
        "text_max": TEXT_MAX,
        "contact_max": CONTACT_MAX,
    }

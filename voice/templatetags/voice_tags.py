"""``{% project_voice project %}``: residents' suggestions on a project page.

A template tag, so that the programme app (below this one) shows them without
importing it: the suggestions about the project and its community, with status.
"""

from django import template

from voice.models import Suggestion

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
